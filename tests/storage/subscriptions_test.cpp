// What feeds add/import write and feeds export reads: title, site URL,
// folder and interval of each feed, and the URLs a new one is compared with.
#include "feedd/storage/subscriptions.hpp"
#include "storage_fixture.hpp"

namespace feedd::test {
namespace {

TEST(StorageSubscriptions, KeepsTitleSiteFolderAndInterval) {
  test_database t{"subscriptions"};
  auto db = open_migrated(t);
  storage::subscription a{0, "https://a.example/feed", "A", "https://a.example/", "Tech/Linux", std::chrono::seconds(900)};
  auto added = storage::add_subscription(db, a, std::chrono::milliseconds(0));
  ASSERT_TRUE(added.has_value()) << added.error().message;
  EXPECT_FALSE(added->already_exists);
  EXPECT_GT(added->id, 0);
  storage::subscription b{0, "https://b.example/feed", "", "", "", std::nullopt};
  ASSERT_TRUE(storage::add_subscription(db, b, std::chrono::milliseconds(60'000)).has_value());
  auto again = storage::add_subscription(db, a, std::chrono::milliseconds(0));
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->already_exists);

  auto rows = storage::list_subscriptions(db);
  ASSERT_TRUE(rows.has_value()) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].id, added->id);
  EXPECT_EQ((*rows)[0].title, "A");
  EXPECT_EQ((*rows)[0].site_url, "https://a.example/");
  EXPECT_EQ((*rows)[0].category, "Tech/Linux");
  EXPECT_EQ((*rows)[0].interval, std::chrono::seconds(900));
  EXPECT_EQ((*rows)[1].category, "");
  EXPECT_FALSE((*rows)[1].interval.has_value());
  EXPECT_EQ(t.scalar("SELECT count(*) FROM feeds WHERE category IS NULL AND title IS NULL AND site_url IS NULL"), "1");
  EXPECT_EQ(t.scalar("SELECT next_check_at > now() + interval '30 seconds' FROM feeds WHERE url = 'https://b.example/feed'"),
            "t");
}

TEST(StorageSubscriptions, StoredUrlsOfOneHostOrAll) {
  test_database t{"stored urls"};
  auto db = open_migrated(t);
  t.exec("INSERT INTO feeds (url) VALUES ('HTTP://Example.com:80/feed#x'), ('https://example.com/other'),"
         " ('http://example.com/second')");
  auto same_host = storage::stored_urls(db, "example.com:80");
  ASSERT_TRUE(same_host.has_value()) << same_host.error().message;
  ASSERT_EQ(same_host->size(), 2u);
  EXPECT_EQ((*same_host)[0].url, "HTTP://Example.com:80/feed#x");
  EXPECT_EQ((*same_host)[1].url, "http://example.com/second");
  auto all = storage::stored_urls(db);
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->size(), 3u);
}

}  // namespace
}  // namespace feedd::test
