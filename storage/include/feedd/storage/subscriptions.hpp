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

// A feed as a subscription list (OPML) describes it: what feeds add and
// feeds import write and feeds export reads.
struct subscription {
  std::int64_t id = 0;  // 0 until stored
  std::string url;
  std::string title;
  std::string site_url;
  std::string category;  // folder, nested ones joined by "/"; empty: none
  std::optional<std::chrono::seconds> interval;  // empty: schedule.interval
};

// What add_subscription did; already_exists: a feed has exactly this URL.
struct subscribe_result {
  bool already_exists = false;
  std::int64_t id = 0;
};

// Inserts the feed (URL as given: the caller normalizes), due `due_in` from
// now by the database's clock. A URL refused by the database (too long, a
// constraint) is a db_error of kind content.
expected<subscribe_result, db_error> add_subscription(database& db, const subscription& s,
                                                      std::chrono::milliseconds due_in);

// Every feed, ordered by id.
expected<std::vector<subscription>, db_error> list_subscriptions(database& db);

// id and URL of every feed whose host key (feeds.host, "host:port") is
// `host_key`, or of every feed when it is empty: the candidates a
// normalized URL is compared with, rows stored before URLs were
// normalized included.
struct stored_url {
  std::int64_t id = 0;
  std::string url;
};
expected<std::vector<stored_url>, db_error> stored_urls(database& db, std::string_view host_key = {});

}  // namespace feedd::storage
