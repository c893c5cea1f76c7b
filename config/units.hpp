#pragma once

#include <cstddef>
#include <string_view>

#include "feedd/config/config.hpp"
#include "feedd/expected.hpp"

namespace feedd::config {

// Why a duration or size did not parse, so that the loader can say more than
// "malformed" (a bare "30" is the commonest mistake).
enum class unit_error { empty, negative, missing_unit, malformed, overflow };

expected<duration, unit_error> parse_duration_checked(std::string_view text);
expected<std::size_t, unit_error> parse_size_checked(std::string_view text);

}  // namespace feedd::config
