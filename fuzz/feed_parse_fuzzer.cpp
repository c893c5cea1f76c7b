// libFuzzer target: any bytes through feedd::parsers::parse(), as the daemon
// would call it, must return (a feed or "not a feed") without a crash,
// sanitizer report or hang, and the result must keep the parse result's
// contract (output_check.hpp). Each input is parsed twice: as fetched
// without HTTP hints, and with a charset and media type the "server"
// claimed, chosen from the input's size so that the pair stays
// reproducible from the file alone.
//
// Inputs that start with a zero byte drive the recovery oracle instead
// (issue 13): the rest of the input chooses a well-formed RSS 2.0, Atom or
// RSS 1.0 feed and one end tag to delete, duplicate or rename
// (tests/contract/damaged_feed.hpp), and every entry outside the one that
// holds the damage must come out of the parse with its guid and title.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "feedd/parsers/parse.hpp"
#include "output_check.hpp"

namespace {

constexpr std::array<std::string_view, 7> charsets{"",      "utf-8",    "windows-1252", "utf-16",
                                                   "koi8-r", "shift_jis", "x-no-such-charset"};
constexpr std::array<std::string_view, 4> media_types{"", "application/rss+xml", "application/feed+json",
                                                      "text/html"};

void parse_and_check(std::string_view document, const feedd::parsers::parse_options& options) {
  const auto result = feedd::parsers::parse(document, options);
  if (result.has_value()) {
    feedd::fuzz::require_clean(*result);
  } else {
    feedd::fuzz::require_clean("not_a_feed message", result.error().message);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 0 && data[0] == 0) {
    feedd::fuzz::require_recovery(std::span<const std::uint8_t>{data + 1, size - 1});
    return 0;
  }
  const std::string_view document{reinterpret_cast<const char*>(data), size};
  constexpr std::string_view base = "https://fuzz.example/feeds/feed.xml";
  parse_and_check(document, {base, {}, {}});
  parse_and_check(document, {base, charsets[size % charsets.size()], media_types[size / 7 % media_types.size()]});
  return 0;
}
