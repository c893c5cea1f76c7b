#pragma once

#include <cstddef>
#include <string>
#include <string_view>

// White space in titles, authors and categories: Unicode White_Space runs
// collapsed to one space, trimmed. Sixteen bytes at a time, because titles
// are mostly words and single spaces.
namespace feedd::parsers::detail {

// Runs of whitespace collapsed to one space, trimmed (no tag stripping).
std::string collapse_whitespace(std::string_view text);
void collapse_whitespace_in_place(std::string& text);

// True if to_plain_text (html) or collapse_whitespace_in_place would leave
// text as it is, from one quick scan that also finds no byte 0xC2, so no
// C1 control for map_c1_controls; false if it cannot tell.
bool is_settled_text(std::string_view text, bool html);

// to_plain_text's one scan of a title, which mostly has neither markup nor
// references: where its first '<' or '&' is (its size when none), and the
// first place before it where collapsing white space changes the text
// (npos when none).
struct plain_text_changes {
  std::size_t markup = 0;
  std::size_t collapse = std::string_view::npos;
};
plain_text_changes find_plain_text_changes(std::string_view text);

// collapse_whitespace_in_place from first, a place where collapsing
// changes the text (find_plain_text_changes), nothing before it changing.
void collapse_whitespace_from(std::string& text, std::size_t first);

}  // namespace feedd::parsers::detail
