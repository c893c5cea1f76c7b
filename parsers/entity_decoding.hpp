#pragma once

#include <string>
#include <string_view>

namespace feedd::parsers::detail {

// Decodes HTML named (&nbsp; &eacute; ... the HTML5 table's common part) and
// numeric character references in text; unknown ones stay literal.
std::string decode_html_entities(std::string_view text);

}  // namespace feedd::parsers::detail
