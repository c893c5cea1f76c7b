#include "final_response.hpp"

#include <gtest/gtest.h>

#include <zlib.h>

namespace feedd::daemon {
namespace {

using outcome = fetch_response::outcome;
using std::chrono::seconds;

const auto now = std::chrono::system_clock::time_point(seconds(1445412480));  // 2015-10-21T07:28:00Z

final_response ok_with(std::string body) {
  final_response r;
  r.status = 200;
  r.reason = "OK";
  r.body = std::move(body);
  r.content_type = "application/rss+xml; charset=UTF-8";
  return r;
}

std::string gzip(const std::string& input) {
  z_stream zs{};
  deflateInit2(&zs, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, static_cast<uLong>(input.size())) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  zs.avail_in = static_cast<uInt>(input.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

TEST(FinalResponse, DeliversA200WithItsMediaType) {
  const auto r = conclude(ok_with("<rss/>"), {}, 1024, now);
  EXPECT_EQ(r.what, outcome::ok);
  EXPECT_EQ(r.body, "<rss/>");
  EXPECT_EQ(r.content_type, "application/rss+xml");
  EXPECT_EQ(r.charset, "utf-8");
  EXPECT_EQ(r.wire_bytes, 6u);
  EXPECT_EQ(r.error, "");
}

TEST(FinalResponse, KeepsValidatorsAndMaxAgeOfA304) {
  final_response in;
  in.status = 304;
  in.etag = "\"v2\"";
  in.last_modified = "Wed, 21 Oct 2015 07:28:00 GMT";
  in.cache_control = "max-age=900";
  const auto r = conclude(in, {}, 1024, now);
  EXPECT_EQ(r.what, outcome::not_modified);
  EXPECT_EQ(r.status, 304);
  EXPECT_EQ(r.etag, "\"v2\"");
  EXPECT_EQ(r.last_modified, "Wed, 21 Oct 2015 07:28:00 GMT");
  EXPECT_EQ(r.max_age, seconds(900));
}

TEST(FinalResponse, DecodesGzipWithinTheCap) {
  auto in = ok_with(gzip("<rss/>"));
  in.content_encoding = "gzip";
  const auto r = conclude(in, {}, 1024, now);
  EXPECT_EQ(r.what, outcome::ok) << r.error;
  EXPECT_EQ(r.body, "<rss/>");
}

TEST(FinalResponse, FailsWhenDecodingExceedsTheCap) {
  auto in = ok_with(gzip(std::string(5000, 'x')));
  in.content_encoding = "gzip";
  const auto r = conclude(in, {}, 4096, now);
  EXPECT_EQ(r.what, outcome::failed);
  EXPECT_EQ(r.error, "fetch: body: decompressed body exceeds 4096 bytes");
}

TEST(FinalResponse, FailsOnAnEmptyBodyEvenWhenEncoded) {
  auto in = ok_with("");
  in.content_encoding = "gzip";
  const auto r = conclude(in, {}, 1024, now);
  EXPECT_EQ(r.what, outcome::failed);
  EXPECT_EQ(r.error, "fetch: body: empty response body");
  EXPECT_EQ(conclude(ok_with(gzip("")), {}, 1024, now).what, outcome::ok);  // not labelled: raw bytes
}

TEST(FinalResponse, ReportsOtherStatusesWithRetryAfter) {
  final_response in;
  in.status = 429;
  in.reason = "Too Many Requests";
  in.retry_after = "3600";
  in.etag = "\"ignored\"";
  const auto r = conclude(in, {}, 1024, now);
  EXPECT_EQ(r.what, outcome::http_error);
  EXPECT_EQ(r.error, "fetch: http: 429 Too Many Requests");
  EXPECT_EQ(r.retry_after, seconds(3600));
  EXPECT_EQ(r.etag, "");
}

TEST(FinalResponse, IgnoresRetryAfterOutside429And503) {
  final_response in;
  in.status = 500;
  in.reason = "Internal Server Error";
  in.retry_after = "60";
  EXPECT_FALSE(conclude(in, {}, 1024, now).retry_after.has_value());
}

}  // namespace
}  // namespace feedd::daemon
