#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "feedd/expected.hpp"
#include "feedd/storage/database.hpp"

// What `feedd feeds list|show|disable|set` read and change: a feed's state
// as an operator wants to see it, read in one statement with the database's
// clock, so that "due" and "claimed" mean the same thing the claims do.
namespace feedd::storage {

struct feed_state {
  std::int64_t id = 0;
  std::string url;  // as stored: callers redact before printing
  std::string title;
  std::string site_url;
  std::optional<std::chrono::seconds> interval;  // the feed's own; nullopt: schedule.interval
  std::optional<std::string> next_check_at;      // RFC 3339 UTC
  std::optional<std::int64_t> next_check_in_s;   // next_check_at - now(), negative when overdue
  std::optional<std::string> last_checked_at;    // RFC 3339 UTC
  std::optional<std::int64_t> last_checked_ago_s;
  std::optional<int> last_status;  // HTTP status of the last fetch; nullopt for network errors or never
  std::string last_error;
  int error_count = 0;  // failures in a row; > 0: the last fetch failed
  bool disabled = false;
  // Set while a live lease is held (lease_until > now()): the instance's
  // claimed_by ("hostname:pid") and until when.
  std::optional<std::string> claimed_by;
  std::optional<std::string> lease_until;
  std::string etag;
  std::string last_modified;
  std::optional<std::string> gone_since;
  std::string moved_to;
};

// "disabled", "failing" (error_count > 0), "due" (next check reached: it
// is claimed at the next claim), "new" (never checked, not due yet), "ok".
std::string_view status_of(const feed_state& f);

// Every feed by id; with failing_only, those whose last fetch failed
// (error_count > 0, disabled ones included).
expected<std::vector<feed_state>, db_error> feed_states(database& db, bool failing_only);
// The feed a numeric id or exact URL names; nullopt when none.
expected<std::optional<feed_state>, db_error> find_feed_state(database& db, std::string_view url_or_id);

struct recent_entry {
  std::string title;
  std::string url;
  std::optional<std::string> published_at;  // RFC 3339 UTC
  std::string first_seen_at;                // RFC 3339 UTC, our clock
};

struct entry_totals {
  std::int64_t count = 0;
  std::optional<std::string> last_seen_at;  // newest first_seen_at
};

// The newest `limit` entries of a feed by first_seen_at (then id), and how
// many it has in all.
expected<std::vector<recent_entry>, db_error> recent_entries(database& db, std::int64_t feed_id, int limit);
expected<entry_totals, db_error> entries_of(database& db, std::int64_t feed_id);

// Stops polling a feed (disabled = true) until enable_feed; false when
// there is no such feed. A fetch in flight still finishes and is stored.
expected<bool, db_error> disable_feed(database& db, std::string_view url_or_id);

// Sets the feed's own interval and moves its next check to its last check
// plus that interval (now, when that is past; unchanged for a feed never
// checked, which is due already or spread by an import). The feed as it is
// afterwards, nullopt when there is no such feed.
expected<std::optional<feed_state>, db_error> set_feed_interval(database& db, std::string_view url_or_id,
                                                                std::chrono::seconds interval);

// Enabled feeds due now (next_check_at <= now()): what a `run --once`
// starting now has to fetch, other instances' claims aside.
expected<std::int64_t, db_error> count_due(database& db);

}  // namespace feedd::storage
