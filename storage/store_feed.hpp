#pragma once

#include "feedd/expected.hpp"
#include "feedd/storage/claims.hpp"
#include "session.hpp"

namespace feedd::storage {

// finish_fetched's work inside a transaction the caller has begun: the
// feed row and its entries, guarded by the lease token. A missed lease
// (lease_lost or already_finished) writes nothing, so the caller's
// transaction may go on with other feeds.
expected<store_stats, db_error> store_feed(database::impl& state, const claim& c, const feed& parsed,
                                           const http_meta& meta, const next_check& next);

}  // namespace feedd::storage
