#include "sanitize.hpp"

#include <utility>

#include "utf8.hpp"

namespace feedd::parsers::detail {
namespace {

// Offset of the first sequence that sanitize_utf8 would change, or npos.
std::size_t first_unclean(std::string_view text) { return first_rejected<true>(text); }

}  // namespace

void sanitize_utf8(std::string& text) {
  const std::size_t first = first_unclean(text);
  if (first == std::string_view::npos) return;
  std::string out;
  out.reserve(text.size());
  const std::string_view view = text;
  out.append(view.substr(0, first));  // whole sequences, all kept
  for (std::size_t pos = first; pos < view.size();) {
    const utf8_sequence sequence = decode_utf8(view, pos);
    if (!sequence.valid) {
      append_utf8(out, replacement_character);
    } else if (!is_unwanted_in_text(sequence.code_point)) {
      out.append(view.substr(pos, sequence.length));
    }
    pos += sequence.length;
  }
  text = std::move(out);
}

bool is_clean_utf8(std::string_view text) { return first_unclean(text) == std::string_view::npos; }

}  // namespace feedd::parsers::detail
