#pragma once

#include <string>

namespace feedd::parsers::detail {

// U+0080-U+009F replaced by the windows-1252 characters they stand for
// (U+0092 is '’'). These C1 controls never mean anything in feed text; they
// appear when a windows-1252 document was read as ISO 8859-1 on its way to
// UTF-8, which is why HTML maps the same code points this way in character
// references (HTML §13.2.5.80) and labels ISO 8859-1 as windows-1252
// (WHATWG Encoding §4.2). The five undefined in windows-1252 stay.
void map_c1_controls(std::string& utf8);

}  // namespace feedd::parsers::detail
