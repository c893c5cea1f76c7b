#include <chrono>
#include <thread>

#include "feedd/storage/hosts.hpp"
#include "storage_fixture.hpp"

namespace feedd::test {
namespace {

using kind = storage::db_error::kind;
using std::chrono::steady_clock;

storage::database open_listener(const test_database& t) {
  auto db = storage::database::open({t.conninfo(), "", "feedd-listen"});
  if (!db) throw std::runtime_error(db.error().message);
  if (auto r = db->listen(storage::feeds_changed_channel); !r) throw std::runtime_error(r.error().message);
  return std::move(db).value();
}

// Waits at most `timeout`; "arrived", "none" or the error.
std::string wait(storage::database& listener, std::chrono::milliseconds timeout) {
  auto r = listener.wait_for_notification(timeout);
  if (!r) return r.error().message;
  return *r ? "arrived" : "none";
}

TEST(StorageNotifications, AFeedAddedByAnotherConnectionIsAnnouncedWithinASecond) {
  test_database t{"notify insert"};
  auto db = open_migrated(t);
  auto listener = open_listener(t);
  EXPECT_EQ(wait(listener, 50ms), "none");

  const auto start = steady_clock::now();
  t.exec("INSERT INTO feeds (url) VALUES ('https://example.com/feed')");
  EXPECT_EQ(wait(listener, 1s), "arrived");
  EXPECT_LT(steady_clock::now() - start, 1s);
  EXPECT_EQ(wait(listener, 100ms), "none") << "consumed";

  // An import is one statement: however many feeds, the listener looks once.
  t.exec("INSERT INTO feeds (url) SELECT 'https://h' || i || '.example/' FROM generate_series(1, 500) AS i");
  EXPECT_EQ(wait(listener, 1s), "arrived");
  EXPECT_EQ(wait(listener, 100ms), "none");
  // A feed added disabled is nothing to look at.
  t.exec("INSERT INTO feeds (url, disabled) VALUES ('https://off.example/', true)");
  EXPECT_EQ(wait(listener, 200ms), "none");
  // storage::add_feed (feeds add) goes the same way.
  ASSERT_TRUE(storage::add_feed(db, "https://added.example/", std::nullopt).has_value());
  EXPECT_EQ(wait(listener, 1s), "arrived");
}

TEST(StorageNotifications, EnablingAFeedOrMovingItsCheckEarlierIsAnnounced) {
  test_database t{"notify update"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  auto listener = open_listener(t);
  t.exec("UPDATE feeds SET disabled = true, next_check_at = now() + interval '1 day'");
  EXPECT_EQ(wait(listener, 200ms), "none") << "disabling";

  ASSERT_TRUE(storage::enable_feed(db, std::to_string(id)).has_value());
  EXPECT_EQ(wait(listener, 1s), "arrived") << "feeds enable";

  t.exec("UPDATE feeds SET next_check_at = now() + interval '2 days'");
  EXPECT_EQ(wait(listener, 200ms), "none") << "later";
  t.exec("UPDATE feeds SET next_check_at = now() + interval '1 hour'");
  EXPECT_EQ(wait(listener, 1s), "arrived") << "earlier";

  t.exec("UPDATE feeds SET title = 'renamed', \"interval\" = interval '5 minutes'");
  EXPECT_EQ(wait(listener, 200ms), "none") << "no due time changed";
}

// The daemon finishes ~1,000 feeds a second: none of its own statements may
// wake every instance.
TEST(StorageNotifications, TheDaemonsOwnStatementsAreNotAnnounced) {
  test_database t{"notify quiet"};
  auto db = open_migrated(t);
  for (int i = 0; i < 6; ++i) add(db, "https://h" + std::to_string(i % 2) + ".example/" + std::to_string(i));
  t.exec("INSERT INTO feeds (url) VALUES ('file:///etc/passwd')");
  auto listener = open_listener(t);

  auto claims = storage::claim_due(db, {10, 10, 300s, "daemon"});
  ASSERT_TRUE(claims.has_value()) << claims.error().message;
  ASSERT_EQ(claims->size(), 7u);
  ASSERT_TRUE(storage::extend_leases(db, *claims, 600s).has_value());
  for (const auto& c : *claims) {
    expected<storage::store_stats, storage::db_error> done = storage::store_stats{};
    if (c.url == "https://h0.example/0") {
      done = storage::finish_not_modified(db, c, {304, "", "", "", ""}, 0s);
    } else if (c.url == "https://h0.example/2") {
      done = storage::finish_fetched(db, c, make_feed(2), ok_meta(), 1h);
    } else if (c.url == "https://h0.example/4") {
      done = storage::finish_failed(db, c, 503, "busy", 0s, false);
    } else if (c.url == "https://h1.example/5") {
      done = storage::finish_failed(db, c, 404, "not found", 1h, true);
    } else if (c.url == "file:///etc/passwd") {
      done = storage::disable_unfetchable(db, c, "not an http URL");
    } else if (c.url == "https://h1.example/1") {
      ASSERT_TRUE(storage::release(db, c).has_value());
    } else {
      ASSERT_TRUE(storage::release(db, std::vector<storage::claim>{c}).has_value());
    }
    ASSERT_TRUE(done.has_value()) << done.error().message;
  }
  ASSERT_TRUE(storage::pause_host(db, "h0.example:443", 1min).has_value());
  ASSERT_TRUE(storage::claim_due(db, {10, 10, 300s, "daemon"}).has_value());
  EXPECT_EQ(wait(listener, 300ms), "none");
}

TEST(StorageNotifications, ANotificationThatArrivesDuringAStatementIsKept) {
  test_database t{"notify during statement"};
  auto db = open_migrated(t);
  auto listener = open_listener(t);
  t.exec("INSERT INTO feeds (url) VALUES ('https://example.com/feed')");
  // The listener's next statement reads the notification off the socket.
  std::this_thread::sleep_for(100ms);
  ASSERT_TRUE(storage::next_due_in(listener).has_value());
  EXPECT_EQ(wait(listener, 0ms), "arrived");
}

// A lost notification costs one idle poll at most: after a reconnect the
// session listens again, and the first wait says "look" because whatever
// was sent meanwhile is gone.
TEST(StorageNotifications, ListeningSurvivesAReconnect) {
  test_database t{"notify reconnect"};
  auto db = open_migrated(t);
  auto listener = open_listener(t);
  // Only this test's database: tests run in parallel on one cluster, and
  // the other notification tests hold listeners of the same name.
  t.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
         " WHERE application_name = 'feedd-listen' AND datname = current_database()");
  auto lost = listener.wait_for_notification(2s);
  ASSERT_FALSE(lost.has_value());
  EXPECT_EQ(lost.error().what, kind::connection) << lost.error().message;
  EXPECT_TRUE(lost.error().message.starts_with("storage: wait for notification: ")) << lost.error().message;

  ASSERT_TRUE(listener.reconnect().has_value());
  EXPECT_EQ(wait(listener, 0ms), "arrived") << "may have missed one";
  EXPECT_EQ(wait(listener, 100ms), "none");
  t.exec("INSERT INTO feeds (url) VALUES ('https://example.com/feed')");
  EXPECT_EQ(wait(listener, 1s), "arrived");
  EXPECT_EQ(t.scalar("SELECT count(*) FROM pg_stat_activity"
                     " WHERE application_name = 'feedd-listen' AND datname = current_database()"),
            "1");
}

}  // namespace
}  // namespace feedd::test
