#pragma once

#include <string>
#include <string_view>

// Titles, authors and categories as plain text.
namespace feedd::parsers::detail {

// Tags stripped, HTML entities decoded, runs of whitespace collapsed to one
// space, trimmed.
std::string plain_text(std::string_view html_or_text);

// plain_text in place, for text that is already what sanitize_utf8 makes
// of it; so is the result. Text without markup or references is not copied.
void to_plain_text(std::string& clean_html_or_text);

}  // namespace feedd::parsers::detail
