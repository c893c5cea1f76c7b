#include <csignal>
#include <memory>

#include <libpq-fe.h>

#include "pq.hpp"
#include "session.hpp"
#include "storage_fixture.hpp"

namespace feedd::test {
namespace {

using kind = storage::db_error::kind;

// One setting of our session, read through the private connection.
std::string show(storage::database& db, const char* sql) {
  auto r = db.internals().exec("test", sql);
  if (!r) return "error: " + r.error().message;
  return std::string(storage::pq::text(r->get(), 0, 0));
}

// The value libpq used for one connection keyword.
std::string used_option(storage::database& db, std::string_view keyword) {
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options{PQconninfo(db.internals().conn.get()),
                                                                       &PQconninfoFree};
  for (const PQconninfoOption* o = options.get(); o != nullptr && o->keyword != nullptr; ++o) {
    if (keyword == o->keyword && o->val != nullptr) return o->val;
  }
  return {};
}

TEST(StorageDatabase, SetsSessionTimeoutsAndUtc) {
  test_database t{"session"};
  auto db = open_database(t);
  EXPECT_EQ(show(db, "SHOW statement_timeout"), "30s");
  EXPECT_EQ(show(db, "SHOW lock_timeout"), "10s");
  EXPECT_EQ(show(db, "SHOW idle_in_transaction_session_timeout"), "1min");
  EXPECT_EQ(show(db, "SHOW TimeZone"), "UTC");
  EXPECT_EQ(show(db, "SHOW application_name"), "feedd-test");
  EXPECT_EQ(used_option(db, "connect_timeout"), "10");
  EXPECT_EQ(used_option(db, "keepalives"), "1");
  EXPECT_EQ(used_option(db, "tcp_user_timeout"), "30000");
}

TEST(StorageDatabase, CommitsSynchronouslyUnlessTheStoreAsksOtherwise) {
  test_database t{"async_commit"};
  auto db = open_database(t);
  EXPECT_EQ(show(db, "SHOW synchronous_commit"), "on");
  storage::connect_options options{t.conninfo(), "", "feedd-store"};
  options.asynchronous_commit = true;
  auto store = storage::database::open(options);
  ASSERT_TRUE(store.has_value()) << store.error().message;
  EXPECT_EQ(show(*store, "SHOW synchronous_commit"), "off");
  ASSERT_TRUE(store->reconnect().has_value());
  EXPECT_EQ(show(*store, "SHOW synchronous_commit"), "off") << "kept across reconnects";
}

TEST(StorageDatabase, ConninfoSettingsWinOverOurDefaults) {
  test_database t{"conninfo wins"};
  auto db = storage::database::open(
      {t.conninfo() + " connect_timeout=3 tcp_user_timeout=5000 application_name=custom", "", "feedd-test"});
  ASSERT_TRUE(db.has_value()) << db.error().message;
  EXPECT_EQ(used_option(*db, "connect_timeout"), "3");
  EXPECT_EQ(used_option(*db, "tcp_user_timeout"), "5000");
  EXPECT_EQ(show(*db, "SHOW application_name"), "custom");
}

TEST(StorageDatabase, AcceptsAUriConninfo) {
  test_database t{"uri"};
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> parsed{PQconninfoParse(t.conninfo().c_str(), &error),
                                                                      &PQconninfoFree};
  ASSERT_NE(parsed, nullptr);
  std::string host;
  for (const PQconninfoOption* o = parsed.get(); o->keyword != nullptr; ++o) {
    if (std::string_view(o->keyword) == "host" && o->val != nullptr) host = o->val;
  }
  auto db = storage::database::open({"postgresql://postgres@/" + t.name() + "?host=" + host, "", "feedd-test"});
  ASSERT_TRUE(db.has_value()) << db.error().message;
  EXPECT_EQ(show(*db, "SELECT current_database()"), t.name());
}

TEST(StorageDatabase, UnreachableServerIsAConnectionErrorWithoutThePassword) {
  auto db = storage::database::open(
      {"host=/nonexistent/feedd port=5999 dbname=x user=u password=hunter2-secret", "", "feedd-test"});
  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().what, kind::connection);
  EXPECT_TRUE(db.error().message.starts_with("storage: connect: ")) << db.error().message;
  EXPECT_EQ(db.error().message.find("hunter2"), std::string::npos) << db.error().message;
  EXPECT_EQ(db.error().message.find('\n'), std::string::npos);
}

TEST(StorageDatabase, MalformedConninfoNeverEchoesThePassword) {
  for (const std::string conninfo : {"host=/nonexistent hunter2-secret", "postgresql://u:hunter2-secret@/db?bogus=1",
                                     "postgresql://u:hunter2%zzsecret@/db", "password='hunter2-secret"}) {
    auto db = storage::database::open({conninfo, "", "feedd-test"});
    ASSERT_FALSE(db.has_value()) << conninfo;
    EXPECT_EQ(db.error().message.find("hunter2"), std::string::npos) << db.error().message;
    EXPECT_TRUE(db.error().message.starts_with("storage: connect: ")) << db.error().message;
  }
}

TEST(StorageDatabase, PasswordOptionNeverAppearsInMessages) {
  auto db = storage::database::open({"host=/nonexistent/feedd port=5999", "hunter2-secret", "feedd-test"});
  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().message.find("hunter2"), std::string::npos) << db.error().message;
}

TEST(StorageDatabase, MissingSchemaIsASchemaError) {
  test_database t{"no schema"};
  auto db = open_database(t);
  auto n = storage::list_feeds(db);
  ASSERT_FALSE(n.has_value());
  EXPECT_EQ(n.error().what, kind::schema);
  EXPECT_EQ(n.error().sqlstate, "42P01");
  EXPECT_TRUE(n.error().message.starts_with("storage: list feeds: ")) << n.error().message;
}

TEST(StorageDatabase, InvalidTextIsAContentErrorAndTheConnectionStaysUsable) {
  test_database t{"content error"};
  auto db = open_migrated(t);
  auto row = storage::add_feed(db, "https://example.com/\xff", std::nullopt);
  ASSERT_FALSE(row.has_value());
  EXPECT_EQ(row.error().what, kind::content);
  EXPECT_EQ(row.error().sqlstate, "22021");
  EXPECT_TRUE(db.healthy());
  EXPECT_TRUE(storage::list_feeds(db).has_value());
}

TEST(StorageDatabase, StatementTimeoutIsTransient) {
  test_database t{"statement timeout"};
  storage::connect_options options{t.conninfo(), "", "feedd-test"};
  options.statement_timeout = 200ms;
  auto db = storage::database::open(options);
  ASSERT_TRUE(db.has_value()) << db.error().message;
  auto r = db->internals().exec("sleep", "SELECT pg_sleep(5)");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().what, kind::transient);
  EXPECT_EQ(r.error().sqlstate, "57014");
  EXPECT_TRUE(db->healthy());
}

TEST(StorageDatabase, TerminatedBackendIsAConnectionErrorAndReconnectRecovers) {
  test_database t{"terminated"};
  auto db = open_migrated(t);
  t.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'feedd-test' "
         "AND datname = current_database()");
  auto n = storage::list_feeds(db);
  ASSERT_FALSE(n.has_value());
  EXPECT_EQ(n.error().what, kind::connection) << n.error().message;
  EXPECT_FALSE(db.healthy());
  ASSERT_TRUE(db.reconnect().has_value());
  EXPECT_TRUE(db.healthy());
  auto again = storage::list_feeds(db);
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_TRUE(again->empty());
}

// RELIABILITY D5: a stopped backend never answers and never times out by
// itself; only the client-side deadline notices.
TEST(StorageDatabase, HungBackendIsAbandonedAtTheAnswerDeadline) {
  test_database t{"hung backend"};
  storage::connect_options options{t.conninfo(), "", "feedd-test"};
  options.answer_deadline = 1s;
  auto db = storage::database::open(options);
  ASSERT_TRUE(db.has_value()) << db.error().message;
  const int pid = std::stoi(show(*db, "SELECT pg_backend_pid()"));
  if (::kill(pid, SIGSTOP) != 0) GTEST_SKIP() << "cannot signal the backend (not root?)";
  struct resume {
    int pid;
    ~resume() { ::kill(pid, SIGCONT); }
  } guard{pid};

  const auto start = std::chrono::steady_clock::now();
  auto r = db->internals().exec("probe", "SELECT 1");
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().what, kind::connection);
  EXPECT_NE(r.error().message.find("no answer"), std::string::npos) << r.error().message;
  EXPECT_GE(waited, 900ms);
  EXPECT_LT(waited, 5s);
  EXPECT_FALSE(db->healthy());
}

TEST(StorageDatabase, ClassifiesSqlstates) {
  struct row {
    const char* sqlstate;
    kind expected;
  };
  const row table[] = {
      {"08006", kind::connection}, {"08001", kind::connection}, {"57P01", kind::connection},
      {"40001", kind::transient},  {"40P01", kind::transient},  {"55P03", kind::transient},
      {"57014", kind::transient},  {"25006", kind::transient},  {"53100", kind::transient},
      {"53300", kind::transient},  {"22021", kind::content},    {"22001", kind::content},
      {"22P05", kind::content},    {"54000", kind::content},    {"42P01", kind::schema},
      {"42703", kind::schema},     {"23505", kind::other},      {"42601", kind::other},
      {"", kind::other},
  };
  for (const auto& r : table) EXPECT_EQ(storage::pq::classify(r.sqlstate), r.expected) << r.sqlstate;
}

}  // namespace
}  // namespace feedd::test
