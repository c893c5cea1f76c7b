#pragma once

#include <string>
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

// The UPDATE that finishes a successful fetch: `assignments` (SQL, may use
// $1 feed id and $2 lease token) plus the move bookkeeping of RELIABILITY
// S3, with $<moved_param> the URL 301/308 redirects led to (NULL: none).
// moved_to remembers it; the url becomes it when moved_to already held it
// and no other feed has it. Guarded by the lease token like every finish;
// returns one row (read_move) or none when the lease was missed.
std::string finish_success_sql(std::string_view assignments, int moved_param);

// Sets stats.moved or stats.move_refused from finish_success_sql's row.
void read_move(const PGresult* row, std::string_view moved_to, store_stats& stats);

}  // namespace feedd::storage
