#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "feedd/expected.hpp"
#include "feedd/storage/database.hpp"

// Retention (README "Retention"): which entries go, deleting them in small
// batches with a tombstone of each, and dropping tombstones nobody needs.
namespace feedd::storage {

// An entry's age is measured from published_at, else first_seen_at ("newest"
// means the latest of those; the higher id breaks ties). Unset: no limit.
struct retention_rules {
  std::optional<std::chrono::seconds> max_age;
  std::optional<int> max_entries_per_feed;

  bool any() const { return max_age.has_value() || max_entries_per_feed.has_value(); }
};

// A tombstone whose entry no fetch has carried for this long is dropped: a
// feed that brings an entry back after a month gets it stored again (and
// purged again by the next pass if it is still over a limit).
inline constexpr std::chrono::seconds tombstone_unseen_limit = std::chrono::hours(24 * 30);

// Entries per short transaction: a purge holds its feed's row lock (and
// delays that feed's store, nothing else) for one such batch only.
inline constexpr int purge_batch = 500;

struct purge_candidate {
  std::int64_t feed_id = 0;
  std::string url;
  std::int64_t entries = 0;  // over the rules now; 0: nothing to purge
};

struct candidate_page {
  std::vector<purge_candidate> feeds;  // every feed looked at, in id order
  std::int64_t last_id = 0;            // the next page starts after this
  bool done = false;                   // no feed after last_id
};

// Reads only (no lock): the feeds with id > after_id, at most `limit` of
// them, each with the number of its entries the rules would purge.
expected<candidate_page, db_error> purge_candidates(database& db, const retention_rules& rules, std::int64_t after_id,
                                                    int limit);

// One short transaction on one feed: deletes up to `limit` of its entries
// that the rules purge (their enclosures by cascade) and writes their
// tombstones in the same statement. nullopt: the feed row is locked (being
// stored, or purged by another instance), so nothing was done and nothing
// waited.
expected<std::optional<int>, db_error> purge_feed(database& db, const retention_rules& rules, std::int64_t feed_id,
                                                  int limit = purge_batch);

// Drops up to `limit` tombstones unseen for tombstone_unseen_limit,
// skipping rows another session holds. Returns how many went.
expected<int, db_error> drop_unseen_tombstones(database& db, int limit = purge_batch);

}  // namespace feedd::storage
