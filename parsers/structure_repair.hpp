#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Element structure for documents pugixml refuses: liberal parsers
// (browsers, libxml2's recover mode, feedparser's loose mode) keep going
// where a tag is left open or closed twice, and so must we, or one slip in
// one item costs every entry of the feed.
namespace feedd::parsers::detail {

// More open elements than this at once and the repair gives up: real feeds
// nest a few dozen deep, and what needs closing is written out again.
// pugixml itself has no limit (RELIABILITY M3: a million unclosed elements
// stay a parse error).
inline constexpr std::size_t max_repair_depth = 1024;

struct repaired_structure {
  std::string text;
  // One per kind of repair made inside the document ("xml: ..."), with a
  // count and the first place.
  std::vector<std::string> warnings;
  // What the end of input left open and how it was closed; empty when the
  // document ends with every element closed.
  std::string end_note;
  bool changed = false;
};

// One linear pass over the tags, comments, CDATA sections, processing
// instructions and the DOCTYPE, keeping the stack of open elements:
// - an end tag naming an open ancestor closes the elements above it first
//   (as HTML parsers do);
// - an end tag that matches no open element is skipped;
// - an <item> (an <entry> in Atom) closes whatever is still open inside
//   the previous one, or inside the channel: entries never nest;
// - HTML void elements (<br>, <img>...) close where they start;
// - a '<' that starts no markup is text;
// - the root's end tag followed by more elements is ignored, so that they
//   stay inside the root;
// - at the end of input, an unfinished tag and the text after the last
//   complete one are cut, an unfinished entry is dropped (its guid may be
//   in the lost part; it comes back whole with the next fetch) and the
//   rest is closed.
// Content is never reordered. Attribute syntax is not repaired. nullopt
// when more than max_repair_depth elements would be open at once.
std::optional<repaired_structure> repair_structure(std::string_view text);

}  // namespace feedd::parsers::detail
