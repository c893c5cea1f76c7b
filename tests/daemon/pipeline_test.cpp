// End-to-end tests of `feedd run`: the real binary against a real
// PostgreSQL and fakefeed.py on 127.0.0.1, stopped with real signals.
#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include "daemon_harness.hpp"
#include "support/fake_server.hpp"
#include "feed_fixtures.hpp"
#include "support/paths.hpp"
#include "support/private_cluster.hpp"

namespace feedd::test {
namespace {

using namespace std::chrono_literals;

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

// One line per entry of a feed, every stored field, in guid order: what the
// database holds, in the same shape as expected_lines() below.
const char* dump_sql =
    "SELECT coalesce(string_agg(concat_ws('|', e.guid, e.url, e.title, e.author, e.summary, e.content,"
    " coalesce(to_char(e.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''),"
    " array_to_string(e.categories, ','),"
    " coalesce((SELECT string_agg(concat_ws(';', n.url, n.type, n.length), ',') FROM enclosures n WHERE n.entry_id = e.id), '')),"
    " E'\\n' ORDER BY e.guid COLLATE \"C\"), '') FROM entries e JOIN feeds f ON f.id = e.feed_id WHERE f.url = '";

std::string stored_lines(test_database& db, const std::string& url) { return db.scalar(dump_sql + url + "'"); }

std::string expected_lines(const generated_feed& f) {
  std::vector<const expected_entry*> sorted;
  for (const auto& e : f.entries) sorted.push_back(&e);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->guid < b->guid; });
  std::vector<std::string> lines;
  for (const auto* e : sorted) {
    std::string enclosure = e->enclosure_url.empty()
                                ? ""
                                : e->enclosure_url + ";" + e->enclosure_type + ";" + std::to_string(e->enclosure_length);
    lines.push_back(join({e->guid, e->url, e->title, e->author, e->summary, e->content, e->published_at,
                          join(e->categories, ","), enclosure},
                         "|"));
  }
  return join(lines, "\n");
}

int count(test_database& db, const std::string& sql) { return std::stoi(db.scalar(sql)); }

// Polls until done() holds or limit has passed; the caller asserts on what
// it waited for, so that a timeout fails with the state it ended in.
template <class Done>
void poll_until(Done done, std::chrono::milliseconds limit, std::chrono::milliseconds every = 50ms) {
  for (const auto deadline = std::chrono::steady_clock::now() + limit;
       std::chrono::steady_clock::now() < deadline && !done(); std::this_thread::sleep_for(every)) {
  }
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::vector<std::string> delayed_urls(const fake_server& server, const std::vector<generated_feed>& fixtures,
                                      int delay_ms) {
  std::vector<std::string> urls;
  const auto query = "?delay_ms=" + std::to_string(delay_ms);
  for (const auto& f : fixtures) urls.push_back(server.url("/feeds/" + f.file + query));
  return urls;
}

// After a fault: every fixture was fetched once and stored whole, and no
// feed is left leased or failing.
void expect_each_stored_once(test_database& db, const fake_server& server, const std::vector<generated_feed>& fixtures,
                             const std::vector<std::string>& urls) {
  const auto h = hits(server);
  for (const auto& f : fixtures) EXPECT_EQ(h.at("/feeds/" + f.file), 1) << f.file;
  for (std::size_t i = 0; i < fixtures.size(); ++i) EXPECT_EQ(stored_lines(db, urls[i]), expected_lines(fixtures[i]));
  EXPECT_EQ(count(db, "SELECT count(*) FROM feeds WHERE lease_until IS NOT NULL OR error_count > 0"), 0);
}

// A daemon under test on a PostgreSQL server of its own, for tests that
// stop, reconfigure or fill that server while the shared one serves the
// other tests: `feeds` fixtures served `delay_ms` late, subscribed.
struct private_world {
  private_world(const std::string& label, int feeds, int delay_ms, const std::string& fetch_yaml,
                const std::string& other_yaml, int max_connections = 100)
      : cluster(max_connections),
        harness(label, cluster.conninfo()),
        fixtures(write_feed_fixtures(root.path(), feeds)),
        server(serve_directory(root.path())),
        urls(delayed_urls(*server, fixtures, delay_ms)) {
    harness.write_config(fetch_yaml, other_yaml);
    harness.add_feeds(urls);
  }
  int stored() { return count(harness.db(), "SELECT count(*) FROM feeds WHERE last_status = 200"); }
  std::filesystem::path log() const { return harness.dir() / "feedd.log"; }

  private_cluster cluster;
  daemon_harness harness;
  temp_dir root;
  std::vector<generated_feed> fixtures;
  std::unique_ptr<fake_server> server;
  std::vector<std::string> urls;
};

class Pipeline : public ::testing::Test {
 protected:
  Pipeline() : harness_(::testing::UnitTest::GetInstance()->current_test_info()->name()) {}

  void serve(int feeds) {
    fixtures_ = write_feed_fixtures(root_.path(), feeds);
    server_ = serve_directory(root_.path());
  }
  std::string feed_url(const generated_feed& f, const std::string& query = "") const {
    return server_->url("/feeds/" + f.file + query);
  }

  daemon_harness harness_;
  temp_dir root_;
  std::vector<generated_feed> fixtures_;
  std::unique_ptr<fake_server> server_;
};

TEST_F(Pipeline, RunOnceStoresEveryFixtureEntryAndTheSecondRunRewritesNothing) {
  serve(60);
  std::vector<std::string> urls;
  std::size_t total = 0;
  for (const auto& f : fixtures_) {
    urls.push_back(feed_url(f));
    total += f.entries.size();
  }
  harness_.write_config("", "queue:\n  capacity: 4\n");
  harness_.add_feeds(urls);

  auto first = harness_.feedd({"run", "--once"}, 120s);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto& db = harness_.db();
  EXPECT_EQ(count(db, "SELECT count(*) FROM entries"), static_cast<int>(total));
  EXPECT_EQ(count(db, "SELECT count(*) FROM feeds WHERE last_status = 200 AND error_count = 0 AND last_checked_at IS NOT NULL"
                      " AND next_check_at > now() AND etag IS NOT NULL"),
            60);
  for (const auto& f : fixtures_) {
    EXPECT_EQ(stored_lines(db, feed_url(f)), expected_lines(f)) << f.file;
    EXPECT_EQ(db.scalar("SELECT title FROM feeds WHERE url = '" + feed_url(f) + "'"), f.title);
  }

  // Second run: everything due again; the server answers 304 to the
  // conditional requests, so no entry may be rewritten.
  const std::string before = db.scalar("SELECT string_agg(id || ':' || xmin::text, ',' ORDER BY id) FROM entries");
  db.exec("UPDATE feeds SET next_check_at = now()");
  auto second = harness_.feedd({"run", "--once"}, 120s);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(count(db, "SELECT count(*) FROM entries"), static_cast<int>(total));
  EXPECT_EQ(count(db, "SELECT count(*) FROM feeds WHERE last_status = 304"), 60);
  EXPECT_EQ(db.scalar("SELECT string_agg(id || ':' || xmin::text, ',' ORDER BY id) FROM entries"), before);
  auto h = hits(*server_);
  for (const auto& f : fixtures_) EXPECT_EQ(h["/feeds/" + f.file], 2) << f.file;
  EXPECT_NE(second.err.find("event=stopped fetched=0 not_modified=60 failed=0"), std::string::npos) << second.err;
}

TEST_F(Pipeline, FailingFeedsAreMarkedWhileTheRunCompletesForAllOthers) {
  serve(3);
  write_file(root_.path() / "not_a_feed.html", "<!DOCTYPE html><html><body>hello</body></html>");
  harness_.write_config("  timeout: 2s\n");
  std::vector<std::string> urls;
  for (const auto& f : fixtures_) urls.push_back(feed_url(f));
  const std::string missing = server_->url("/status/404");
  const std::string hang = server_->url("/hang");
  const std::string html = server_->url("/feeds/not_a_feed.html");
  const std::string refused = "http://127.0.0.1:1/feed.xml";
  urls.insert(urls.end(), {missing, hang, html, refused});
  harness_.add_feeds(urls);

  auto r = harness_.feedd({"run", "--once"}, 60s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // `timeout: 2s` ends the hanging fetch, not the default 30 s: its own log
  // line says how long it took, which a loaded or sanitized build does not
  // stretch the way it stretches the whole run.
  int hang_ms = -1;
  std::istringstream log(r.err);
  for (std::string line; std::getline(log, line);) {
    const auto ms_at = line.find(" ms=");
    if (line.find("event=fetch ") == std::string::npos || line.find("url=" + hang + " ") == std::string::npos ||
        ms_at == std::string::npos) {
      continue;
    }
    hang_ms = std::stoi(line.substr(ms_at + 4));
  }
  ASSERT_NE(hang_ms, -1) << "no event=fetch line with ms= for " << hang << ":\n" << r.err;
  EXPECT_GE(hang_ms, 1900);
  EXPECT_LT(hang_ms, 10000);
  auto& db = harness_.db();
  for (const auto& f : fixtures_) EXPECT_EQ(stored_lines(db, feed_url(f)), expected_lines(f));
  auto row = [&](const std::string& url) {
    return db.scalar("SELECT concat_ws('|', coalesce(last_status::text, 'null'), error_count, last_checked_at IS NOT NULL,"
                     " next_check_at > now(), lease_until IS NULL) FROM feeds WHERE url = '" + url + "'");
  };
  EXPECT_EQ(row(missing), "404|1|t|t|t");
  EXPECT_EQ(row(hang), "null|1|t|t|t");
  EXPECT_EQ(row(html), "200|1|t|t|t");
  EXPECT_EQ(row(refused), "null|1|t|t|t");
  EXPECT_NE(db.scalar("SELECT last_error FROM feeds WHERE url = '" + hang + "'").find("timed out"), std::string::npos);
  EXPECT_NE(db.scalar("SELECT last_error FROM feeds WHERE url = '" + html + "'").find("not a feed"), std::string::npos);
  EXPECT_NE(db.scalar("SELECT last_error FROM feeds WHERE url = '" + refused + "'").find("connect"), std::string::npos);
  EXPECT_EQ(count(db, "SELECT count(*) FROM entries e JOIN feeds f ON f.id = e.feed_id WHERE f.error_count > 0"), 0);
}

// RELIABILITY S9, with the 30 days seeded rather than waited for.
TEST_F(Pipeline, AFeedGoneForThirtyDaysIsDisabledAndLogged) {
  serve(1);
  const std::string gone = server_->url("/status/410");
  const std::string missing = server_->url("/status/404");
  harness_.add_feeds({feed_url(fixtures_[0]), gone, missing});
  auto& db = harness_.db();
  db.exec("UPDATE feeds SET gone_since = now() - interval '31 days' WHERE url = '" + gone + "'");
  db.exec("UPDATE feeds SET gone_since = now() - interval '2 days' WHERE url = '" + missing + "'");

  auto r = harness_.feedd({"run", "--once"}, 60s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(db.scalar("SELECT string_agg(concat_ws(':', last_status, disabled), ',' ORDER BY id) FROM feeds"),
            "200:f,410:t,404:f");
  EXPECT_NE(r.err.find("event=feed_disabled feed=2 url=" + gone + " status=410"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("event=feed_disabled feed=3"), std::string::npos) << r.err;
  const auto listed = harness_.feedd({"feeds", "list"});
  EXPECT_NE(listed.out.find(gone + "\tx\tdisabled"), std::string::npos) << listed.out;
}

// RELIABILITY G9: rows that `feeds add` would refuse, written straight into
// the table, are disabled at their first claim and never fetched; the other
// feeds are stored as usual, and a second run leaves the disabled ones alone.
TEST_F(Pipeline, FeedsWhoseUrlsCanNeverBeFetchedAreDisabledOnceAndTheRestStored) {
  serve(2);
  harness_.add_feeds({feed_url(fixtures_[0]), feed_url(fixtures_[1])});
  auto& db = harness_.db();
  db.exec("INSERT INTO feeds (url) VALUES ('file:///etc/passwd'), ('exec:touch /tmp/x'), ('feeds/relative.xml'),"
          " ('http://exa mple.com/feed'), (E'http://example.com/a\\r\\nHost: evil')");
  const std::string bad = "SELECT count(*) FROM feeds WHERE url NOT LIKE 'http://127.0.0.1:%'";

  auto first = harness_.feedd({"run", "--once"}, 60s);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(count(db, "SELECT count(*) FROM feeds WHERE last_status = 200 AND NOT disabled"), 2);
  EXPECT_EQ(count(db, bad + " AND disabled AND last_status IS NULL AND error_count = 1 AND lease_until IS NULL"
                        " AND last_error LIKE 'not an absolute http or https URL%'"), 5);
  std::size_t logged = 0;
  for (auto at = first.err.find("event=feed_disabled"); at != std::string::npos;
       at = first.err.find("event=feed_disabled", at + 1)) {
    ++logged;
  }
  EXPECT_EQ(logged, 5u) << first.err;
  // The CR LF of the last URL is escaped in the log, never written raw.
  EXPECT_EQ(first.err.find("\nHost: evil"), std::string::npos) << first.err;
  for (int id = 3; id <= 7; ++id) {
    EXPECT_EQ(first.err.find("event=fetch feed=" + std::to_string(id) + " "), std::string::npos) << first.err;
  }

  db.exec("UPDATE feeds SET next_check_at = now()");
  auto second = harness_.feedd({"run", "--once"}, 60s);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.err.find("event=feed_disabled"), std::string::npos) << second.err;
  EXPECT_EQ(count(db, bad + " AND error_count = 1"), 5);
  for (const auto& f : fixtures_) EXPECT_EQ(hits(*server_)["/feeds/" + f.file], 2) << f.file;
  const auto listed = harness_.feedd({"feeds", "list"});
  EXPECT_NE(listed.out.find("file:///etc/passwd\t-\tdisabled"), std::string::npos) << listed.out;
}

// RELIABILITY S3: a feed behind a 301 moves on the second fetch that is
// redirected there, keeping its entries; one behind a 302 never moves,
// none moves onto a URL another feed has, and none with credentials moves.
TEST_F(Pipeline, APermanentRedirectSeenTwiceMovesTheFeed) {
  serve(3);
  const std::string moved = server_->url("/redirect/1?to=/feeds/" + fixtures_[0].file + "&code=301");
  const std::string temporary = server_->url("/redirect/1?to=/feeds/" + fixtures_[1].file + "&code=302");
  const std::string taken = server_->url("/redirect/1?to=/feeds/" + fixtures_[2].file + "&code=308");
  // Credentials would be lost by the move: such a feed stays where it is.
  std::string with_credentials = server_->url("/redirect/1?to=/feeds/" + fixtures_[1].file + "&code=301&c=1");
  with_credentials.insert(with_credentials.find("//") + 2, "user:secret@");
  harness_.add_feeds({moved, temporary, taken, feed_url(fixtures_[2]), with_credentials});
  auto& db = harness_.db();

  auto first = harness_.feedd({"run", "--once"}, 60s);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.err.find("event=feed_moved"), std::string::npos) << first.err;
  db.exec("UPDATE feeds SET next_check_at = now()");
  auto second = harness_.feedd({"run", "--once"}, 60s);
  ASSERT_EQ(second.exit_code, 0) << second.err;

  EXPECT_EQ(db.scalar("SELECT string_agg(url, ' ' ORDER BY id) FROM feeds"),
            feed_url(fixtures_[0]) + " " + temporary + " " + taken + " " + feed_url(fixtures_[2]) + " " +
                with_credentials);
  EXPECT_EQ(db.scalar("SELECT concat_ws('|', error_count, moved_to IS NULL) FROM feeds WHERE id = 5"), "0|t");
  EXPECT_NE(second.err.find("event=feed_moved feed=1"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("event=feed_moved feed=3"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("result=\"kept: another feed has that URL\""), std::string::npos) << second.err;
  EXPECT_EQ(second.err.find("event=feed_moved feed=2"), std::string::npos) << second.err;
  EXPECT_EQ(stored_lines(db, feed_url(fixtures_[0])), expected_lines(fixtures_[0]));
}

// RELIABILITY X1/X5: the address policy the tests switch off is on by
// default, and `run` hands it to the fetcher: a feed on loopback fails
// without a request, and nothing warns about an opt-in that was not made.
TEST_F(Pipeline, PrivateAddressesAreRefusedUnlessTheConfigAllowsThem) {
  serve(1);
  const std::string url = feed_url(fixtures_[0]);
  harness_.write_config("  block_private_addresses: true\n");
  harness_.add_feeds({url});
  const auto r = harness_.feedd({"run", "--once"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(harness_.db().scalar("SELECT error_count || ' ' || last_error FROM feeds"),
            "1 fetch: policy: address 127.0.0.1 is not allowed (fetch.block_private_addresses)");
  EXPECT_TRUE(hits(*server_).empty());
  EXPECT_EQ(r.err.find("block_private_addresses is false"), std::string::npos) << r.err;

  harness_.write_config("  block_private_addresses: false\n");
  harness_.db().exec("UPDATE feeds SET next_check_at = now()");
  const auto allowed = harness_.feedd({"run", "--once"});
  EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
  EXPECT_EQ(stored_lines(harness_.db(), url), expected_lines(fixtures_[0]));
  EXPECT_NE(allowed.err.find("block_private_addresses is false"), std::string::npos) << allowed.err;
}

// RELIABILITY M5: response fields that are not UTF-8 text (an ETag in
// obs-text, a reason phrase) are dropped: stored, PostgreSQL would refuse
// the feed's row (SQLSTATE 22021) on every fetch.
TEST_F(Pipeline, ResponseFieldsThatAreNotUtf8AreDroppedRatherThanStored) {
  serve(1);
  const std::string tagged = feed_url(fixtures_[0], "?etag_hex=22ff22");
  const std::string odd = server_->url("/status/599?reason_hex=ff");
  harness_.add_feeds({tagged, odd});
  const auto r = harness_.feedd({"run", "--once"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto& db = harness_.db();
  EXPECT_EQ(stored_lines(db, tagged), expected_lines(fixtures_[0])) << r.err;
  EXPECT_EQ(db.scalar("SELECT last_status || ' ' || error_count || ' ' || coalesce(etag, 'none') FROM feeds WHERE url = '" +
                      tagged + "'"),
            "200 0 none");
  EXPECT_EQ(db.scalar("SELECT last_status || ' ' || error_count FROM feeds WHERE url = '" + odd + "'"), "599 1") << r.err;
  EXPECT_EQ(count(db, "SELECT count(*) FROM feeds WHERE lease_until IS NOT NULL"), 0);
  EXPECT_EQ(r.err.find("event=database "), std::string::npos) << r.err;
}

// RELIABILITY D3: the store's backend is killed again and again while
// documents are being stored; every entry still ends up stored exactly once.
TEST_F(Pipeline, TheStoreReconnectsWhenItsBackendIsKilledAndLosesNothing) {
  serve(30);
  std::vector<std::string> urls;
  for (const auto& f : fixtures_) urls.push_back(feed_url(f, "?delay_ms=200"));
  // Two fetches at a time: the run lasts about 3 s, long enough for the kills.
  harness_.write_config("  max_concurrent: 2\n  max_per_host: 2\n", "queue:\n  capacity: 4\n");
  harness_.add_feeds(urls);
  auto& db = harness_.db();
  const auto log = harness_.dir() / "feedd.log";
  auto daemon = harness_.start({"run"}, log);
  const auto stored = [&] { return count(db, "SELECT count(*) FROM feeds WHERE last_status = 200"); };
  // Only this test's daemon: other tests run their own beside it.
  const std::string kill_store =
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'feedd-store' "
      "AND datname = current_database()";
  int kills = 0;
  // 60 s: a bound for a loaded CI machine (about 3 s idle).
  for (auto deadline = std::chrono::steady_clock::now() + 60s;
       std::chrono::steady_clock::now() < deadline && stored() < 30; std::this_thread::sleep_for(150ms)) {
    if (kills < 5 && stored() > 0) kills += count(db, kill_store);
  }
  ASSERT_EQ(stored(), 30) << read_file(log);
  EXPECT_GE(kills, 3) << read_file(log);
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_for(10s), 0) << read_file(log);
  for (std::size_t i = 0; i < fixtures_.size(); ++i) EXPECT_EQ(stored_lines(db, urls[i]), expected_lines(fixtures_[i]));
  EXPECT_EQ(count(db, "SELECT count(*) FROM feeds WHERE lease_until IS NOT NULL OR error_count > 0"), 0);
  EXPECT_NE(read_file(log).find("event=database_reconnected"), std::string::npos) << read_file(log);
}

// RELIABILITY P1/P5: SIGTERM while the database is down with documents
// queued. The drain cannot store them, and gives up when drain_timeout has
// passed since the signal (not once per document, which would outlast
// systemd's stop timeout); their feeds stay leased, and once the leases
// expire the next run fetches and stores them.
TEST(DatabaseOutage, ADrainIntoADownDatabaseEndsInTimeAndTheNextRunStoresTheRest) {
  private_world w{"drain_outage", 30, 300, "  max_concurrent: 4\n  max_per_host: 4\n  timeout: 2s\n",
                  "queue:\n  capacity: 8\nschedule:\n  lease: 3s\nshutdown:\n  drain_timeout: 2s\n"};
  auto daemon = w.harness.start({"run"}, w.log());
  poll_until([&] { return w.stored() >= 3; }, 30s);
  ASSERT_TRUE(w.cluster.stop());
  // The store has found the server gone and holds what it could not store.
  poll_until([&] { return read_file(w.log()).find("event=database ") != std::string::npos; }, 20s);
  ASSERT_NE(read_file(w.log()).find("event=database "), std::string::npos) << read_file(w.log());
  const auto signalled = std::chrono::steady_clock::now();
  daemon.signal(SIGTERM);
  const auto code = daemon.wait_for(20s);
  const auto took = std::chrono::steady_clock::now() - signalled;
  EXPECT_EQ(code, 1) << read_file(w.log());  // a runtime failure: fetched documents were not stored
  // drain_timeout and the fetch timeout, with room for a slow machine.
  EXPECT_LT(took, 5s) << read_file(w.log());

  ASSERT_TRUE(w.cluster.start());
  auto& db = w.harness.db();
  // Nothing unstored is marked checked.
  EXPECT_EQ(count(db, "SELECT count(*) FROM feeds WHERE last_checked_at IS NOT NULL AND last_status <> 200"), 0);
  const std::string leased = "SELECT count(*) FROM feeds WHERE lease_until >= now()";
  poll_until([&] { return count(db, leased) == 0; }, 20s, 100ms);  // the unstored feeds' leases (3 s) run out
  ASSERT_EQ(count(db, leased), 0);
  const auto again = w.harness.feedd({"run", "--once"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(w.stored(), 30) << again.err;
  for (std::size_t i = 0; i < w.fixtures.size(); ++i) EXPECT_EQ(stored_lines(db, w.urls[i]), expected_lines(w.fixtures[i]));
  EXPECT_EQ(count(db, "SELECT count(*) FROM feeds WHERE lease_until IS NOT NULL OR error_count > 0"), 0);
}

// The Unix socket of the throwaway cluster, from its conninfo's host=.
std::filesystem::path cluster_socket() {
  const std::string conninfo = pg_conninfo();
  const auto start = conninfo.find("host=") + 5;
  return std::filesystem::path{conninfo.substr(start, conninfo.find(' ', start) - start)} / ".s.PGSQL.5432";
}

// RELIABILITY D4: the connection breaks after COMMIT reached the server and
// before its answer reached feedd (pg_cut_proxy.py). The store retries the
// whole transaction, finds the feed finished, and counts nothing twice.
TEST_F(Pipeline, AnAnswerToCommitLostOnTheWayIsRetriedHarmlessly) {
  serve(12);
  std::vector<std::string> urls;
  for (const auto& f : fixtures_) urls.push_back(feed_url(f));
  harness_.add_feeds(urls);
  temp_dir proxy_dir;
  process proxy({{"/usr/bin/python3", (source_dir() / "tests/support/pg_cut_proxy.py").string(),
                  proxy_dir.path().string(), cluster_socket().string(), "--cuts", "4", "--marker",
                  "INSERT INTO entries"},
                 {},
                 {},
                 proxy_dir.path() / "cuts",
                 proxy_dir.path() / "stderr"});
  const auto socket = proxy_dir.path() / ".s.PGSQL.5432";
  for (int i = 0; i < 100 && !std::filesystem::exists(socket); ++i) std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(std::filesystem::exists(socket)) << read_file(proxy_dir.path() / "stderr");
  harness_.set_database_url("host=" + proxy_dir.path().string() + " port=5432 user=postgres dbname=" +
                            harness_.db().name());
  // One fetch at a time, so that the cuts land on different transactions;
  // the store thread may still finish several queued feeds in one (issue 12).
  harness_.write_config("  max_concurrent: 1\n  max_per_host: 1\n");

  const auto log = harness_.dir() / "feedd.log";
  auto daemon = harness_.start({"run", "--once"}, log);
  ASSERT_EQ(daemon.wait_for(60s), 0) << read_file(log);
  const auto text = read_file(log);
  const auto cuts_text = read_file(proxy_dir.path() / "cuts");
  std::size_t cuts = 0;
  for (auto at = cuts_text.find("cut "); at != std::string::npos; at = cuts_text.find("cut ", at + 1)) ++cuts;
  EXPECT_GE(cuts, 1u) << text;
  auto& db = harness_.db();
  EXPECT_EQ(count(db, "SELECT count(*) FROM feeds WHERE last_status = 200"), 12);
  EXPECT_EQ(count(db, "SELECT count(*) FROM feeds WHERE lease_until IS NOT NULL OR error_count > 0"), 0);
  for (std::size_t i = 0; i < fixtures_.size(); ++i) EXPECT_EQ(stored_lines(db, urls[i]), expected_lines(fixtures_[i]));
  const auto h = hits(*server_);
  for (const auto& f : fixtures_) EXPECT_EQ(h.at("/feeds/" + f.file), 1) << f.file;
  // Each feed of a cut transaction once, as stored by its first try (a cut
  // batch's every feed); the others with their counts, none twice: the
  // summary's new entries are all entries less those of the cut feeds.
  std::size_t earlier = 0;
  int earlier_entries = 0;
  for (auto at = text.find("stored=earlier_try"); at != std::string::npos; at = text.find("stored=earlier_try", at + 1)) {
    ++earlier;
    const auto line = text.rfind('\n', at) + 1;
    const auto entries_at = text.find(" entries=", line) + 9;
    earlier_entries += std::stoi(text.substr(entries_at));
  }
  EXPECT_GE(earlier, cuts) << text;
  EXPECT_NE(text.find("event=stopped fetched=12 "), std::string::npos) << text;
  int counted_new = 0;
  for (std::size_t i = 0; i < fixtures_.size(); ++i) counted_new += static_cast<int>(fixtures_[i].entries.size());
  const auto stopped = text.substr(text.find("event=stopped"));
  const auto new_at = stopped.find("entries_new=") + 12;
  EXPECT_EQ(std::stoi(stopped.substr(new_at)), counted_new - earlier_entries) << stopped;
}

int total_hits(const fake_server& server) {
  int total = 0;
  for (const auto& [path, n] : hits(server)) total += n;
  return total;
}

// RELIABILITY D2: the whole server stops while documents wait in the queue
// and comes back 5 s later (the scenario's 20 s would only lengthen the
// store thread's backoff, and the test). Meanwhile the fetchers stall on
// the full queue and the store thread retries; afterwards every document
// is stored, and none was fetched twice (a lost one would have to be).
TEST(DatabaseOutage, FetchersStallWhileTheServerIsDownAndEveryDocumentIsStoredOnceAfter) {
  // Four fetches at a time of 200 ms each: about 6 s of work, so that the
  // server stops early in it with most feeds still to come.
  private_world w{"database_outage", 120, 200, "  max_concurrent: 4\n  max_per_host: 4\n", "queue:\n  capacity: 8\n"};
  auto daemon = w.harness.start({"run"}, w.log());
  poll_until([&] { return w.stored() >= 5; }, 30s);
  ASSERT_TRUE(w.cluster.stop());
  // The store thread fails on the next document and retries; what the
  // fetchers hold fills the queue, and then nothing more is fetched (that a
  // full queue starts no fetch is Scheduler.AFullQueueStartsNoFetchUntilASlotFrees).
  // A second try shows the store waiting it out rather than giving up.
  poll_until([&] { return read_file(w.log()).find("try=2 ") != std::string::npos; }, 20s);
  ASSERT_NE(read_file(w.log()).find("try=2 "), std::string::npos) << read_file(w.log());
  EXPECT_LT(total_hits(*w.server), 120);
  ASSERT_TRUE(daemon.running()) << read_file(w.log());
  ASSERT_TRUE(w.cluster.start());

  poll_until([&] { return w.stored() >= 120; }, 60s, 100ms);
  ASSERT_EQ(w.stored(), 120) << read_file(w.log());
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_for(10s), 0) << read_file(w.log());
  expect_each_stored_once(w.harness.db(), *w.server, w.fixtures, w.urls);
  const auto text = read_file(w.log());
  EXPECT_NE(text.find("event=database "), std::string::npos) << text;
  EXPECT_NE(text.find("event=database_reconnected"), std::string::npos) << text;
}

// RELIABILITY D8: the database turns read-only under a running daemon
// (a failover to a standby, a disk-full guard). Every write fails with
// 25006; the store thread says so loudly and retries, the fetchers stall on
// the full queue, and once writes work again every document is stored once.
TEST(DatabaseOutage, AReadOnlyDatabaseIsRetriedLoudlyAndNothingIsLost) {
  // A server of its own: ALTER SYSTEM would turn the shared one read-only for every test.
  private_world w{"read_only", 40, 300, "  max_concurrent: 4\n  max_per_host: 4\n", "queue:\n  capacity: 4\n"};
  auto& db = w.harness.db();
  const auto set_read_only = [&](bool on) {
    // ALTER SYSTEM and the reload work in a read-only session too.
    db.exec(on ? "ALTER SYSTEM SET default_transaction_read_only = on" : "ALTER SYSTEM RESET default_transaction_read_only");
    db.exec("SELECT pg_reload_conf()");
  };
  auto daemon = w.harness.start({"run"}, w.log());
  poll_until([&] { return w.stored() >= 3; }, 30s);
  set_read_only(true);
  // Loudly: an error line on every try, and the store keeps trying.
  poll_until([&] { return occurrences(read_file(w.log()), "sqlstate=25006") >= 2; }, 20s);
  EXPECT_GE(occurrences(read_file(w.log()), "sqlstate=25006"), 2u) << read_file(w.log());
  EXPECT_LT(w.stored(), 40);
  ASSERT_TRUE(daemon.running()) << read_file(w.log());
  set_read_only(false);

  poll_until([&] { return w.stored() >= 40; }, 60s, 100ms);
  ASSERT_EQ(w.stored(), 40) << read_file(w.log());
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_for(10s), 0) << read_file(w.log());
  expect_each_stored_once(db, *w.server, w.fixtures, w.urls);
}

// RELIABILITY D10: every connection slot of the server is taken when the
// daemon starts (53300). It waits with backoff, a handful of tries rather
// than a tight loop, and goes to work once slots are free.
TEST(DatabaseOutage, AServerWithNoFreeConnectionIsWaitedForWithBackoff) {
  // 15 connections: above max_wal_senders (10) + reserved slots (3), PostgreSQL's floor.
  private_world w{"no_slots", 5, 0, "", "", 15};

  std::vector<PGconn*> held;
  std::string refusal;
  for (int i = 0; i < 50; ++i) {
    PGconn* c = PQconnectdb((w.cluster.conninfo() + " dbname=postgres").c_str());
    if (PQstatus(c) != CONNECTION_OK) {
      refusal = PQerrorMessage(c);
      PQfinish(c);
      break;
    }
    held.push_back(c);
  }
  const auto release = [&] {
    for (PGconn* c : held) PQfinish(c);
    held.clear();
  };
  if (refusal.find("too many clients") == std::string::npos) {
    release();
    FAIL() << "the slots did not fill: " << refusal;
  }

  const auto started = std::chrono::steady_clock::now();
  auto daemon = w.harness.start({"run"}, w.log());
  poll_until([&] { return read_file(w.log()).find("event=database step=connect try=3 ") != std::string::npos; }, 20s);
  const auto third_try = std::chrono::steady_clock::now() - started;
  const std::string waiting = read_file(w.log());
  ASSERT_NE(waiting.find("event=database step=connect try=3 "), std::string::npos) << waiting;
  // 0.5 s doubling: tries at 0, 0.5 and 1.5 s, not a tight loop.
  EXPECT_GE(third_try, 1500ms) << waiting;
  EXPECT_NE(waiting.find("too many clients"), std::string::npos) << waiting;
  const bool running = daemon.running();
  release();
  ASSERT_TRUE(running) << waiting;

  poll_until([&] { return w.stored() == 5; }, 40s, 100ms);
  EXPECT_EQ(w.stored(), 5) << read_file(w.log());
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_for(10s), 0) << read_file(w.log());
}

// RELIABILITY N10/C7: an instance claims no more of a host than twice what
// it fetches there at once plus the queue's capacity (here 2 × 2 + 4: 8 of
// the 30 slow feeds, and the claim's limit, max_concurrent + capacity = 12,
// leaves 4 for the fast host), and the rest of the
// host's due feeds stay unclaimed in the database, so that feeds on other
// hosts are claimed at once rather than after a slow host's backlog, and
// no claim outlives its lease while waiting.
TEST_F(Pipeline, ASlowHostHoldsOnlyTheClaimsItsLeaseAllowsWhileOtherHostsGoOn) {
  serve(30);
  const auto fast = serve_directory(root_.path());  // the same files on another port: another host
  std::vector<std::string> slow_urls;
  std::vector<std::string> fast_urls;
  for (const auto& f : fixtures_) slow_urls.push_back(feed_url(f, "?delay_ms=1000"));
  for (std::size_t i = 0; i < 5; ++i) fast_urls.push_back(fast->url("/feeds/" + fixtures_[i].file));
  harness_.write_config("  max_concurrent: 8\n  max_per_host: 2\n  timeout: 2s\n",
                        "queue:\n  capacity: 4\nschedule:\n  lease: 5s\nlog:\n  level: debug\n");
  harness_.add_feeds(slow_urls);  // first: due first
  harness_.add_feeds(fast_urls);
  auto& db = harness_.db();
  std::string in_list;
  for (const auto& u : fast_urls) in_list += (in_list.empty() ? "'" : ",'") + u + "'";
  const auto fast_stored = [&] {
    return count(db, "SELECT count(*) FROM feeds WHERE last_status = 200 AND url IN (" + in_list + ")");
  };
  const auto log = harness_.dir() / "feedd.log";
  const auto started = std::chrono::steady_clock::now();
  auto daemon = harness_.start({"run"}, log);
  while (std::chrono::steady_clock::now() - started < 20s && fast_stored() < 5) std::this_thread::sleep_for(50ms);
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(fast_stored(), 5) << read_file(log);
  EXPECT_GE(count(db, "SELECT count(*) FROM feeds WHERE url LIKE '%delay_ms=1000' AND last_status IS NULL"
                      " AND lease_until IS NULL"),
            14)
      << "the slow host's feeds over its cap stay unclaimed (8 claimed, at most ~8 more as they finish)";
  // Four at once, the fifth (over the cap) 2 s later; behind 30 slow feeds
  // fetched two a second, they would wait 15 s.
  EXPECT_LT(took, 5s) << read_file(log);
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_for(10s), 0) << read_file(log);
  for (const auto& [path, n] : hits(*server_)) EXPECT_EQ(n, 1) << path;
  for (std::size_t i = 0; i < fast_urls.size(); ++i) EXPECT_EQ(stored_lines(db, fast_urls[i]), expected_lines(fixtures_[i]));
  const auto text = read_file(log);
  EXPECT_EQ(text.find("lease_lost"), std::string::npos) << text;
  EXPECT_NE(text.find("event=claim feeds=12 outstanding=12"), std::string::npos) << "8 slow, 4 fast" << text;

}

// --once fetches a busy host's feeds too, each once, claiming them as the
// host frees up (a short claim with claims outstanding is not the end).
TEST_F(Pipeline, RunOnceFetchesEveryFeedOfABusyHostExactlyOnce) {
  serve(12);
  std::vector<std::string> urls;
  for (const auto& f : fixtures_) urls.push_back(feed_url(f, "?delay_ms=200"));
  harness_.write_config("  max_concurrent: 8\n  max_per_host: 2\n  timeout: 2s\n",
                        "queue:\n  capacity: 4\nschedule:\n  lease: 5s\n");
  harness_.add_feeds(urls);
  const auto r = harness_.feedd({"run", "--once"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto& db = harness_.db();
  EXPECT_EQ(count(db, "SELECT count(*) FROM feeds WHERE last_status = 200"), 12) << r.err;
  for (const auto& f : fixtures_) EXPECT_EQ(hits(*server_)["/feeds/" + f.file], 1) << f.file;
  EXPECT_EQ(count(db, "SELECT count(*) FROM feeds WHERE lease_until IS NOT NULL"), 0);
}

// RELIABILITY C7: claims that wait for their host longer than the lease
// keep it. One fetch at a time, 1.2 s each, 2 s lease: the second claim of
// the host is still waiting or in flight when its first lease would end,
// so without renewal its feed would lie claimable under it.
TEST_F(Pipeline, ClaimsWaitingLongerThanTheLeaseKeepItAndEachFeedIsFetchedOnce) {
  serve(5);
  std::vector<std::string> urls;
  for (const auto& f : fixtures_) urls.push_back(feed_url(f, "?delay_ms=1200"));
  harness_.write_config("  max_per_host: 1\n  timeout: 1500ms\n  connect_timeout: 1s\n", "schedule:\n  lease: 2s\n");
  harness_.add_feeds(urls);
  auto& db = harness_.db();
  const auto log = harness_.dir() / "feedd.log";
  auto daemon = harness_.start({"run", "--once"}, log);
  int expired = 0;
  for (const auto until = std::chrono::steady_clock::now() + 30s;
       daemon.running() && std::chrono::steady_clock::now() < until; std::this_thread::sleep_for(100ms)) {
    expired = std::max(expired, count(db, "SELECT count(*) FROM feeds WHERE lease_until < now()"));
  }
  ASSERT_EQ(daemon.wait_for(10s), 0) << read_file(log);
  EXPECT_EQ(expired, 0) << "a held claim's lease ran out";
  for (const auto& f : fixtures_) EXPECT_EQ(hits(*server_)["/feeds/" + f.file], 1) << f.file;
  EXPECT_EQ(count(db, "SELECT count(*) FROM feeds WHERE last_status = 200 AND lease_until IS NULL"), 5);
  EXPECT_EQ(read_file(log).find("lease_lost"), std::string::npos) << read_file(log);
}

// A 429 with Retry-After pauses its host: the claim waiting behind it is
// given back unfetched and the host's other feeds are not claimed, while
// another host's feeds are fetched.
TEST_F(Pipeline, RetryAfterPausesTheHostWhileOtherHostsGoOn) {
  serve(4);
  const auto other = serve_directory(root_.path());  // the same files on another port: another host
  std::vector<std::string> paused_urls;
  for (const auto& f : fixtures_) paused_urls.push_back(feed_url(f, "?delay_ms=200"));
  std::vector<std::string> other_urls;
  for (const auto& f : fixtures_) other_urls.push_back(other->url("/feeds/" + f.file));
  harness_.write_config("  max_per_host: 1\n", "log:\n  level: debug\n");
  harness_.add_feeds({server_->url("/status/429?retry_after=60")});  // first: claimed and fetched first
  harness_.add_feeds(paused_urls);
  harness_.add_feeds(other_urls);
  auto& db = harness_.db();
  const auto log = harness_.dir() / "feedd.log";
  auto daemon = harness_.start({"run"}, log);
  poll_until([&] { return count(db, "SELECT count(*) FROM feeds WHERE last_status = 200") == 4; }, 10s);
  std::this_thread::sleep_for(2s);  // time the paused host's feeds would have needed
  EXPECT_EQ(count(db, "SELECT count(*) FROM feeds WHERE last_status = 200"), 4) << read_file(log);
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_for(10s), 0) << read_file(log);
  const auto h = hits(*server_);
  EXPECT_EQ(h.at("/status/429"), 1);
  for (const auto& f : fixtures_) EXPECT_EQ(h.count("/feeds/" + f.file), 0u) << f.file << " fetched from the paused host";
  for (const auto& f : fixtures_) EXPECT_EQ(hits(*other)["/feeds/" + f.file], 1) << f.file;
  EXPECT_EQ(count(db, "SELECT count(*) FROM feed_hosts WHERE paused_until > now() + interval '200 seconds'"), 1);
  EXPECT_EQ(count(db, "SELECT count(*) FROM feeds WHERE lease_until IS NOT NULL"), 0);
  EXPECT_NE(read_file(log).find("event=claims_held"), std::string::npos) << read_file(log);
}

// LISTEN/NOTIFY: an idle daemon fetches a feed added meanwhile at once,
// well before its idle poll (5 s) would have found it.
TEST_F(Pipeline, AFeedAddedWhileTheDaemonIsIdleIsFetchedAtOnce) {
  serve(1);
  harness_.write_config("", "schedule:\n  interval: 1h\nlog:\n  level: debug\n");
  const auto log = harness_.dir() / "feedd.log";
  auto daemon = harness_.start({"run"}, log);
  // Its first claim found nothing: the next poll is 5 s away.
  poll_until([&] { return read_file(log).find("event=claim ") != std::string::npos; }, 10s);
  ASSERT_NE(read_file(log).find("event=claim "), std::string::npos) << read_file(log);
  auto& db = harness_.db();
  const auto added = std::chrono::steady_clock::now();
  harness_.add_feeds({feed_url(fixtures_[0])});
  poll_until([&] { return count(db, "SELECT count(*) FROM feeds WHERE last_status = 200") == 1; }, 10s, 20ms);
  const auto took = std::chrono::steady_clock::now() - added;
  ASSERT_EQ(count(db, "SELECT count(*) FROM feeds WHERE last_status = 200"), 1) << read_file(log);
  EXPECT_LT(took, 2s) << read_file(log);
  EXPECT_EQ(stored_lines(db, feed_url(fixtures_[0])), expected_lines(fixtures_[0]));
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_for(10s), 0) << read_file(log);
  EXPECT_EQ(hits(*server_)["/feeds/" + fixtures_[0].file], 1);
}

TEST_F(Pipeline, TwoInstancesStartedTogetherNeverFetchTheSameFeedTwice) {
  serve(60);
  std::vector<std::string> urls;
  for (const auto& f : fixtures_) urls.push_back(feed_url(f, "?delay_ms=100"));
  // Few claims held at a time and slow answers, so that neither instance can
  // take every feed before the other has started.
  harness_.write_config("  max_concurrent: 4\n  max_per_host: 4\n", "queue:\n  capacity: 2\nschedule:\n  claim_batch: 3\n");
  harness_.add_feeds(urls);

  auto a = harness_.start({"run", "--once"}, harness_.dir() / "a.log");
  auto b = harness_.start({"run", "--once"}, harness_.dir() / "b.log");
  EXPECT_EQ(a.wait_for(120s), 0) << read_file(harness_.dir() / "a.log");
  EXPECT_EQ(b.wait_for(120s), 0) << read_file(harness_.dir() / "b.log");
  auto h = hits(*server_);
  for (const auto& f : fixtures_) EXPECT_EQ(h["/feeds/" + f.file], 1) << f.file;
  // Both did some of the work: the claims interleaved rather than one
  // instance taking everything.
  std::string la = read_file(harness_.dir() / "a.log"), lb = read_file(harness_.dir() / "b.log");
  EXPECT_NE(la.find("event=fetch "), std::string::npos);
  EXPECT_NE(lb.find("event=fetch "), std::string::npos);
  EXPECT_EQ(count(harness_.db(), "SELECT count(*) FROM feeds WHERE last_status = 200"), 60);
}

// libfaketime's multithreaded preload in the distribution's library
// directory (/usr/lib/<multiarch triplet>/faketime on Debian); empty when it
// is not installed.
std::filesystem::path libfaketime() {
  std::error_code ec;
  for (const std::filesystem::path lib : {"/usr/lib", "/usr/lib64", "/usr/local/lib"}) {
    if (const auto direct = lib / "faketime/libfaketimeMT.so.1"; std::filesystem::exists(direct, ec)) return direct;
    for (const auto& entry : std::filesystem::directory_iterator(lib, ec)) {
      if (const auto nested = entry.path() / "faketime/libfaketimeMT.so.1"; std::filesystem::exists(nested, ec)) {
        return nested;
      }
    }
  }
  return {};
}

// Seconds from this machine's clock to the first time= of a text log.
std::optional<long> log_clock_offset(const std::string& log) {
  const auto at = log.find("time=");
  if (at == std::string::npos) return std::nullopt;
  std::tm parsed{};
  if (::strptime(log.substr(at + 5, 19).c_str(), "%Y-%m-%dT%H:%M:%S", &parsed) == nullptr) return std::nullopt;
  return static_cast<long>(::timegm(&parsed) - std::time(nullptr));
}

// RELIABILITY C4, P11: an instance whose wall clock is two hours ahead (the
// daemon under libfaketime, its monotonic clock left alone as a clock step
// leaves it) takes no live lease of another instance and fetches no feed
// early: leases and due times are the database's now(), timeouts the
// steady clock.
TEST_F(Pipeline, AnInstanceWithItsClockTwoHoursAheadStealsNoLeaseAndFetchesNothingEarly) {
  const std::filesystem::path preload = libfaketime();
  if (preload.empty()) GTEST_SKIP() << "libfaketime is not installed (scripts/install-deps)";
  serve(4);
  harness_.write_config("  max_concurrent: 4\n  max_per_host: 4\n", "");
  harness_.add_feeds(delayed_urls(*server_, fixtures_, 2000));
  auto& db = harness_.db();
  std::string asan = "verify_asan_link_order=0";  // libfaketime comes before the sanitizer runtime
  if (const char* given = std::getenv("ASAN_OPTIONS")) asan = std::string(given) + ":" + asan;
  const std::map<std::string, std::string> ahead = {
      {"LD_PRELOAD", preload.string()}, {"FAKETIME", "+2h"}, {"FAKETIME_DONT_FAKE_MONOTONIC", "1"},
      {"ASAN_OPTIONS", asan}};

  const auto a_log = harness_.dir() / "a.log";
  auto a = harness_.start({"run"}, a_log);
  poll_until([&] { return count(db, "SELECT count(*) FROM feeds WHERE lease_until IS NOT NULL") == 4; }, 20s, 20ms);
  ASSERT_EQ(count(db, "SELECT count(*) FROM feeds WHERE lease_until IS NOT NULL"), 4) << read_file(a_log);
  // A holds every feed for the 2 s its fetches take: by B's clock every
  // lease (5 minutes) ran out long ago.
  const auto b_log = harness_.dir() / "b.log";
  auto b = harness_.start({"run", "--once"}, b_log, ahead);
  ASSERT_EQ(b.wait_for(30s), 0) << read_file(b_log);
  const auto offset = log_clock_offset(read_file(b_log));
  ASSERT_TRUE(offset.has_value()) << read_file(b_log);
  EXPECT_NEAR(static_cast<double>(*offset), 7200.0, 120.0) << "libfaketime did not move B's clock";
  EXPECT_NE(read_file(b_log).find("event=stopped fetched=0"), std::string::npos) << read_file(b_log);

  poll_until([&] { return count(db, "SELECT count(*) FROM feeds WHERE last_status = 200") == 4; }, 30s);
  EXPECT_EQ(count(db, "SELECT count(*) FROM feeds WHERE last_status = 200"), 4) << read_file(a_log);
  // Due again in 30 minutes by the database, two hours ago by B's clock.
  auto again = harness_.start({"run", "--once"}, harness_.dir() / "b2.log", ahead);
  ASSERT_EQ(again.wait_for(30s), 0) << read_file(harness_.dir() / "b2.log");
  EXPECT_NE(read_file(harness_.dir() / "b2.log").find("event=stopped fetched=0"), std::string::npos);
  for (const auto& f : fixtures_) EXPECT_EQ(hits(*server_)["/feeds/" + f.file], 1) << f.file;
  a.signal(SIGTERM);
  EXPECT_EQ(a.wait_for(20s), 0) << read_file(a_log);
}

}  // namespace
}  // namespace feedd::test
