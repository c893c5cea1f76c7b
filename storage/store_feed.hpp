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
// A time as entry_value sends it: seconds since the epoch, null when
// absent or outside years 1..9999.
nlohmann::json time_value(const std::optional<timestamp>& t);
// Its "enclosures" member alone.
nlohmann::json enclosures_value(const entry& e);
// A string as the upsert's jsonb holds it: `s` itself when it is valid
// UTF-8 without NUL (what the parsers hand over), else in `scratch` what
// entry_value's JSON makes of it (NUL dropped, bad bytes as U+FFFD), so
// that sent without JSON it has the same fingerprint.
std::string_view jsonb_string(const std::string& s, std::string& scratch);

// The fingerprint the upsert stores, computed as SQL would compute it from
// entry_value's JSON (fingerprint.cpp), and the text it is the md5 of.
std::string fingerprint(const entry& e, std::string& scratch);
std::string fingerprint_text(const entry& e, std::string& scratch);

// The feeds of `items` without next.adapt, in one UPDATE over arrays and
// one upsert of all their entries (store_many.cpp), inside a transaction
// the caller has begun; out[i] gets item i's stats. Feeds whose entries
// digest is unchanged since their last store write no entry.
expected<void, db_error> store_many(database::impl& state, const std::vector<fetched_finish>& items,
                                    std::vector<store_stats>& out);

}  // namespace feedd::storage
