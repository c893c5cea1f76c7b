// `feedd entries` through the real binary (README "Reading entries").
#include <csignal>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon_harness.hpp"
#include "feed_fixtures.hpp"
#include "support/fake_server.hpp"
#include "support/paths.hpp"
#include "support/private_cluster.hpp"

namespace feedd::test {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Entries `first`..`last` of one feed, inserted as another program would.
void insert_entries(test_database& db, int first, int last) {
  db.exec("INSERT INTO entries (feed_id, guid, title, url, fingerprint) SELECT (SELECT min(id) FROM feeds), 'e' || i,"
          " 'Entry ' || i, 'https://example.com/' || i, '' FROM generate_series(" + std::to_string(first) + ", " +
          std::to_string(last) + ") AS i");
}

// The ids of the JSON lines in `file` (bounded wait until there are `n`).
std::vector<std::int64_t> wait_for_lines(const std::filesystem::path& file, std::size_t n, std::chrono::seconds most) {
  std::vector<std::int64_t> ids;
  for (const auto end = std::chrono::steady_clock::now() + most; std::chrono::steady_clock::now() < end;) {
    ids.clear();
    for (const auto& line : lines_of(read_file(file))) ids.push_back(nlohmann::json::parse(line).at("id").get<std::int64_t>());
    if (ids.size() >= n) break;
    std::this_thread::sleep_for(50ms);
  }
  return ids;
}

// The stored feeds of a run --once, shown as a table and as JSON lines:
// the same entries, in the same order, credentials redacted in both.
TEST(Entries, TableAndJsonShowTheSameEntries) {
  daemon_harness harness{"entries table"};
  temp_dir root;
  auto fixtures = write_feed_fixtures(root.path(), 4);
  auto server = serve_directory(root.path());
  std::vector<std::string> urls;
  std::size_t total = 0;
  for (const auto& f : fixtures) {
    urls.push_back(server->url("/feeds/" + f.file));
    total += f.entries.size();
  }
  urls[0].replace(urls[0].find("127.0.0.1"), 0, "reader:s3cret@");
  harness.write_config();
  harness.add_feeds(urls);
  auto once = harness.feedd({"run", "--once"}, 60s);
  ASSERT_EQ(once.exit_code, 0) << once.err;

  // Until every entry is below the horizon: other tests' transactions in
  // the shared cluster may hold them back for a moment.
  run_result json;
  for (const auto end = std::chrono::steady_clock::now() + 30s; std::chrono::steady_clock::now() < end;) {
    json = harness.feedd({"entries", "--json", "--limit", "1000"});
    if (json.exit_code != 0 || lines_of(json.out).size() >= total) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto table = harness.feedd({"entries", "--limit", "1000"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  const auto objects = lines_of(json.out);
  const auto rows = lines_of(table.out);
  ASSERT_EQ(objects.size(), total);
  ASSERT_EQ(rows.size(), total + 1) << "a header, then one row per entry";
  EXPECT_NE(rows[0].find("published"), std::string::npos);
  std::string previous_cursor;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    const auto e = nlohmann::json::parse(objects[i]);
    std::istringstream row(rows[i + 1]);
    std::int64_t id = 0, feed = 0;
    row >> id >> feed;
    EXPECT_EQ(id, e.at("id").get<std::int64_t>()) << rows[i + 1];
    EXPECT_EQ(feed, e.at("feed_id").get<std::int64_t>()) << rows[i + 1];
    const std::string title = e.at("title");
    EXPECT_NE(rows[i + 1].find(title.substr(0, std::min<std::size_t>(title.size(), 20))), std::string::npos) << rows[i + 1];
    EXPECT_NE(rows[i + 1].find(e.at("link").get<std::string>()), std::string::npos) << rows[i + 1];
    const std::string cursor = e.at("cursor");
    EXPECT_EQ(cursor.substr(cursor.find(':') + 1), std::to_string(id));
    previous_cursor = cursor;
  }
  EXPECT_EQ(json.out.find("s3cret"), std::string::npos);
  EXPECT_NE(json.out.find("***@127.0.0.1"), std::string::npos);

  auto limited = harness.feedd({"entries", "--json", "--limit", "2"});
  EXPECT_EQ(lines_of(limited.out), std::vector<std::string>(objects.end() - 2, objects.end())) << "the latest two";
  auto one_feed = harness.feedd({"entries", "--json", "--limit", "1000", "--feed", urls[1]});
  EXPECT_EQ(lines_of(one_feed.out).size(), fixtures[1].entries.size()) << one_feed.err;
  auto paged = harness.feedd({"entries", "--json", "--after", nlohmann::json::parse(objects[0]).at("cursor")});
  EXPECT_EQ(lines_of(paged.out), std::vector<std::string>(objects.begin() + 1, objects.end()));
  EXPECT_EQ(harness.feedd({"entries", "--since", "1h", "--json"}).exit_code, 0);
  EXPECT_EQ(harness.feedd({"entries", "--since", "when pigs fly"}).exit_code, 64);
  EXPECT_EQ(harness.feedd({"entries", "--after", "nope"}).exit_code, 64);
  EXPECT_EQ(harness.feedd({"entries", "--feed", "https://nowhere.example/"}).exit_code, 1);
}

// --follow --json across a restart of its PostgreSQL: entries committed
// before, while it reconnects (their notification is lost) and after are
// each printed once; SIGTERM ends it with 0.
TEST(Entries, FollowMissesNothingAcrossADatabaseRestart) {
  private_cluster cluster;
  daemon_harness harness{"entries follow", cluster.conninfo()};
  harness.write_config();
  harness.add_feeds({"https://feeds.example/a.xml"});
  auto& db = harness.db();
  insert_entries(db, 1, 3);
  const auto out = harness.dir() / "follow.out";
  process follower({{feedd_binary().string(), "--config", harness.config_path().string(), "entries", "--follow", "--json"},
                    {},
                    {},
                    out,
                    harness.dir() / "follow.err"});
  ASSERT_EQ(wait_for_lines(out, 3, 20s).size(), 3u) << read_file(harness.dir() / "follow.err");
  insert_entries(db, 4, 10);
  ASSERT_EQ(wait_for_lines(out, 10, 20s).size(), 10u);

  ASSERT_TRUE(cluster.stop());
  std::this_thread::sleep_for(1s);
  ASSERT_TRUE(cluster.start());
  insert_entries(db, 11, 20);  // most likely before the follower is back
  insert_entries(db, 21, 30);
  const auto ids = wait_for_lines(out, 30, 30s);
  EXPECT_EQ(ids.size(), 30u) << read_file(harness.dir() / "follow.err");
  EXPECT_EQ(std::set<std::int64_t>(ids.begin(), ids.end()).size(), ids.size()) << "none twice";
  EXPECT_EQ(db.scalar("SELECT count(*) FROM entries"), std::to_string(ids.size()));
  EXPECT_NE(read_file(harness.dir() / "follow.err").find("reconnected"), std::string::npos);

  follower.signal(SIGTERM);
  EXPECT_EQ(follower.wait_for(5s), std::optional<int>(0));
}

// `entries --follow | head -n 1`: once head has gone, feedd ends with 0
// rather than dying of SIGPIPE or waiting for the next entry.
TEST(Entries, FollowEndsCleanlyWhenItsReaderGoes) {
  daemon_harness harness{"entries pipe"};
  harness.write_config();
  harness.add_feeds({"https://feeds.example/a.xml"});
  insert_entries(harness.db(), 1, 5);
  auto r = run({"/bin/bash", "-c",
                "'" + feedd_binary().string() + "' --config '" + harness.config_path().string() +
                    "' entries --follow --json | head -n 1 >/dev/null; echo \"status ${PIPESTATUS[0]}\""},
               20s);
  EXPECT_EQ(r.out, "status 0\n") << r.err;
}

}  // namespace
}  // namespace feedd::test
