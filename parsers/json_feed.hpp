#pragma once

#include <string_view>

#include "feedd/expected.hpp"
#include "feedd/parsers/parse.hpp"
#include "normalize.hpp"

namespace feedd::parsers::detail {

// JSON Feed 1 and 1.1 (https://www.jsonfeed.org/version/1.1/). A JSON
// document without a jsonfeed.org version is not a feed.
expected<raw_feed, not_a_feed> read_json_feed(std::string_view document, std::string_view document_base);

}  // namespace feedd::parsers::detail
