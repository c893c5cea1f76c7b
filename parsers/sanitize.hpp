#pragma once

#include <string>
#include <string_view>

// The text every string of the model must be (model.hpp).
namespace feedd::parsers::detail {

// Valid UTF-8 without NUL or C0 controls other than TAB, LF, CR (and without
// U+FFFE/U+FFFF, surrogates or code points above U+10FFFF): PostgreSQL text
// rejects them (SQLSTATE 22021). Invalid sequences become U+FFFD.
void sanitize_utf8(std::string& text);
bool is_clean_utf8(std::string_view text);

}  // namespace feedd::parsers::detail
