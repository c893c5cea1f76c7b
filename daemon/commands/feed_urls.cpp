#include "feed_urls.hpp"

#include "feedd/parsers/discovery.hpp"
#include "feedd/parsers/url.hpp"

namespace feedd::daemon {

expected<std::optional<storage::stored_url>, storage::db_error> stored_feed(storage::database& db,
                                                                            const std::string& normalized) {
  const auto http = parsers::parse_http_url(normalized);
  if (!http) return std::optional<storage::stored_url>{};
  // feeds.host is "host:port" with the default port filled in and IPv6
  // without brackets: the same key for every spelling of one origin.
  auto rows = storage::stored_urls(db, http->host + ":" + http->port);
  if (!rows) return unexpected{rows.error()};
  for (auto& row : *rows) {
    if (row.url == normalized || parsers::normalize_feed_url(row.url) == normalized) {
      return std::optional<storage::stored_url>{std::move(row)};
    }
  }
  return std::optional<storage::stored_url>{};
}

expected<std::string, storage::db_error> feed_argument(storage::database& db, const std::string& url_or_id) {
  const auto normalized = parsers::normalize_feed_url(url_or_id);
  if (!normalized) return url_or_id;
  auto found = stored_feed(db, *normalized);
  if (!found) return unexpected{found.error()};
  return *found ? std::to_string((*found)->id) : url_or_id;
}

}  // namespace feedd::daemon
