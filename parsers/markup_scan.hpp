#pragma once

#include <cstddef>
#include <string_view>

// Where markup ends, for the structure repair's pass over a document that
// pugixml refused, and which HTML elements never have content.
namespace feedd::parsers::detail {

// One past the '>' ending the start tag whose name ends at from, or the
// offset of a '<' that cuts it short (no tag holds one outside a quoted
// value); npos when the input ends first. A quote opens a value only after
// '=' (XML 1.0 §3.1), so that a stray one cannot swallow the document.
std::size_t start_tag_end(std::string_view text, std::size_t from);

// One past the '>' ending a DOCTYPE whose keyword ends at from (its
// internal subset in brackets, with quoted strings and comments that may
// hold either), or npos.
std::size_t doctype_end(std::string_view text, std::size_t from);

// HTML's void elements (WHATWG HTML §13.1.2), in any case, less <link>,
// <source> and <base>, which feeds use as elements with content (RSS, Atom).
bool is_html_void_element(std::string_view name);

}  // namespace feedd::parsers::detail
