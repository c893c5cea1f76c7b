#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "feedd/parsers/dates.hpp"
#include "feedd/parsers/parse.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"

// Shared by the format tests: parse a document that must be a feed, read a
// fixture from tests/parsers/data/, look for a warning.
namespace feedd::parsers::testkit {

// Repeatable pseudo-random numbers for the randomized comparisons (the
// C standard's example generator): the same inputs on every run.
class pseudo_random {
 public:
  explicit pseudo_random(unsigned seed) : state_(seed) {}

  unsigned operator()() {
    state_ = state_ * 1103515245u + 12345u;
    return state_ >> 16;
  }

 private:
  unsigned state_;
};

inline feed parse_feed(std::string_view document, parse_options options = {}) {
  auto result = parse(document, options);
  EXPECT_TRUE(result.has_value()) << (result.has_value() ? "" : result.error().message);
  if (!result.has_value()) return {};
  return std::move(result).value();
}

inline parse_options with_base_url(std::string_view url) {
  parse_options options;
  options.base_url = url;
  return options;
}

inline parse_options with_content_type(std::string_view type) {
  parse_options options;
  options.content_type = type;
  return options;
}

inline std::string fixture(std::string_view name) {
  return feedd::test::read_file(feedd::test::source_dir() / "tests/parsers/data" / name);
}

inline bool has_warning(const feed& f, std::string_view needle) {
  for (const auto& warning : f.warnings) {
    if (warning.find(needle) != std::string::npos) return true;
  }
  return false;
}

inline std::string rfc3339(const std::optional<timestamp>& t) { return t ? format_rfc3339(*t) : "null"; }

// A minimal RSS 2.0 document around the given items (and channel extras).
inline std::string rss(std::string_view items, std::string_view namespaces = "", std::string_view channel = "") {
  return "<?xml version=\"1.0\"?><rss version=\"2.0\" " + std::string{namespaces} + "><channel><title>T</title>" +
         std::string{channel} + std::string{items} + "</channel></rss>";
}

inline std::string atom(std::string_view entries, std::string_view feed_extras = "") {
  return "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>A</title>" + std::string{feed_extras} +
         std::string{entries} + "</feed>";
}

}  // namespace feedd::parsers::testkit
