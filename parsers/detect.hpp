#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <pugixml.hpp>

#include "feedd/expected.hpp"
#include "feedd/model.hpp"
#include "feedd/parsers/parse.hpp"
#include "xml_scope.hpp"

namespace feedd::parsers::detail {

enum class syntax { xml, json };

// JSON Feed announces itself by media type or by its first byte; a document
// that starts with '<' is XML whatever its label says.
syntax sniff_syntax(std::string_view document, std::string_view content_type);

// The format of an XML document by its root element's expanded name and
// version; anything else (an HTML page, an OPML file) is not a feed. An
// Atom Entry Document (root <entry>, RFC 4287 §4.1.2) is Atom.
expected<feed_format, not_a_feed> detect_xml_format(pugi::xml_node root, const xml_scope& scope);

// The element to read as the feed: the document's root, or, when that is
// <html> (some CMSs and caches wrap a feed in an XHTML page), the one feed
// element inside it, with a warning. A page with no feed, or several, is
// not a feed.
expected<pugi::xml_node, not_a_feed> feed_element(const pugi::xml_document& document, const xml_scope& scope,
                                                  std::vector<std::string>& warnings);

// The namespace of an rdf:RDF document's channel and items: RSS 1.0, RSS
// 0.90, or none when it has neither.
std::string_view rdf_rss_namespace(pugi::xml_node root, const xml_scope& scope);

}  // namespace feedd::parsers::detail
