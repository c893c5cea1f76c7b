#include <thread>

#include "storage_fixture.hpp"

namespace feedd::test {
namespace {

using kind = storage::db_error::kind;

// The schema version this feedd migrates to (the last of storage/migrations.cpp).
constexpr int latest = 8;
const std::string latest_text = std::to_string(latest);

// "column:type" of the contract columns of one table, sorted by name.
std::string columns(const test_database& t, const std::string& table, const std::string& names) {
  return t.scalar("SELECT string_agg(column_name || ':' || data_type, ',' ORDER BY column_name) "
                  "FROM information_schema.columns WHERE table_name = '" + table +
                  "' AND column_name = ANY (string_to_array('" + names + "', ','))");
}

TEST(StorageMigrations, CreatesTheContractTablesInAnEmptyDatabase) {
  test_database t{"migrate empty"};
  auto db = open_database(t);
  auto version = storage::migrate(db);
  ASSERT_TRUE(version.has_value()) << version.error().message;
  EXPECT_EQ(*version, latest);
  EXPECT_EQ(columns(t, "feeds",
                    "id,url,title,site_url,etag,last_modified,interval,next_check_at,last_checked_at,"
                    "last_status,last_error,error_count,disabled"),
            "disabled:boolean,error_count:integer,etag:text,id:bigint,interval:interval,last_checked_at:timestamp "
            "with time zone,last_error:text,last_modified:text,last_status:integer,next_check_at:timestamp with "
            "time zone,site_url:text,title:text,url:text");
  EXPECT_EQ(columns(t, "entries",
                    "id,feed_id,guid,url,title,author,summary,content,published_at,updated_at,first_seen_at,"
                    "categories"),
            "author:text,categories:ARRAY,content:text,feed_id:bigint,first_seen_at:timestamp with time "
            "zone,guid:text,id:bigint,published_at:timestamp with time zone,summary:text,title:text,updated_at:"
            "timestamp with time zone,url:text");
  EXPECT_EQ(columns(t, "enclosures", "entry_id,url,type,length"),
            "entry_id:bigint,length:bigint,type:text,url:text");
  EXPECT_EQ(columns(t, "schema_migrations", "version,applied_at"),
            "applied_at:timestamp with time zone,version:integer");
  EXPECT_EQ(columns(t, "feeds", "host"), "host:text");
  EXPECT_EQ(columns(t, "feed_hosts", "host,next_due_at,paused_until"),
            "host:text,next_due_at:timestamp with time zone,paused_until:timestamp with time zone");
  // feeds.host is the database's to keep: no writer can set it.
  EXPECT_EQ(t.scalar("SELECT is_generated FROM information_schema.columns WHERE table_name = 'feeds' "
                     "AND column_name = 'host'"),
            "ALWAYS");
  // The constraints users rely on: unique url, unique (feed_id, guid), cascades.
  EXPECT_EQ(t.scalar("SELECT string_agg(pg_get_constraintdef(oid), ' | ' ORDER BY pg_get_constraintdef(oid)) FROM pg_constraint "
                     "WHERE conrelid IN ('feeds'::regclass, 'entries'::regclass, 'enclosures'::regclass) "
                     "AND contype IN ('u', 'f')"),
            "FOREIGN KEY (entry_id) REFERENCES entries(id) ON DELETE CASCADE | "
            "FOREIGN KEY (feed_id) REFERENCES feeds(id) ON DELETE CASCADE | UNIQUE (feed_id, guid) | UNIQUE (url)");
}

TEST(StorageMigrations, RunningTwiceChangesNothing) {
  test_database t{"migrate twice"};
  auto db = open_database(t);
  ASSERT_TRUE(storage::migrate(db).has_value());
  auto again = storage::migrate(db);
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(*again, latest);
  EXPECT_EQ(t.scalar("SELECT count(*) FROM schema_migrations"), latest_text);
}

TEST(StorageMigrations, RefusesADatabaseWithANewerSchema) {
  test_database t{"newer schema"};
  auto db = open_migrated(t);
  t.exec("INSERT INTO schema_migrations (version) VALUES (999)");
  auto version = storage::migrate(db);
  ASSERT_FALSE(version.has_value());
  EXPECT_EQ(version.error().what, kind::schema);
  EXPECT_EQ(version.error().message, "storage: migrate: database schema version 999 is newer than this feedd (" + latest_text + ")");
  auto checked = storage::check_schema(db);
  ASSERT_FALSE(checked.has_value());
  EXPECT_EQ(checked.error().what, kind::schema);
  EXPECT_EQ(t.scalar("SELECT count(*) FROM schema_migrations"), std::to_string(latest + 1));
}

TEST(StorageMigrations, CheckSchemaRefusesAnEmptyDatabase) {
  test_database t{"check empty"};
  auto db = open_database(t);
  auto checked = storage::check_schema(db);
  ASSERT_FALSE(checked.has_value());
  EXPECT_EQ(checked.error().what, kind::schema);
  EXPECT_NE(checked.error().message.find("feedd migrate"), std::string::npos) << checked.error().message;
  EXPECT_EQ(t.scalar("SELECT to_regclass('feeds') IS NULL"), "t");
}

TEST(StorageMigrations, CheckSchemaAcceptsTheCurrentSchema) {
  test_database t{"check current"};
  auto db = open_migrated(t);
  auto checked = storage::check_schema(db);
  ASSERT_TRUE(checked.has_value()) << checked.error().message;
  EXPECT_EQ(*checked, latest);
}

// What the versions after 4 add, dropped again: version 8 (the entries
// digest, schema_v8.hpp), 7 (retention, schema_v7.hpp), 6 (the OPML folder, schema_v6.hpp) and 5 (the read
// contract, schema_v5.hpp).
void downgrade_to_version_4(const test_database& t) {
  t.exec("ALTER TABLE feeds DROP COLUMN entries_hash, DROP COLUMN entries_hashed_at");
  t.exec("DROP TABLE entry_tombstones");
  t.exec("DROP INDEX entries_feed_age_idx");
  t.exec("ALTER TABLE feeds DROP COLUMN category");
  t.exec("DROP FUNCTION feedd_entries_since(xid8, bigint, int)");
  t.exec("DROP VIEW feedd_entries_v1");
  t.exec("DROP TRIGGER entries_change_xid ON entries");
  t.exec("DROP TRIGGER entries_inserted_notify ON entries");
  t.exec("DROP TRIGGER entries_updated_notify ON entries");
  t.exec("DROP FUNCTION feedd_entry_changed(), feedd_entries_stored()");
  t.exec("ALTER TABLE entries DROP COLUMN change_xid");
  t.exec("DELETE FROM schema_migrations WHERE version > 4");
}

// What version 4 adds, dropped again.
void downgrade_to_version_3(const test_database& t) {
  downgrade_to_version_4(t);
  t.exec("DROP INDEX entries_feed_first_seen_idx");
  t.exec("ALTER TABLE feeds DROP COLUMN skip_hours, DROP COLUMN skip_days");
  t.exec("DELETE FROM schema_migrations WHERE version = 4");
}

// What version 3 adds, dropped again: the schema an older feedd left.
void downgrade_to_version_2(const test_database& t) {
  downgrade_to_version_3(t);
  t.exec("DROP TABLE feed_hosts");
  t.exec("DROP TRIGGER feeds_inserted ON feeds");
  t.exec("DROP TRIGGER feeds_due_sooner ON feeds");
  t.exec("DROP FUNCTION feedd_feeds_inserted(), feedd_feed_due_sooner()");
  t.exec("ALTER TABLE feeds DROP COLUMN host");
  t.exec("DROP FUNCTION feedd_host_key(text)");
  t.exec("DELETE FROM schema_migrations WHERE version = 3");
}

// A version 4 database with a feed: the OPML folder column comes empty.
TEST(StorageMigrations, OpmlFolderColumnIsAddedToExistingFeeds) {
  test_database t{"migrate v6"};
  auto db = open_migrated(t);
  downgrade_to_version_4(t);
  t.exec("INSERT INTO feeds (url, title) VALUES ('https://example.com/f', 'F')");
  auto version = storage::migrate(db);
  ASSERT_TRUE(version.has_value()) << version.error().message;
  EXPECT_EQ(*version, latest);
  EXPECT_EQ(t.scalar("SELECT title || ':' || coalesce(category, 'null') FROM feeds"), "F:null");
}

// A database left at version 1 by an older feedd: run refuses it until
// migrate adds version 2, which keeps every feed.
TEST(StorageMigrations, UpgradesAVersionOneDatabaseInPlace) {
  test_database t{"upgrade from 1"};
  auto db = open_migrated(t);
  t.exec("INSERT INTO feeds (url, error_count) VALUES ('https://example.com/feed', 3)");
  downgrade_to_version_2(t);
  t.exec("ALTER TABLE feeds DROP COLUMN gone_since, DROP COLUMN moved_to");
  t.exec("DELETE FROM schema_migrations WHERE version = 2");
  auto checked = storage::check_schema(db);
  ASSERT_FALSE(checked.has_value());
  EXPECT_NE(checked.error().message.find("version 1 is older than this feedd (" + latest_text + "); run feedd migrate"), std::string::npos)
      << checked.error().message;
  auto version = storage::migrate(db);
  ASSERT_TRUE(version.has_value()) << version.error().message;
  EXPECT_EQ(*version, latest);
  EXPECT_EQ(t.scalar("SELECT concat_ws('|', url, error_count, gone_since IS NULL, moved_to IS NULL, host) FROM feeds"),
            "https://example.com/feed|3|t|t|example.com:443");
}

// A version 2 database with feeds in it: version 3 derives every feed's host
// and the per-host bounds from what is there, and claims work at once.
TEST(StorageMigrations, UpgradesAVersionTwoDatabaseWithFeeds) {
  test_database t{"upgrade from 2"};
  auto db = open_migrated(t);
  downgrade_to_version_2(t);
  t.exec("INSERT INTO feeds (url, next_check_at, disabled) VALUES "
         "('https://a.example/1', now() - interval '2 hours', false), "
         "('HTTPS://A.example:443/2', now() - interval '1 hour', false), "
         "('http://[::1]:9000/feed', now() + interval '1 hour', false), "
         "('file:///etc/passwd', now(), false), "
         "('https://off.example/feed', now(), true)");
  auto checked = storage::check_schema(db);
  ASSERT_FALSE(checked.has_value());
  EXPECT_NE(checked.error().message.find("version 2 is older than this feedd (" + latest_text + ")"), std::string::npos)
      << checked.error().message;
  auto version = storage::migrate(db);
  ASSERT_TRUE(version.has_value()) << version.error().message;
  EXPECT_EQ(*version, latest);
  EXPECT_EQ(t.scalar("SELECT string_agg(host, ',' ORDER BY id) FROM feeds"),
            "a.example:443,a.example:443,::1:9000,,off.example:443");
  // One row per host with an enabled feed, bounded by its oldest feed.
  EXPECT_EQ(t.scalar("SELECT string_agg(h.host || '=' || (h.next_due_at = (SELECT min(next_check_at) FROM feeds f "
                     "WHERE f.host = h.host AND NOT f.disabled)), ',' ORDER BY h.host) FROM feed_hosts h"),
            "=true,::1:9000=true,a.example:443=true");
  auto claims = storage::claim_due(db, {10, 1, 300s, "test"});
  ASSERT_TRUE(claims.has_value()) << claims.error().message;
  ASSERT_EQ(claims->size(), 2u);
  EXPECT_EQ((*claims)[0].url, "https://a.example/1");
  EXPECT_EQ((*claims)[1].url, "file:///etc/passwd");
}

// A version 3 database with feeds: version 4 gives every feed "no skip
// hints" and indexes the entries' first_seen_at, and claims carry the hints.
TEST(StorageMigrations, UpgradesAVersionThreeDatabaseWithFeeds) {
  test_database t{"upgrade from 3"};
  auto db = open_migrated(t);
  downgrade_to_version_3(t);
  t.exec("INSERT INTO feeds (url) VALUES ('https://a.example/1')");
  auto checked = storage::check_schema(db);
  ASSERT_FALSE(checked.has_value());
  EXPECT_NE(checked.error().message.find("version 3 is older than this feedd (" + latest_text + ")"), std::string::npos)
      << checked.error().message;
  auto version = storage::migrate(db);
  ASSERT_TRUE(version.has_value()) << version.error().message;
  EXPECT_EQ(*version, latest);
  EXPECT_EQ(t.scalar("SELECT concat_ws('|', skip_hours, skip_days) FROM feeds"), "0|0");
  EXPECT_EQ(t.scalar("SELECT indexdef FROM pg_indexes WHERE indexname = 'entries_feed_first_seen_idx'"),
            "CREATE INDEX entries_feed_first_seen_idx ON public.entries USING btree (feed_id, first_seen_at)");
  t.exec("UPDATE feeds SET skip_hours = 8, skip_days = 64");
  auto claims = storage::claim_due(db, {10, 1, 300s, "test"});
  ASSERT_TRUE(claims.has_value()) << claims.error().message;
  ASSERT_EQ(claims->size(), 1u);
  EXPECT_EQ((*claims)[0].skip, (skip_hints{8, 64}));
}

// `sql` until it answers `want` (at most 30 s): a cursor read waits for
// transactions in flight anywhere in the cluster, other tests' included.
std::string eventually(const test_database& t, const std::string& sql, const std::string& want) {
  std::string got;
  for (const auto end = std::chrono::steady_clock::now() + 30s; std::chrono::steady_clock::now() < end;) {
    if ((got = t.scalar(sql)) == want) break;
    std::this_thread::sleep_for(50ms);
  }
  return got;
}

// A version 4 database with entries: version 5 gives them all the one
// cursor value '1', below every real transaction, so a consumer starting
// from (0, 0) reads them first; the next change of a row moves it.
TEST(StorageMigrations, UpgradesAVersionFourDatabaseWithEntries) {
  test_database t{"upgrade from 4"};
  auto db = open_migrated(t);
  downgrade_to_version_4(t);
  t.exec("INSERT INTO feeds (url) VALUES ('https://a.example/1')");
  t.exec("INSERT INTO entries (feed_id, guid, fingerprint) SELECT id, 'g' || i, '' FROM feeds, generate_series(1, 3) i");
  auto version = storage::migrate(db);
  ASSERT_TRUE(version.has_value()) << version.error().message;
  EXPECT_EQ(*version, latest);
  EXPECT_EQ(t.scalar("SELECT string_agg(guid || '=' || change_xid, ',' ORDER BY id) FROM entries"), "g1=1,g2=1,g3=1");
  EXPECT_EQ(eventually(t, "SELECT string_agg(guid, ',') FROM feedd_entries_since('0', 0, 10)", "g1,g2,g3"), "g1,g2,g3");
  const std::string last = t.scalar("SELECT max(id) FROM entries");
  t.exec("UPDATE entries SET title = 'changed' WHERE guid = 'g1'");
  EXPECT_EQ(eventually(t, "SELECT string_agg(guid, ',') FROM feedd_entries_since('1', " + last + ", 10)", "g1"), "g1");
}

// RELIABILITY C6: instances starting together on an empty database.
TEST(StorageMigrations, ConcurrentMigrationsAllSucceedOnce) {
  test_database t{"migrate concurrently"};
  constexpr int instances = 3;
  std::vector<std::string> outcomes(instances);
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < instances; ++i) {
      threads.emplace_back([&t, &outcomes, i] {
        auto db = storage::database::open({t.conninfo(), "", "feedd-test"});
        if (!db) {
          outcomes[static_cast<std::size_t>(i)] = db.error().message;
          return;
        }
        auto version = storage::migrate(*db);
        outcomes[static_cast<std::size_t>(i)] = version ? std::to_string(*version) : version.error().message;
      });
    }
  }
  for (const auto& outcome : outcomes) EXPECT_EQ(outcome, latest_text);
  EXPECT_EQ(t.scalar("SELECT count(*) FROM schema_migrations"), latest_text);
}

}  // namespace
}  // namespace feedd::test
