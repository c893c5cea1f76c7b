#include <utility>
#include <vector>

#include "session.hpp"
#include "storage_fixture.hpp"

namespace feedd::test {
namespace {

// The daemon counts per-host limits by host_key(url) (daemon/pipeline/
// scheduler.cpp: parse_http_url's host + ":" + port); the claim counts them
// by feeds.host. Each expected string below is what host_key returns for
// the URL, copied from it (this test does not link the daemon); "" is its
// "not an http(s) URL".
const std::vector<std::pair<std::string, std::string>> host_keys = {
    {"HTTP://Example.COM/x", "example.com:80"},
    {"https://example.com:443/", "example.com:443"},
    {"http://user:pw@a.example.com:8080/feed", "a.example.com:8080"},
    {"http://[::1]:9000/", "::1:9000"},
    {"http://127.0.0.2/feed", "127.0.0.2:80"},
    {"http://127.0.0.2:8081/feed", "127.0.0.2:8081"},
    {"https://b.example.com", "b.example.com:443"},
    {"https://example.com/feed?x=1&y=2#frag", "example.com:443"},
    {"http://example.com?q", "example.com:80"},
    {"http://example.com#f", "example.com:80"},
    {"file:///etc/passwd", ""},
    {"exec:true", ""},
    {"feeds/relative.xml", ""},
    {"http:example.com", ""},
    {"http:///x", ""},
    {"http://[FE80::1]/", "FE80::1:80"},
    {"http://[::FFFF:1.2.3.4]:08080/", "::FFFF:1.2.3.4:8080"},
    {"http://user@[::1]:81/", "::1:81"},
    {"http://[::1]", "::1:80"},
    {"http://[::1%25eth0]/", ""},
    {"http://[v1.x]/", ""},
    {"http://[::1:9000", ""},
    {"https://EXAMPLE.com:00443", "example.com:443"},
    {"HTTPS://X.COM:8443?a", "x.com:8443"},
    {"http://example.com:/", "example.com:80"},
    {"http://example.com:0/", ""},
    {"http://example.com:000/", ""},
    {"http://example.com:65536/", ""},
    {"http://example.com:99999999999999999999/", ""},
    {"http://exa_mple.com./x", "exa_mple.com.:80"},
    {"http://ex%41.com/", ""},
    {"http://ex ample.com/", ""},
    {"http://example.com/a b", ""},
    {"http://ex\xc3\xa4mple.com/", ""},
    {"http://ex|ample.com/", ""},
    {"http://example.com/<x>", ""},
    {"http://example.com/%zz", ""},
    {"http://example.com/%4", ""},
    {"http://x/a#b#c", ""},
    {"http://x/[a]", ""},
    {"http://@example.com/", "example.com:80"},
    {"http://:pw@example.com/", "example.com:80"},
    {"http://user%40x:p%3A@h.example/", "h.example:80"},
    {"http://" + std::string(253, 'a') + "/", std::string(253, 'a') + ":80"},
    {"http://" + std::string(254, 'a') + "/", ""},
};

// The URL as an SQL literal; none of the table's URLs holds the delimiter.
std::string literal(const std::string& url) { return "$u$" + url + "$u$"; }

TEST(StorageHosts, HostColumnEqualsTheDaemonsHostKey) {
  test_database t{"host keys"};
  auto db = open_migrated(t);
  for (const auto& [url, key] : host_keys) {
    t.exec("INSERT INTO feeds (url) VALUES (" + literal(url) + ")");
    EXPECT_EQ(t.scalar("SELECT host FROM feeds WHERE url = " + literal(url)), key) << url;
  }
}

// Any writer keeps it right: the column is the database's, not the
// writer's.
TEST(StorageHosts, HostFollowsTheUrlWhoeverChangesIt) {
  test_database t{"host follows url"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://old.example/feed");
  t.exec("UPDATE feeds SET url = 'http://New.Example:8080/feed'");
  EXPECT_EQ(t.scalar("SELECT host FROM feeds"), "new.example:8080");
  EXPECT_EQ(t.scalar("SELECT count(*) FROM feed_hosts WHERE host = 'new.example:8080'"), "1");

  // A permanent redirect seen twice moves the feed (finish_success_sql).
  auto meta = ok_meta();
  meta.moved_to = "https://moved.example/feed";
  t.exec("UPDATE feeds SET next_check_at = now()");
  ASSERT_TRUE(storage::finish_not_modified(db, claim_feed(db, id), meta, 0s).has_value());
  ASSERT_TRUE(storage::finish_not_modified(db, claim_feed(db, id), meta, 0s).has_value());
  EXPECT_EQ(t.scalar("SELECT url || ' ' || host FROM feeds"), "https://moved.example/feed moved.example:443");
  EXPECT_EQ(t.scalar("SELECT count(*) FROM feed_hosts WHERE host = 'moved.example:443'"), "1");

  // Nobody can write it by hand.
  auto by_hand = db.internals().exec("test", "UPDATE feeds SET host = 'elsewhere:80'");
  ASSERT_FALSE(by_hand.has_value());
  EXPECT_NE(by_hand.error().message.find("can only be updated to DEFAULT"), std::string::npos) << by_hand.error().message;
}

}  // namespace
}  // namespace feedd::test
