#include "http_headers.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

namespace feedd::daemon {
namespace {

using std::chrono::seconds;

// 2015-10-21T07:28:00Z, the instant of the Date fields below.
const auto server_now = std::chrono::system_clock::time_point(seconds(1445412480));

TEST(RetryAfter, ReadsDeltaSeconds) {
  EXPECT_EQ(parse_retry_after("120", "", server_now), seconds(120));
  EXPECT_EQ(parse_retry_after(" 0 ", "", server_now), seconds(0));
}

TEST(RetryAfter, KeepsHugeValuesBounded) {
  EXPECT_EQ(parse_retry_after("999999999", "", server_now), seconds(999999999));
  EXPECT_EQ(parse_retry_after("99999999999999999999999", "", server_now), seconds(std::int64_t{1} << 31));
}

TEST(RetryAfter, TakesAnHttpDateRelativeToTheDateField) {
  const auto later = std::chrono::system_clock::time_point(seconds(2000000000));  // a skewed local clock
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:30:00 GMT", "Wed, 21 Oct 2015 07:28:00 GMT", later), seconds(120));
}

TEST(RetryAfter, TakesAnHttpDateRelativeToNowWithoutDateField) {
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:29:00 GMT", "", server_now), seconds(60));
}

TEST(RetryAfter, ClampsAPastDateToZero) {
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", "Wed, 21 Oct 2015 07:28:00 GMT", server_now),
            seconds(0));
}

TEST(RetryAfter, RejectsGarbage) {
  EXPECT_FALSE(parse_retry_after("soon", "", server_now).has_value());
  EXPECT_FALSE(parse_retry_after("-5", "", server_now).has_value());
  EXPECT_FALSE(parse_retry_after("", "", server_now).has_value());
  EXPECT_FALSE(parse_retry_after("12abc", "", server_now).has_value());
}

TEST(CacheControl, ReadsMaxAge) {
  EXPECT_EQ(parse_max_age("public, max-age=300"), seconds(300));
  EXPECT_EQ(parse_max_age("MAX-AGE=5"), seconds(5));
  EXPECT_EQ(parse_max_age("max-age=\"60\", must-revalidate"), seconds(60));
}

TEST(CacheControl, IgnoresOtherDirectives) {
  EXPECT_FALSE(parse_max_age("no-cache").has_value());
  EXPECT_FALSE(parse_max_age("s-maxage=5").has_value());
  EXPECT_FALSE(parse_max_age("private=\"max-age=5\"").has_value());
  EXPECT_FALSE(parse_max_age("max-age=abc").has_value());
  EXPECT_FALSE(parse_max_age("").has_value());
}

TEST(ContentType, LowercasesTypeAndCharset) {
  const auto media = parse_content_type("Application/RSS+XML; Charset=\"UTF-8\"");
  EXPECT_EQ(media.type, "application/rss+xml");
  EXPECT_EQ(media.charset, "utf-8");
}

TEST(ContentType, FindsCharsetAmongOtherParameters) {
  const auto media = parse_content_type("text/xml;foo=\"a;b\";charset=windows-1252");
  EXPECT_EQ(media.type, "text/xml");
  EXPECT_EQ(media.charset, "windows-1252");
}

// Each value sits in a buffer of its exact size, so that AddressSanitizer
// (the asan stage) sees a read past its end: Boost 1.81's beast::iequals
// made one when a parameter name at the end differed in case.
TEST(ContentType, ANameAtTheEndOfTheValueIsNotReadPast) {
  const auto exact = [](std::string_view text) {
    auto buffer = std::make_unique<char[]>(text.size());
    std::copy(text.begin(), text.end(), buffer.get());
    return buffer;
  };
  const std::string_view content_type = "text/xml;CHARSET";
  const auto a = exact(content_type);
  EXPECT_EQ(parse_content_type({a.get(), content_type.size()}).charset, "");
  const std::string_view cache_control = "public;Max-Age";
  const auto b = exact(cache_control);
  EXPECT_FALSE(parse_max_age({b.get(), cache_control.size()}).has_value());
  const std::string_view with_value = "text/xml;CharSet=UTF-8";
  const auto c = exact(with_value);
  EXPECT_EQ(parse_content_type({c.get(), with_value.size()}).charset, "utf-8");
}

TEST(ContentType, IsEmptyWhenAbsent) {
  const auto media = parse_content_type("");
  EXPECT_EQ(media.type, "");
  EXPECT_EQ(media.charset, "");
}

TEST(ContentEncoding, AcceptsIdentityAndOneKnownCoding) {
  EXPECT_FALSE(parse_content_encoding("").value().has_value());
  EXPECT_FALSE(parse_content_encoding("identity").value().has_value());
  EXPECT_EQ(parse_content_encoding("gzip").value(), compression::gzip);
  EXPECT_EQ(parse_content_encoding("X-Gzip").value(), compression::gzip);
  EXPECT_EQ(parse_content_encoding("deflate").value(), compression::deflate);
  EXPECT_EQ(parse_content_encoding("identity, gzip").value(), compression::gzip);
}

TEST(ContentEncoding, RejectsUnknownAndStackedCodings) {
  const auto br = parse_content_encoding("br");
  ASSERT_FALSE(br.has_value());
  EXPECT_EQ(br.error(), "unsupported content-encoding br");
  const auto stacked = parse_content_encoding("gzip, gzip");
  ASSERT_FALSE(stacked.has_value());
  EXPECT_EQ(stacked.error(), "unsupported content-encoding gzip, gzip");
}

TEST(FieldValue, RefusesControlCharacters) {
  EXPECT_TRUE(is_safe_field_value("\"33a64df551425fcc55e4d42a148795d9f25f89d4\""));
  EXPECT_TRUE(is_safe_field_value("W/\"a b\"\t"));
  EXPECT_FALSE(is_safe_field_value("\"x\"\r\nX-Injected: 1"));
  EXPECT_FALSE(is_safe_field_value("a\nb"));
  EXPECT_FALSE(is_safe_field_value(std::string("a\0b", 3)));
  EXPECT_FALSE(is_safe_field_value("a\x7f"));
}

TEST(FieldValue, OnlyVisibleAsciiIsStoredFromAResponse) {
  EXPECT_TRUE(is_ascii_field_value("W/\"33a64df5 51425fcc\"\t"));
  EXPECT_TRUE(is_ascii_field_value("Tue, 01 Jan 2030 00:00:00 GMT"));
  EXPECT_TRUE(is_ascii_field_value(""));
  EXPECT_FALSE(is_ascii_field_value("\"\xff\""));         // obs-text, not UTF-8
  EXPECT_FALSE(is_ascii_field_value("\"caf\xc3\xa9\""));  // UTF-8 is not ASCII either
  EXPECT_FALSE(is_ascii_field_value("a\x7f"));
  EXPECT_FALSE(is_ascii_field_value("a\nb"));
}

TEST(BasicAuthorization, EncodesDecodedUserinfo) {
  EXPECT_EQ(basic_authorization("Aladdin:open%20sesame"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  EXPECT_EQ(basic_authorization("user:pa%3Ass"), "Basic dXNlcjpwYTpzcw==");
}

}  // namespace
}  // namespace feedd::daemon
