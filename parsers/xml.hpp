#pragma once

#include <string_view>

#include <pugixml.hpp>

#include "ascii.hpp"

// XML names and trees as the format parsers read them: the namespaces they
// know by URI, qualified names, attributes, document order. pugixml
// compares prefixed names literally, so every name test goes through the
// namespace URI the prefix is bound to (Namespaces in XML 1.0, section 6),
// as newsboat's node_is does: see xml_scope.hpp.
namespace feedd::parsers::detail {

namespace ns {
inline constexpr std::string_view none = "";
inline constexpr std::string_view xml = "http://www.w3.org/XML/1998/namespace";
inline constexpr std::string_view atom10 = "http://www.w3.org/2005/Atom";
inline constexpr std::string_view atom03 = "http://purl.org/atom/ns#";
// Names the Atom drafts went by before 0.3 (Echo, Necho, Pie); feeds
// written against them have the 0.3 shape.
inline constexpr std::string_view atom_drafts[] = {"http://example.com/newformat#", "http://example.com/necho",
                                                   "http://purl.org/echo/", "http://purl.org/pie/"};
inline constexpr std::string_view rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
inline constexpr std::string_view rss10 = "http://purl.org/rss/1.0/";
inline constexpr std::string_view rss090 = "http://my.netscape.com/rdf/simple/0.9/";
inline constexpr std::string_view rss090_channel = "http://channel.netscape.com/rdf/simple/0.9/";
inline constexpr std::string_view content = "http://purl.org/rss/1.0/modules/content/";
inline constexpr std::string_view dc = "http://purl.org/dc/elements/1.1/";
inline constexpr std::string_view dcterms = "http://purl.org/dc/terms/";
inline constexpr std::string_view sy = "http://purl.org/rss/1.0/modules/syndication/";
inline constexpr std::string_view media = "http://search.yahoo.com/mrss/";
inline constexpr std::string_view itunes = "http://www.itunes.com/dtds/podcast-1.0.dtd";
inline constexpr std::string_view itunes_capitalized = "http://www.itunes.com/DTDs/PodCast-1.0.dtd";
inline constexpr std::string_view feedburner = "http://rssnamespace.org/feedburner/ext/1.0";
inline constexpr std::string_view xhtml = "http://www.w3.org/1999/xhtml";
}  // namespace ns

// The characters pugixml takes in names (a superset of XML 1.0 §2.3's
// NameStartChar and NameChar in ASCII, any byte of a multi-byte sequence).
constexpr bool is_name_start(char c) {
  return ascii::is_alpha(c) || c == '_' || c == ':' || static_cast<unsigned char>(c) >= 0x80;
}
constexpr bool is_name_char(char c) { return is_name_start(c) || ascii::is_digit(c) || c == '-' || c == '.'; }

std::string_view local_name(std::string_view qualified_name);
std::string_view prefix_of(std::string_view qualified_name);  // "" when unprefixed

// A NUL-terminated name equal to text (which has no NUL), without strlen.
inline bool name_equals(const char* name, std::string_view text) {
  for (const char c : text) {
    if (*name != c) return false;
    ++name;
  }
  return *name == '\0';
}

// The attribute with that local name in no namespace (the usual case).
std::string_view attribute(pugi::xml_node element, std::string_view local);

// The next node in document order below root, without recursion.
pugi::xml_node next_in_document_order(pugi::xml_node node, pugi::xml_node root);

// The same, past node's descendants.
pugi::xml_node next_after_subtree(pugi::xml_node node, pugi::xml_node root);

}  // namespace feedd::parsers::detail
