#include "inflate.hpp"

#include <gtest/gtest.h>

#include <string>

#include <zlib.h>

namespace feedd::daemon {
namespace {

// window_bits as for deflateInit2: 15 zlib, -15 raw, 31 gzip.
std::string compress(const std::string& input, int window_bits) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 9, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, static_cast<uLong>(input.size())) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  zs.avail_in = static_cast<uInt>(input.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

const std::string feed = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title></channel></rss>";

TEST(Inflate, RoundTripsSmallGzip) {
  const auto out = inflate(compress(feed, 31), compression::gzip, 1024);
  ASSERT_TRUE(out.has_value()) << out.error();
  EXPECT_EQ(*out, feed);
}

TEST(Inflate, DecodesConcatenatedGzipMembers) {
  const auto out = inflate(compress("abc", 31) + compress("def", 31), compression::gzip, 1024);
  ASSERT_TRUE(out.has_value()) << out.error();
  EXPECT_EQ(*out, "abcdef");
}

TEST(Inflate, StopsAtTheDecompressedCap) {
  const std::string zeros(4 * 1024 * 1024, '\0');
  const auto out = inflate(compress(zeros, 31), compression::gzip, 1024 * 1024);
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error(), "decompressed body exceeds 1048576 bytes");
}

TEST(Inflate, AcceptsOutputOfExactlyTheCap) {
  const std::string data(100'000, 'x');
  const auto out = inflate(compress(data, 31), compression::gzip, data.size());
  ASSERT_TRUE(out.has_value()) << out.error();
  EXPECT_EQ(out->size(), data.size());
}

TEST(Inflate, RejectsCorruptGzip) {
  std::string data = compress(std::string(10'000, 'y') + feed, 31);
  for (std::size_t i = 12; i + 8 < data.size(); i += 5) data[i] = static_cast<char>(data[i] ^ 0x5a);
  const auto out = inflate(data, compression::gzip, 1024 * 1024);
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().rfind("corrupt gzip data: ", 0), 0u) << out.error();
}

TEST(Inflate, RejectsABadCrc) {
  std::string data = compress(feed, 31);
  data[data.size() - 8] = static_cast<char>(data[data.size() - 8] ^ 1);
  const auto out = inflate(data, compression::gzip, 1024);
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error(), "corrupt gzip data: incorrect data check");
}

TEST(Inflate, RejectsTruncatedGzip) {
  const std::string data = compress(feed, 31);
  const auto out = inflate(data.substr(0, data.size() / 2), compression::gzip, 1024);
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error(), "truncated gzip data");
}

TEST(Inflate, RejectsPlainTextLabelledGzip) {
  const auto out = inflate(feed, compression::gzip, 1024);
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error(), "corrupt gzip data: incorrect header check");
}

TEST(Inflate, DecodesZlibWrappedDeflate) {
  const auto out = inflate(compress(feed, 15), compression::deflate, 1024);
  ASSERT_TRUE(out.has_value()) << out.error();
  EXPECT_EQ(*out, feed);
}

TEST(Inflate, DecodesRawDeflate) {
  const auto out = inflate(compress(feed, -15), compression::deflate, 1024);
  ASSERT_TRUE(out.has_value()) << out.error();
  EXPECT_EQ(*out, feed);
}

TEST(Inflate, RejectsTrailingGarbageAfterDeflate) {
  const auto out = inflate(compress(feed, 15) + "junk", compression::deflate, 1024);
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error(), "corrupt deflate data: trailing bytes after the stream");
}

}  // namespace
}  // namespace feedd::daemon
