#include "text.hpp"

#include "byte_scan.hpp"
#include "entity_decoding.hpp"
#include "sanitize.hpp"
#include "strip_tags.hpp"
#include "whitespace.hpp"

namespace feedd::parsers::detail {
namespace {

// plain_text of text with a '<' or an '&': each step's output is the
// next one's input, so only they allocate.
void plain_text_of_markup(std::string& text) {
  if (text.find('<') != std::string::npos) text = strip_tags(text);
  if (text.find('&') != std::string::npos) text = decode_html_entities(text);
  collapse_whitespace_in_place(text);
}

}  // namespace

std::string plain_text(std::string_view html_or_text) {
  std::string out{html_or_text};
  if (byte_scan::find_first_of<'<', '&'>(out) == out.size()) {
    collapse_whitespace_in_place(out);
  } else {
    plain_text_of_markup(out);
  }
  return out;
}

void to_plain_text(std::string& clean_html_or_text) {
  std::string& text = clean_html_or_text;
  // One scan for most titles, which have neither markup nor references:
  // only white space may change then, and removing white space keeps clean
  // text clean.
  const plain_text_changes changes = find_plain_text_changes(text);
  if (changes.markup == text.size()) {
    if (changes.collapse != std::string_view::npos) collapse_whitespace_from(text, changes.collapse);
    return;
  }
  // Tags end at ASCII bytes, so stripping them cuts no sequence; only a
  // decoded reference (&#1;, &#xFFFE;) can bring in what sanitize removes.
  const bool references = std::string_view{text}.find('&', changes.markup) != std::string_view::npos;
  plain_text_of_markup(text);
  if (references) sanitize_utf8(text);
}

}  // namespace feedd::parsers::detail
