#pragma once

#include <string_view>

#include <pugixml.hpp>

#include "feedd/model.hpp"
#include "normalize.hpp"
#include "xml_scope.hpp"

namespace feedd::parsers::detail {

// Atom 1.0 (RFC 4287) and the Atom 0.3 draft (same shape, other names:
// issued/modified, content modes). xml:base on any element applies to the
// links below it (RFC 4287, 2; XML Base). root is a <feed>, or the <entry>
// of an Entry Document, read as a feed of that one entry.
raw_feed read_atom(pugi::xml_node root, feed_format format, const xml_scope& scope);

}  // namespace feedd::parsers::detail
