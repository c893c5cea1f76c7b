#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace feedd::parsers::detail {

// Valid UTF-8 without NUL or C0 controls other than TAB, LF, CR (and without
// U+FFFE/U+FFFF, surrogates or code points above U+10FFFF): PostgreSQL text
// rejects them (SQLSTATE 22021). Invalid sequences become U+FFFD.
void sanitize_utf8(std::string& text);
bool is_clean_utf8(std::string_view text);

// Titles, authors, categories: tags stripped, HTML entities decoded, runs of
// whitespace collapsed to one space, trimmed.
std::string plain_text(std::string_view html_or_text);

// Runs of whitespace collapsed to one space, trimmed (no tag stripping).
std::string collapse_whitespace(std::string_view text);
void collapse_whitespace_in_place(std::string& text);

// plain_text in place, for text that is already what sanitize_utf8 makes
// of it; so is the result. Text without markup or references is not copied.
void to_plain_text(std::string& clean_html_or_text);

// True if to_plain_text (html) or collapse_whitespace_in_place would leave
// text as it is, from one quick scan that also finds no byte 0xC2, so no
// C1 control for map_c1_controls; false if it cannot tell.
bool is_settled_text(std::string_view text, bool html);

// Decodes HTML named (&nbsp; &eacute; ... the HTML5 table's common part) and
// numeric character references in text; unknown ones stay literal.
std::string decode_html_entities(std::string_view text);

// Cuts to at most max_bytes without splitting a UTF-8 sequence; true if cut.
bool truncate_utf8(std::string& text, std::size_t max_bytes);

// Makes not-well-formed XML parseable where that is safe: HTML named entities
// undefined in XML become numeric references, bare '&' becomes "&amp;",
// outside CDATA sections and comments. Returns the number of repairs.
std::size_t repair_entities(std::string& utf8_xml);

// The same, and numeric_in_sections tells whether a section it left alone
// holds a numeric reference it would have repaired outside one: pugixml
// leaves those literal in a real section, but the scan mirrors pugixml's
// lexer only so far, so the parsed text is then not known to be clean.
std::size_t repair_entities(std::string& utf8_xml, bool& numeric_in_sections);

}  // namespace feedd::parsers::detail
