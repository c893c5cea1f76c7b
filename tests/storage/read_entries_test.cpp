// The read contract of schema version 5: the change cursor and NOTIFY
// feedd_entries (README "Reading entries").
#include <atomic>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <libpq-fe.h>
#include <nlohmann/json.hpp>

#include "feedd/storage/read_entries.hpp"
#include "storage_fixture.hpp"

namespace feedd::test {
namespace {

using std::chrono::steady_clock;

// A raw libpq session of the test's own: writers that hold transactions
// open, and a listener that reads notification payloads.
class session {
 public:
  explicit session(const std::string& conninfo) : c_(PQconnectdb(conninfo.c_str())) {
    if (PQstatus(c_) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(c_));
  }
  session(const session&) = delete;
  session& operator=(const session&) = delete;
  ~session() { PQfinish(c_); }

  std::string exec(const std::string& sql) {
    PGresult* r = PQexec(c_, sql.c_str());
    const auto status = PQresultStatus(r);
    std::string value = status == PGRES_TUPLES_OK && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "";
    PQclear(r);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) throw std::runtime_error(PQerrorMessage(c_));
    return value;
  }

  // Every payload that arrives within `quiet` of the last one (at most `most`).
  std::vector<std::string> payloads(std::chrono::milliseconds quiet, std::chrono::milliseconds most) {
    std::vector<std::string> out;
    const auto end = steady_clock::now() + most;
    auto until = steady_clock::now() + quiet;
    while (steady_clock::now() < std::min(until, end)) {
      PQconsumeInput(c_);
      bool any = false;
      while (PGnotify* n = PQnotifies(c_)) {
        out.emplace_back(n->extra);
        PQfreemem(n);
        any = true;
      }
      if (any) until = steady_clock::now() + quiet;
      std::this_thread::sleep_for(10ms);
    }
    return out;
  }

 private:
  PGconn* c_;
};

struct seen_row {
  storage::entry_cursor cursor;
  std::string title;
};

// One writer: `rounds` transactions of 1..4 new entries, some also
// retitling an entry of its own, some rolled back, one in eight held open
// for up to 400 ms while the others commit past it.
void write_entries(const std::string& conninfo, int writer, std::int64_t feed_id, int rounds,
                   std::atomic<int>& failures) {
  try {
    session s(conninfo);
    std::mt19937 random(static_cast<unsigned>(writer) * 7919u + 1u);
    int next = 0;
    for (int round = 0; round < rounds; ++round) {
      s.exec("BEGIN");
      const int count = 1 + static_cast<int>(random() % 4);
      for (int i = 0; i < count; ++i) {
        s.exec("INSERT INTO entries (feed_id, guid, title, fingerprint) VALUES (" + std::to_string(feed_id) + ", 'w" +
               std::to_string(writer) + "-" + std::to_string(next) + "', 'v0', '')");
        ++next;
      }
      if (round > 0 && random() % 3 == 0) {
        s.exec("UPDATE entries SET title = 'v" + std::to_string(round) + "' WHERE feed_id = " + std::to_string(feed_id) +
               " AND guid = 'w" + std::to_string(writer) + "-" + std::to_string(random() % static_cast<unsigned>(next)) + "'");
      }
      if (random() % 8 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100 + random() % 300));
      else std::this_thread::sleep_for(std::chrono::milliseconds(random() % 8));
      s.exec(random() % 10 == 0 ? "ROLLBACK" : "COMMIT");
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << "writer " << writer << ": " << e.what();
    ++failures;
  }
}

// Three writers commit concurrently, interleaved, some transactions
// starting early and committing late, while a reader pages by cursor in
// small pages: the reader sees every committed row, the last version of
// each, never a version twice and never a row of a rolled-back
// transaction; cursors only grow.
TEST(StorageReadEntries, CursorPagingUnderConcurrentWritersMissesAndRepeatsNothing) {
  test_database t{"cursor property"};
  auto db = open_migrated(t);
  std::vector<std::int64_t> feeds;
  for (int i = 0; i < 3; ++i) feeds.push_back(add(db, "https://w" + std::to_string(i) + ".example/feed"));

  // One transaction that takes its id before every writer and commits after
  // most of them: a reader that passed it would miss its rows for good.
  session early(t.conninfo());
  early.exec("BEGIN");
  early.exec("INSERT INTO entries (feed_id, guid, title, fingerprint) VALUES (" + std::to_string(feeds[0]) +
             ", 'early', 'v0', '')");

  std::atomic<int> failures{0};
  std::map<std::int64_t, seen_row> seen;
  std::set<std::pair<std::uint64_t, std::int64_t>> versions;
  storage::entry_cursor cursor;
  int repeated = 0, backwards = 0, reads = 0;
  bool held_back = false;
  auto read_some = [&] {
    auto page = storage::entries_after(db, cursor, {}, 7);
    ASSERT_TRUE(page.has_value()) << page.error().message;
    for (const auto& e : page->items) {
      if (!(cursor < e.cursor)) ++backwards;
      if (!versions.insert({e.cursor.xid, e.id}).second) ++repeated;
      cursor = e.cursor;
      seen[e.id] = {e.cursor, e.title};
    }
    EXPECT_FALSE(page->next < cursor);
    cursor = page->next;
    held_back = page->held_back;
    ++reads;
  };
  std::atomic<int> finished{0};
  {
    std::vector<std::jthread> writers;
    for (int w = 0; w < 3; ++w) {
      writers.emplace_back([&, w] {
        write_entries(t.conninfo(), w, feeds[static_cast<std::size_t>(w)], 60, failures);
        ++finished;
      });
    }
    writers.emplace_back([&] {
      std::this_thread::sleep_for(1500ms);
      early.exec("COMMIT");
      ++finished;
    });
    const auto deadline = steady_clock::now() + 60s;
    while (finished < 4 && steady_clock::now() < deadline && reads < 100'000) {
      read_some();
      std::this_thread::sleep_for(2ms);
    }
  }
  ASSERT_EQ(failures, 0);
  // Writers are done: read to the end (bounded). Tests of other databases
  // share the cluster, and an open transaction of theirs holds our rows
  // back too (transaction ids are cluster-wide): wait it out.
  for (const auto end = steady_clock::now() + 60s; steady_clock::now() < end;) {
    const auto before = cursor;
    read_some();
    if (cursor == before && !held_back) break;
    if (cursor == before) std::this_thread::sleep_for(50ms);
  }
  // id -> title of every committed row, against what the reader saw last.
  std::map<std::int64_t, std::string> stored;
  const std::string all = t.scalar("SELECT string_agg(id || ' ' || title, ' ') FROM entries");
  std::istringstream words(all);
  for (std::int64_t id = 0; words >> id;) words >> stored[id];
  int missed = 0, stale = 0;
  for (const auto& [id, title] : stored) {
    auto it = seen.find(id);
    if (it == seen.end()) ++missed;
    else if (it->second.title != title) ++stale;
  }
  EXPECT_GT(stored.size(), 200u);
  EXPECT_EQ(seen.size(), stored.size()) << "rows seen that are not stored (rolled back?)";
  EXPECT_EQ(missed, 0) << "of " << stored.size() << " committed rows";
  EXPECT_EQ(stale, 0) << "rows whose last version was not seen";
  EXPECT_EQ(repeated, 0);
  EXPECT_EQ(backwards, 0);
  EXPECT_GT(reads, 20) << "the reader read while the writers wrote";
  EXPECT_EQ(std::stoi(t.scalar("SELECT count(*) FROM entries WHERE guid = 'early'")), 1);
}

// 5,000 entries over 500 feeds in one statement, then all of them updated
// in another, in one transaction: every payload stays far below
// PostgreSQL's 8,000-byte limit and the parts add up to the whole.
TEST(StorageReadEntries, NotificationsOfALargeBatchStaySmallAndAddUp) {
  test_database t{"notify batch"};
  auto db = open_migrated(t);
  t.exec("INSERT INTO feeds (url) SELECT 'https://h' || i || '.example/feed' FROM generate_series(1, 500) AS i");
  session listener(t.conninfo());
  listener.exec("LISTEN feedd_entries");
  session writer(t.conninfo());
  writer.exec("BEGIN");
  const std::string xid = writer.exec("SELECT pg_current_xact_id()::text");
  writer.exec("INSERT INTO entries (feed_id, guid, fingerprint) SELECT f.id, 'g' || i, '' FROM feeds f,"
              " generate_series(1, 10) AS i");
  writer.exec("UPDATE entries SET title = 'changed'");
  writer.exec("COMMIT");

  const auto payloads = listener.payloads(1s, 20s);
  ASSERT_GE(payloads.size(), 2u);
  std::map<std::int64_t, std::pair<int, int>> per_feed;
  int added = 0, updated = 0, parts = 0;
  for (const auto& text : payloads) {
    EXPECT_LT(text.size(), 6500u);
    const auto p = nlohmann::json::parse(text);
    EXPECT_EQ(p.at("xid"), xid);
    added += p.at("new").get<int>();
    updated += p.at("updated").get<int>();
    int sum = 0;
    for (const auto& f : p.at("feeds")) {
      per_feed[f.at(0).get<std::int64_t>()].first += f.at(1).get<int>();
      per_feed[f.at(0).get<std::int64_t>()].second += f.at(2).get<int>();
      sum += f.at(1).get<int>() + f.at(2).get<int>();
    }
    EXPECT_EQ(sum, p.at("new").get<int>() + p.at("updated").get<int>());
    EXPECT_LE(p.at("ids").at(0).get<std::int64_t>(), p.at("ids").at(1).get<std::int64_t>());
    EXPECT_LE(p.at("part").get<int>(), p.at("parts").get<int>());
    parts = std::max(parts, p.at("parts").get<int>());
  }
  EXPECT_EQ(added, 5000);
  EXPECT_EQ(updated, 5000);
  EXPECT_GT(parts, 1) << "500 feeds do not fit one payload";
  ASSERT_EQ(per_feed.size(), 500u);
  for (const auto& [feed, counts] : per_feed) EXPECT_EQ(counts, std::make_pair(10, 10)) << feed;
}

// The changes after `after`, waiting out (bounded) transactions of other
// tests in the cluster that hold them back.
storage::entry_page read_after(storage::database& db, const storage::entry_cursor& after) {
  storage::entry_page page;
  for (const auto end = steady_clock::now() + 30s; steady_clock::now() < end;) {
    auto read = storage::entries_after(db, after, {}, 100);
    if (!read) throw std::runtime_error(read.error().message);
    page = std::move(*read);
    if (!page.held_back) break;
    std::this_thread::sleep_for(50ms);
  }
  return page;
}

// The daemon's own store path (storage::finish_fetched): new entries and
// changed ones move the cursor and are announced once each; an identical
// re-store moves nothing and says nothing.
TEST(StorageReadEntries, TheStorePathMovesTheCursorAndNotifies) {
  test_database t{"store path cursor"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  session listener(t.conninfo());
  listener.exec("LISTEN feedd_entries");
  auto store = [&](const feed& parsed) {
    t.exec("UPDATE feeds SET next_check_at = now()");
    auto c = claim_feed(db, id);
    auto r = storage::finish_fetched(db, c, parsed, ok_meta(), 1h);
    ASSERT_TRUE(r.has_value()) << r.error().message;
  };
  auto parsed = make_feed(3);
  store(parsed);
  auto first = read_after(db, {});
  ASSERT_EQ(first.items.size(), 3u);
  auto said = listener.payloads(300ms, 5s);
  ASSERT_EQ(said.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(said[0]).at("feeds").dump(), "[[" + std::to_string(id) + ",3,0]]");

  parsed.entries[1].title = "A better title";
  store(parsed);
  auto second = read_after(db, first.next);
  ASSERT_EQ(second.items.size(), 1u);
  EXPECT_EQ(second.items[0].title, "A better title");
  EXPECT_EQ(second.items[0].id, first.items[1].id);
  said = listener.payloads(300ms, 5s);
  ASSERT_EQ(said.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(said[0]).at("feeds").dump(), "[[" + std::to_string(id) + ",0,1]]");

  store(parsed);
  auto third = read_after(db, second.next);
  EXPECT_TRUE(third.items.empty());
  EXPECT_TRUE(listener.payloads(300ms, 5s).empty());

  // The tail the command shows first, with a filter, and where it goes on.
  auto latest = storage::latest_entries(db, {id, std::nullopt, 3600}, 2);
  ASSERT_TRUE(latest.has_value()) << latest.error().message;
  ASSERT_EQ(latest->items.size(), 2u);
  EXPECT_EQ(latest->items[1].title, "A better title");
  EXPECT_FALSE(latest->next < second.items[0].cursor);
  EXPECT_EQ(storage::to_string(*storage::parse_cursor(storage::to_string(latest->next))), storage::to_string(latest->next));
}

}  // namespace
}  // namespace feedd::test
