#pragma once

#include <string_view>

#include <pugixml.hpp>

#include "xml.hpp"

// Name tests for extension modules whose namespace URI feeds spell more
// than one way; matching stays by namespace, never by prefix.
namespace feedd::parsers::detail {

// iTunes: Apple's own documents write ".../dtds/podcast-1.0.dtd",
// ".../DTDs/PodCast-1.0.dtd" and ".../DTDs/Podcast-1.0.dtd"; the URI is
// compared without regard to case, as podcast clients do.
bool is_itunes(const xml_scope& scope, pugi::xml_node node, std::string_view local);

// Media RSS: "http://search.yahoo.com/mrss/", also written without the
// final slash.
bool is_media(const xml_scope& scope, pugi::xml_node node, std::string_view local);

}  // namespace feedd::parsers::detail
