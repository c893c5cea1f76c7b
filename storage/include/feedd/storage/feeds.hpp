#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "feedd/expected.hpp"
#include "feedd/storage/database.hpp"

namespace feedd::storage {

struct feed_row {
  std::int64_t id = 0;
  std::string url;
  std::string title;
  std::string site_url;
  std::optional<std::chrono::seconds> interval;
  std::optional<std::string> next_check_at;    // RFC 3339 UTC text, as shown to users
  std::optional<std::string> last_checked_at;  // RFC 3339 UTC text
  std::optional<int> last_status;
  std::string last_error;
  int error_count = 0;
  bool disabled = false;
};

// What add_feed did. A URL that is subscribed already is an answer, not an
// error: errors are what the database refused or could not do, which the
// caller must be able to tell apart from "nothing to add".
struct add_result {
  bool already_exists = false;  // a feed has this URL; nothing changed
  feed_row row;                 // the new feed, when added
};

// The new feed is due `due_in` from now (the database's clock): feeds
// import spreads the first checks of what it adds.
expected<add_result, db_error> add_feed(database& db, std::string_view url,
                                        std::optional<std::chrono::seconds> interval,
                                        std::string_view title = {},
                                        std::chrono::milliseconds due_in = std::chrono::milliseconds(0));
expected<std::vector<feed_row>, db_error> list_feeds(database& db);
// Removes by numeric id when the argument is all digits, else by exact URL.
// Returns false when nothing matched.
expected<bool, db_error> remove_feed(database& db, std::string_view url_or_id);

// What spread_overdue did: how many feeds it moved, over how long.
struct spread_result {
  std::int64_t feeds = 0;
  std::chrono::milliseconds window{0};
};

// At start-up: the n feeds due now and not leased (enabled ones, skipping
// rows another instance has locked) are made due over the next
// min(most, n × per_feed), the most overdue first, each at a random point
// of its own n-th of that window. Nothing is moved when that window is 0.
expected<spread_result, db_error> spread_overdue(database& db, std::chrono::milliseconds most,
                                                 std::chrono::milliseconds per_feed);

// Polls a feed again (disabled = false, due now, gone_since cleared), e.g.
// one disabled after 30 days of 404/410; false when there is no such feed.
expected<bool, db_error> enable_feed(database& db, std::string_view url_or_id);

}  // namespace feedd::storage
