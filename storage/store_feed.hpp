#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "feedd/expected.hpp"
#include "feedd/storage/finish_batch.hpp"
#include "feedd/storage/claims.hpp"
#include "session.hpp"

namespace feedd::storage {

// finish_fetched's work inside a transaction the caller has begun: the
// feed row and its entries, guarded by the lease token. A missed lease
// (lease_lost or already_finished) writes nothing, so the caller's
// transaction may go on with other feeds.
expected<store_stats, db_error> store_feed(database::impl& state, const claim& c, const feed& parsed,
                                           const http_meta& meta, const next_check& next);

// One entry as the upsert statements read it from their jsonb parameter
// (index: its position, the first of a repeated guid wins).
nlohmann::json entry_value(const entry& e, int index);

// The feeds of `items` without next.adapt, in one UPDATE over arrays and
// one upsert of all their entries (store_many.cpp), inside a transaction
// the caller has begun; out[i] gets item i's stats. Feeds whose entries
// digest is unchanged since their last store write no entry.
expected<void, db_error> store_many(database::impl& state, const std::vector<fetched_finish>& items,
                                    std::vector<store_stats>& out);

}  // namespace feedd::storage
