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
};

struct opml_error {
  std::string message;
};

// Every outline with an xmlUrl, at any depth, in document order.
expected<std::vector<opml_outline>, opml_error> parse_opml(std::string_view document);

// OPML 2.0 with one outline per feed.
std::string write_opml(const std::vector<opml_outline>& outlines, std::string_view title);

}  // namespace feedd::parsers
