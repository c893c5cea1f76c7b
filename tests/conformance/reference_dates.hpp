#pragma once

#include <optional>
#include <string_view>

#include "feedd/model.hpp"

// The instant an expectation names, read by the test itself (not by
// feedd::parsers::parse_date, which is under test): ISO 8601 / RFC 3339
// ("2003-12-31T10:14:55Z", "...-05:00") as feedparser's struct_time "iso"
// and gofeed's "publishedParsed" write it, and the RFC 822 form of the raw
// strings ("Thu, 01 Jan 2004 19:48:21 GMT"). nullopt for anything else.
namespace feedd::conformance {

std::optional<timestamp> reference_instant(std::string_view text);

}  // namespace feedd::conformance
