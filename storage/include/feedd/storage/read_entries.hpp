#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "feedd/expected.hpp"
#include "feedd/storage/database.hpp"

// Reading entries the way README "Reading entries" tells other programs to:
// through feedd_entries_v1, by the change cursor (schema version 5).
namespace feedd::storage {

// The channel every statement that inserts or updates entries notifies
// (after its transaction commits); the payload is described in README.
inline constexpr std::string_view entries_changed_channel = "feedd_entries";

// A position in the order of changes: (entries.change_xid, entries.id).
// {0, 0} is before every entry.
struct entry_cursor {
  std::uint64_t xid = 0;
  std::int64_t id = 0;
  friend auto operator<=>(const entry_cursor&, const entry_cursor&) = default;
};
std::string to_string(const entry_cursor& c);              // "xid:id"
std::optional<entry_cursor> parse_cursor(std::string_view text);

struct entry_filter {
  std::optional<std::int64_t> feed_id;
  // changed_at at or after this: a timestamptz PostgreSQL reads
  // (kind::content when it cannot), or seconds before now().
  std::optional<std::string> since_time;
  std::optional<std::int64_t> since_seconds;
};

// Times are UTC, "2026-12-06T20:35:13Z"; absent ones are nullopt.
struct entry_item {
  std::int64_t id = 0;
  std::int64_t feed_id = 0;
  std::string feed_url;  // as stored: redact before showing it
  std::string guid, title, link;
  std::optional<std::string> published, updated;
  std::string first_seen, changed;
  entry_cursor cursor;
};

struct entry_page {
  std::vector<entry_item> items;  // oldest change first
  entry_cursor next;              // where the next read by cursor starts
  // Changes exist past `next` that a transaction still in flight (anyone's)
  // holds back: read again soon, even without a notification.
  bool held_back = false;
};

// The `limit` most recent changes matching `filter`, oldest first; next is
// past everything committed when it ran, so reading on from it returns only
// what changes later.
expected<entry_page, db_error> latest_entries(database& db, const entry_filter& filter, int limit);

// Up to `limit` changes after `after` (feed_id of `filter` only), oldest
// first, never one past a transaction still in flight.
expected<entry_page, db_error> entries_after(database& db, const entry_cursor& after, const entry_filter& filter,
                                             int limit);

// The id of the feed `url_or_id` names (an id, or a stored URL), or nullopt.
expected<std::optional<std::int64_t>, db_error> find_feed(database& db, std::string_view url_or_id);

}  // namespace feedd::storage
