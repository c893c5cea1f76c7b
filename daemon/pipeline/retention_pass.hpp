#pragma once

#include <cstdint>
#include <functional>

#include "feedd/config/config.hpp"
#include "feedd/storage/database.hpp"
#include "feedd/storage/retention.hpp"

// One retention pass (README "Retention"), shared by `feedd purge` and the
// daemon's retention thread: every feed over a limit loses its surplus in
// short batches (storage/retention.hpp), then tombstones unseen for a month
// go. Whoever runs it owns the connection; the store thread's is never used.
namespace feedd::daemon {

// retention.* as the storage layer reads it; 0 is "no limit".
storage::retention_rules rules_of(const config::retention_settings& settings);

struct pass_result {
  std::int64_t entries = 0;     // deleted (each with its tombstone)
  std::int64_t feeds = 0;       // that lost at least one entry
  std::int64_t busy_feeds = 0;  // locked throughout (being stored or purged elsewhere): left for the next pass
  std::int64_t tombstones = 0;  // dropped, unseen for storage::tombstone_unseen_limit
};

// Runs until done, or the first database error, or `between_batches`
// (called after every batch, with the counts so far in `done`) returns
// true: stop now. On error the counts so far stay in `done`.
expected<pass_result, storage::db_error> purge_pass(storage::database& db, const storage::retention_rules& rules,
                                                    const std::function<bool()>& between_batches, pass_result& done);

}  // namespace feedd::daemon
