#pragma once

#include <string_view>

#include <pugixml.hpp>

#include "feedd/model.hpp"
#include "normalize.hpp"
#include "xml_scope.hpp"

namespace feedd::parsers::detail {

// RSS 1.0 and RSS 0.90: an rdf:RDF root whose channel and items are siblings
// in the RSS namespace (http://web.resource.org/rss/1.0/spec), with the
// Dublin Core, content and syndication modules.
raw_feed read_rdf(pugi::xml_node root, feed_format format, const xml_scope& scope);

}  // namespace feedd::parsers::detail
