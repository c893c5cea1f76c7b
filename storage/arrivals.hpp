#pragma once

#include <string_view>

#include "feedd/expected.hpp"
#include "feedd/storage/claims.hpp"
#include "session.hpp"

namespace feedd::storage {

// The feed's arrivals (claims.hpp) before this finish writes anything, or
// nullopt when the claim's lease token no longer holds the feed. `lock`
// also row-locks the feed (FOR NO KEY UPDATE) for the rest of the caller's
// transaction, as the finishing UPDATE would have.
expected<std::optional<arrivals>, db_error> read_arrivals(database::impl& db, std::string_view step, const claim& c,
                                                          bool lock);

}  // namespace feedd::storage
