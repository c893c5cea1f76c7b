#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace feedd::parsers::detail {

struct decoded_document {
  std::string utf8;                   // the whole document in UTF-8, ready for pugixml (parse as UTF-8)
  std::string charset;                // what was used, e.g. "windows-1252"
  std::vector<std::string> warnings;  // e.g. "encoding: declared utf-8 but bytes are not; read as windows-1252"
  // utf8 has nothing sanitize_utf8 would change (no NUL, C0 controls but
  // TAB/LF/CR, U+FFFE/U+FFFF), so that text taken from it need not be
  // checked again field by field.
  bool clean_text = false;
};

// RFC 7303 precedence: byte order mark, then the HTTP charset, then the XML
// declaration's encoding, then UTF-8. Transcodes with iconv; a mislabeled
// document falls back sensibly (invalid UTF-8 is read as windows-1252, unless
// valid multi-byte sequences outnumber the invalid ones: then only those
// become U+FFFD). Labels the bytes plainly contradict (UTF-16 bytes, 8-bit
// bytes labeled UTF-16) are overruled with a warning. The XML declaration's
// encoding pseudo-attribute is rewritten to UTF-8 so that pugixml does not
// convert a second time. Output is valid UTF-8; NUL and other controls are
// left for sanitize_utf8, field by field.
decoded_document decode_document(std::string_view bytes, std::string_view http_charset);

}  // namespace feedd::parsers::detail
