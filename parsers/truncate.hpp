#pragma once

#include <cstddef>
#include <string>

namespace feedd::parsers::detail {

// Cuts to at most max_bytes without splitting a UTF-8 sequence; true if cut.
// The field caps (RELIABILITY M4) and the names quoted in messages use it.
bool truncate_utf8(std::string& text, std::size_t max_bytes);

}  // namespace feedd::parsers::detail
