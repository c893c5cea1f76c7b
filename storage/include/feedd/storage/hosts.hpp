#pragma once

#include <chrono>
#include <string_view>

#include "feedd/expected.hpp"
#include "feedd/storage/database.hpp"

namespace feedd::storage {

// The channel running instances LISTEN on (database::listen). The database
// itself sends an empty notification on it whenever a feed is inserted
// enabled, enabled, or made due sooner (next_check_at moved earlier), by
// any writer: `feeds add/import/enable` or another tool. Claims, finishes,
// releases and lease changes never send one. One per transaction at most
// (PostgreSQL folds equal notifications of a transaction into one).
inline constexpr std::string_view feeds_changed_channel = "feedd_feeds";

// No feed of `host` (claim::host) is claimed, by any instance, for `pause`
// from now (Retry-After on a 429 or 503, clamped by the caller). A pause
// never shortens one already running.
expected<void, db_error> pause_host(database& db, std::string_view host, std::chrono::seconds pause);

}  // namespace feedd::storage
