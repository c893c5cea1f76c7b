#pragma once

#include <string>
#include <string_view>

namespace feedd::parsers::detail {

// The text of HTML as it reads: tags, comments, declarations, processing
// instructions and the content of <script> and <style> removed, a space
// where a block element (<p>, <br>, <li>...) breaks the line. References
// are left as they are.
std::string strip_tags(std::string_view html);

}  // namespace feedd::parsers::detail
