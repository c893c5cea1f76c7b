#pragma once

#include <string>
#include <string_view>

// The normalizations the conformance checks apply before comparing a value
// of ours with another project's expectation. Each is applied to BOTH sides,
// so it can hide a difference of form but never invent a match of content.
namespace feedd::conformance {

// Runs of white space (ASCII and the Unicode White_Space spaces such as
// U+00A0) become one ' '; leading and trailing space is dropped.
std::string collapse_whitespace(std::string_view text);

// Character references (&#38; &#x26; and the named ones amp lt gt quot apos
// nbsp) replaced by their characters, 0x80-0x9F read as windows-1252 as
// HTML5 does; anything else stays literal.
std::string decode_references(std::string_view text);

// What a reader sees of a title-like value: tags removed (a line-breaking
// element such as <br> or <p> leaves a space), references decoded, white
// space collapsed. feedd stores titles, authors and categories as plain
// text (SPEC: entries.title); feedparser and gofeed keep the HTML of an
// HTML title.
std::string visible_text(std::string_view html_or_text);

// HTML re-serialized in one canonical form: tag and attribute names in
// lower case; attributes sorted by name, double-quoted, references decoded
// and re-escaped; namespace declarations (xmlns, xmlns:*) dropped, since an
// HTML5 parser ignores them; an empty element written <x/>, <x></x> or <x>
// alike, void ones such as <br> never closed; text references decoded as
// HTML5 does (&#146; is U+2019) and re-escaped; white space collapsed; one
// <div> wrapping everything (Atom's xhtml wrapper, which parsers keep or
// drop by format) removed. Two serializations of the same markup compare
// equal; different markup, text, attribute values or element names (a
// prefixed "svg:svg" is not "svg") do not.
std::string canonical_html(std::string_view html);

}  // namespace feedd::conformance
