#pragma once

#include <string_view>
#include <vector>

#include "feedd/model.hpp"

namespace feedd::parsers::detail {

// RSS 2.0 <skipHours>/<skipDays> as written into the model's bit sets.
// Junk, out-of-range values and duplicates are ignored without a warning:
// these are hints, and a feed that gets them wrong is still a good feed.
skip_hints skip_hints_of(const std::vector<std::string_view>& hours, const std::vector<std::string_view>& days);

}  // namespace feedd::parsers::detail
