#include "redirect_chain.hpp"

#include <gtest/gtest.h>

namespace feedd::daemon {
namespace {

TEST(RedirectChain, RefusesAnythingButAbsoluteHttpUrls) {
  for (const char* url : {"file:///etc/passwd", "gopher://example.com/", "feed.xml", "http://example.com/a b",
                          "http://example.com/\r\nX-Injected: 1"}) {
    SCOPED_TRACE(url);
    const auto chain = redirect_chain::start(url, 5);
    ASSERT_FALSE(chain.has_value());
    EXPECT_EQ(chain.error().find('\n'), std::string::npos);
  }
}

TEST(RedirectChain, ResolvesARelativeLocationAgainstTheCurrentUrl) {
  auto chain = redirect_chain::start("https://example.com/blog/feed", 5);
  ASSERT_TRUE(chain.has_value()) << chain.error();
  ASSERT_TRUE(chain->follow(301, "atom.xml").has_value());
  EXPECT_EQ(chain->url(), "https://example.com/blog/atom.xml");
  EXPECT_EQ(chain->target().target, "/blog/atom.xml");
  EXPECT_TRUE(chain->target().tls);
}

TEST(RedirectChain, HasMovedPermanentlyOnlyBy301And308Alone) {
  auto permanent = redirect_chain::start("https://example.com/a", 5);
  ASSERT_TRUE(permanent.has_value());
  EXPECT_FALSE(permanent->moved_permanently()) << "no redirect yet";
  ASSERT_TRUE(permanent->follow(301, "/b").has_value());
  ASSERT_TRUE(permanent->follow(308, "/c").has_value());
  EXPECT_TRUE(permanent->moved_permanently());
  for (const int temporary : {302, 303, 307}) {
    SCOPED_TRACE(temporary);
    auto mixed = redirect_chain::start("https://example.com/a", 5);
    ASSERT_TRUE(mixed.has_value());
    ASSERT_TRUE(mixed->follow(301, "/b").has_value());
    ASSERT_TRUE(mixed->follow(temporary, "/c").has_value());
    ASSERT_TRUE(mixed->follow(301, "/d").has_value());
    EXPECT_FALSE(mixed->moved_permanently()) << "a temporary hop anywhere keeps the old URL";
  }
}

TEST(RedirectChain, AllowsExactlyMaxRedirects) {
  auto chain = redirect_chain::start("http://example.com/0", 2);
  ASSERT_TRUE(chain.has_value());
  EXPECT_TRUE(chain->follow(302, "/1").has_value());
  EXPECT_TRUE(chain->follow(302, "/2").has_value());
  const auto third = chain->follow(302, "/3");
  ASSERT_FALSE(third.has_value());
  EXPECT_EQ(third.error(), "too many redirects (more than 2)");
}

TEST(RedirectChain, DetectsALoop) {
  auto chain = redirect_chain::start("http://example.com/a", 5);
  ASSERT_TRUE(chain.has_value());
  EXPECT_TRUE(chain->follow(302, "/b").has_value());
  const auto back = chain->follow(302, "/a");
  ASSERT_FALSE(back.has_value());
  EXPECT_EQ(back.error().rfind("redirect loop at ", 0), 0u) << back.error();
}

TEST(RedirectChain, RefusesOtherSchemesInLocation) {
  for (const char* location : {"file:///etc/passwd", "ftp://example.com/feed", "data:text/plain,hi",
                               "javascript:alert(1)"}) {
    SCOPED_TRACE(location);
    auto chain = redirect_chain::start("http://example.com/feed", 5);
    ASSERT_TRUE(chain.has_value());
    const auto followed = chain->follow(302, location);
    ASSERT_FALSE(followed.has_value());
    EXPECT_NE(followed.error().find("is not an http or https URL"), std::string::npos) << followed.error();
  }
}

TEST(RedirectChain, NeedsALocation) {
  auto chain = redirect_chain::start("http://example.com/feed", 5);
  ASSERT_TRUE(chain.has_value());
  const auto followed = chain->follow(301, "");
  ASSERT_FALSE(followed.has_value());
  EXPECT_EQ(followed.error(), "301 without Location");
}

TEST(RedirectChain, KeepsCredentialsWithinTheOrigin) {
  auto chain = redirect_chain::start("https://user:secret@example.com/feed", 5);
  ASSERT_TRUE(chain.has_value());
  EXPECT_EQ(chain->credentials(), "user:secret");
  ASSERT_TRUE(chain->follow(301, "/other").has_value());
  EXPECT_EQ(chain->credentials(), "user:secret");
}

TEST(RedirectChain, DropsCredentialsForGoodOnAnotherOrigin) {
  auto chain = redirect_chain::start("https://user:secret@example.com/feed", 5);
  ASSERT_TRUE(chain.has_value());
  ASSERT_TRUE(chain->follow(302, "https://cdn.example.net/feed").has_value());
  EXPECT_EQ(chain->credentials(), "");
  ASSERT_TRUE(chain->follow(302, "https://example.com/feed2").has_value());
  EXPECT_EQ(chain->credentials(), "");
}

TEST(RedirectChain, DropsCredentialsOnADowngradeToHttp) {
  auto chain = redirect_chain::start("https://user:secret@example.com/feed", 5);
  ASSERT_TRUE(chain.has_value());
  ASSERT_TRUE(chain->follow(302, "http://example.com/feed").has_value());
  EXPECT_EQ(chain->credentials(), "");
}

TEST(RedirectChain, DropsCredentialsOnAnotherPort) {
  auto chain = redirect_chain::start("http://user:secret@example.com/feed", 5);
  ASSERT_TRUE(chain.has_value());
  ASSERT_TRUE(chain->follow(307, "http://example.com:8080/feed").has_value());
  EXPECT_EQ(chain->credentials(), "");
}

TEST(RedirectChain, KnowsTheRedirectStatuses) {
  for (int status : {301, 302, 303, 307, 308}) EXPECT_TRUE(is_redirect_status(status)) << status;
  for (int status : {200, 300, 304, 305, 306, 404}) EXPECT_FALSE(is_redirect_status(status)) << status;
}

}  // namespace
}  // namespace feedd::daemon
