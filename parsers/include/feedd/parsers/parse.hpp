#pragma once

#include <string>
#include <string_view>

#include "feedd/expected.hpp"
#include "feedd/model.hpp"

namespace feedd::parsers {

struct parse_options {
  std::string_view base_url;      // document URL after redirects; resolves relative links
  std::string_view charset;       // from HTTP Content-Type or --charset; empty if unknown
  std::string_view content_type;  // media type without parameters; empty if unknown
};

struct not_a_feed {
  std::string message;  // "parse: <step>: <detail>", e.g. "parse: root: <html> is not a feed"
};

// The one entry point: bytes in, a normalized feed (with warnings about what
// was recovered) or "not a feed" out. Never throws on any input except
// std::bad_alloc; never uses the clock.
expected<feed, not_a_feed> parse(std::string_view document, const parse_options& options);

std::string_view to_string(feed_format format);  // "rss2.0", "rss1.0", "rss0.9x", "atom1.0", "atom0.3", "json"

}  // namespace feedd::parsers
