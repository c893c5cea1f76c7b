#pragma once

#include <string_view>

#include "feedd/expected.hpp"
#include "feedd/storage/claims.hpp"
#include "session.hpp"

namespace feedd::storage {

// Called when a finishing UPDATE guarded by the lease token matched no row.
// The token stays on the feed after a finish (only lease_until is cleared), so
// a retry whose first COMMIT did land is told apart from a lease another
// instance took over: already_finished versus lease_lost.
expected<store_stats, db_error> missed_lease(database::impl& db, std::string_view step, const claim& c);

}  // namespace feedd::storage
