#include "entity_decoding.hpp"

#include "ascii.hpp"
#include "entities.hpp"
#include "numeric_references.hpp"
#include "utf8.hpp"

namespace feedd::parsers::detail {

// Named references need their ';' (the HTML5 legacy forms without it would
// turn "?a=1&copy=2" into "?a=1©=2"); numeric ones do not, as in HTML.
std::string decode_html_entities(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t amp = text.find('&', i);
    if (amp == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, amp - i));
    const std::string_view rest = text.substr(amp);
    if (rest.size() > 1 && rest[1] == '#') {
      if (const numeric_reference reference = read_numeric_reference(rest); reference.length > 0) {
        append_utf8(out, numeric_reference_target(reference.value));
        i = amp + reference.length + (reference.terminated ? 1 : 0);
        continue;
      }
    } else {
      std::size_t j = 1;
      while (j < rest.size() && j <= 32 && ascii::is_alnum(rest[j])) ++j;
      if (j > 1 && j < rest.size() && rest[j] == ';') {
        if (const auto code_point = find_html_entity(rest.substr(1, j - 1))) {
          append_utf8(out, *code_point);
          i = amp + j + 1;
          continue;
        }
      }
    }
    out += '&';  // not a reference we know: literal
    i = amp + 1;
  }
  return out;
}

}  // namespace feedd::parsers::detail
