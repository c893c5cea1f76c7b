#include "log.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace feedd::daemon {
namespace {

TEST(Logger, WritesLogfmtWithQuotedValuesWhenNeeded) {
  logger log(log_level::info, log_style::journal);
  std::string line = log.format(log_level::info, "fetch", {{"feed", 12}, {"url", "https://example.org/feed"}, {"error", "a b"}});
  EXPECT_EQ(line, "<6>level=info event=fetch feed=12 url=https://example.org/feed error=\"a b\"");
}

TEST(Logger, EscapesControlCharactersSoFeedTextCannotForgeLines) {
  logger log(log_level::info, log_style::journal);
  std::string line = log.format(log_level::warning, "fetch", {{"title", "x\r\nlevel=error event=forged\x1b[31m"}});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.find('\r'), std::string::npos);
  EXPECT_EQ(line.find('\x1b'), std::string::npos);
  EXPECT_NE(line.find("\\r\\nlevel=error event=forged\\x1b[31m"), std::string::npos) << line;
  EXPECT_EQ(line.rfind("<4>", 0), 0u);
}

TEST(Logger, UsesSdDaemonPrioritiesUnderJournal) {
  logger log(log_level::debug, log_style::journal);
  EXPECT_EQ(log.format(log_level::error, "e", {}).substr(0, 3), "<3>");
  EXPECT_EQ(log.format(log_level::warning, "e", {}).substr(0, 3), "<4>");
  EXPECT_EQ(log.format(log_level::info, "e", {}).substr(0, 3), "<6>");
  EXPECT_EQ(log.format(log_level::debug, "e", {}).substr(0, 3), "<7>");
}

TEST(Logger, TextStyleStartsWithTimestamp) {
  logger log(log_level::info, log_style::text);
  std::string line = log.format(log_level::info, "start", {{"version", "1"}});
  EXPECT_EQ(line.rfind("time=", 0), 0u);
  EXPECT_NE(line.find(" level=info event=start version=1"), std::string::npos);
}

TEST(Logger, JsonStyleWritesNumbersBareAndStringsEscaped) {
  logger log(log_level::info, log_style::json);
  std::string line = log.format(log_level::info, "fetch", {{"feed", 7}, {"title", "say \"hi\"\n"}});
  EXPECT_NE(line.find("\"feed\":7"), std::string::npos) << line;
  EXPECT_NE(line.find("\"title\":\"say \\\"hi\\\"\\n\""), std::string::npos) << line;
}

TEST(Logger, JsonLinesStayOneValidObjectWhateverTheFeedText) {
  logger log(log_level::info, log_style::json);
  const std::string title = "caf\xc3\xa9\r\n{\"level\":\"error\"}\x1b[31m\xff";
  const std::string line = log.format(log_level::info, "fetch", {{"title", title}});
  EXPECT_EQ(line.find_first_of("\r\n\x1b"), std::string::npos) << line;
  const auto parsed = nlohmann::json::parse(line, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << line;
  EXPECT_EQ(parsed.at("level"), "info");
  // Valid UTF-8 comes through as it was; a byte that is not UTF-8 becomes U+FFFD.
  EXPECT_EQ(parsed.at("title"), "caf\xc3\xa9\r\n{\"level\":\"error\"}\x1b[31m\xef\xbf\xbd");
}

TEST(Logger, DropsLinesBelowTheLevel) {
  logger log(log_level::warning, log_style::text);
  EXPECT_FALSE(log.enabled(log_level::info));
  EXPECT_TRUE(log.enabled(log_level::error));
  log.set_level(log_level::debug);
  EXPECT_TRUE(log.enabled(log_level::debug));
}

TEST(Logger, EmptyValuesAreQuoted) {
  logger log(log_level::info, log_style::journal);
  EXPECT_EQ(log.format(log_level::info, "x", {{"etag", ""}}), "<6>level=info event=x etag=\"\"");
}

}  // namespace
}  // namespace feedd::daemon
