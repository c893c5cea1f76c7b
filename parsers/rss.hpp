#pragma once

#include <string_view>

#include <pugixml.hpp>

#include "feedd/model.hpp"
#include "normalize.hpp"
#include "xml_scope.hpp"

namespace feedd::parsers::detail {

// RSS 0.91-0.94 and 2.0 (one element set; 2.0 is the superset), with the
// content, Dublin Core, syndication, Media RSS, iTunes, FeedBurner and Atom
// extensions that real feeds lean on. root is the <rss> element.
raw_feed read_rss(pugi::xml_node root, feed_format format, const xml_scope& scope);

}  // namespace feedd::parsers::detail
