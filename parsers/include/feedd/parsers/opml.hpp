#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "feedd/expected.hpp"

namespace feedd::parsers {

struct opml_outline {
  std::string xml_url;
  std::string title;
  std::string html_url;
  // The folder: the enclosing outlines' titles joined by "/" (Miniflux,
  // FreshRSS), else the first path of OPML 2.0's category attribute.
  std::string category = {};
  // feedd:interval (opml_namespace) as written, "15m"; checked by the caller.
  std::string interval = {};
};

// The namespace of feedd's own outline attributes. Other readers ignore
// attributes they do not know, and a namespace keeps ours from meaning
// something else to them.
inline constexpr std::string_view opml_namespace = "urn:feedd:opml";

struct opml_error {
  std::string message;
};

// Every outline with an xmlUrl, at any depth, in document order; outlines
// without one are folders.
expected<std::vector<opml_outline>, opml_error> parse_opml(std::string_view document);

// OPML 2.0 with one outline per feed: those without a category first, then
// one folder per category in the order it first appears.
std::string write_opml(const std::vector<opml_outline>& outlines, std::string_view title);

}  // namespace feedd::parsers
