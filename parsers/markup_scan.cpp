#include "markup_scan.hpp"

#include <array>

#include "ascii.hpp"

namespace feedd::parsers::detail {

std::size_t start_tag_end(std::string_view text, std::size_t from) {
  bool after_equals = false;
  for (std::size_t i = from; i < text.size(); ++i) {
    const char c = text[i];
    if (after_equals && (c == '"' || c == '\'')) {
      i = text.find(c, i + 1);
      if (i == std::string_view::npos) return i;
      after_equals = false;
    } else if (c == '>') {
      return i + 1;
    } else if (c == '<') {
      return i;
    } else if (c == '=') {
      after_equals = true;
    } else if (!ascii::is_xml_space(c)) {
      after_equals = false;
    }
  }
  return std::string_view::npos;
}

std::size_t doctype_end(std::string_view text, std::size_t from) {
  int depth = 0;
  for (std::size_t i = from; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '<' && text.substr(i).starts_with("<!--")) {
      i = text.find("-->", i + 4);
      if (i == std::string_view::npos) return i;
      i += 2;
    } else if (c == '"' || c == '\'') {
      i = text.find(c, i + 1);
      if (i == std::string_view::npos) return i;
    } else if (c == '[') {
      ++depth;
    } else if (c == ']') {
      --depth;
    } else if (c == '>' && depth <= 0) {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

bool is_html_void_element(std::string_view name) {
  static constexpr std::array<std::string_view, 11> names = {"area", "br",    "col",   "embed", "hr",  "img",
                                                             "input", "meta", "param", "track", "wbr"};
  for (const auto v : names) {
    if (ascii::iequals(name, v)) return true;
  }
  return false;
}

}  // namespace feedd::parsers::detail
