#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

// Character reference tables shared by the text helpers and the charset
// decoder.
namespace feedd::parsers::detail {

// The code point of an HTML named character reference, given without '&' and
// ';' ("eacute"), or nullopt. Covers HTML 4.01's 252 entities, &apos; and the
// HTML5 names that turn up in feeds (letters with carons, punctuation,
// fractions, spaces).
std::optional<char32_t> find_html_entity(std::string_view name);

// What a numeric character reference stands for, by the HTML5 rules
// (WHATWG HTML §13.2.5.80): 0, surrogates and values above U+10FFFF become
// U+FFFD; 0x80-0x9F are read as windows-1252, because that is what the
// authors of "&#146;" meant. value saturates: pass 0x110000 for "too big".
char32_t numeric_reference_target(std::uint32_t value);

// windows-1252 as the WHATWG Encoding Standard defines it: the five bytes
// Microsoft leaves undefined map to the C1 controls of the same value.
char32_t windows1252_code_point(unsigned char byte);

}  // namespace feedd::parsers::detail
