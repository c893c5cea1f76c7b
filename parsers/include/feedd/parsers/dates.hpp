#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "feedd/model.hpp"

namespace feedd::parsers {

// RFC 822/1123 with common deviations, RFC 3339 / W3C-DTF (partial dates too).
// nullopt when nothing sensible can be read; never "now".
std::optional<timestamp> parse_date(std::string_view text);

std::string format_rfc3339(timestamp t);  // "2024-01-02T03:04:05Z"

}  // namespace feedd::parsers
