#pragma once

#include <optional>
#include <string_view>

// The HTML named character references feeds use, for the entity repair
// before parsing and the decoding of escaped HTML after it.
namespace feedd::parsers::detail {

// The code point of an HTML named character reference, given without '&' and
// ';' ("eacute"), or nullopt. Covers HTML 4.01's 252 entities, &apos; and the
// HTML5 names that turn up in feeds (letters with carons, punctuation,
// fractions, spaces).
std::optional<char32_t> find_html_entity(std::string_view name);

}  // namespace feedd::parsers::detail
