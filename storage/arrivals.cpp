#include "arrivals.hpp"

#include <charconv>
#include <string>

namespace feedd::storage {

namespace {

// A loose index scan of entries_feed_first_seen_idx: each step is one probe
// for the newest first_seen_at below the last one, so the many entries a
// single fetch brought (a first fetch brings the whole feed) cost nothing,
// and the query reads at most $3 index entries however big the feed is.
// Seconds since the epoch, joined by commas (one column, no array parsing).
const std::string arrivals_sql =
    "SELECT extract(epoch FROM date_trunc('second', now()))::bigint, array_to_string(ARRAY("
    "WITH RECURSIVE a (t, n) AS ("
    "(SELECT e.first_seen_at, 1 FROM entries e WHERE e.feed_id = $1::bigint ORDER BY e.first_seen_at DESC LIMIT 1)"
    " UNION ALL "
    "SELECT (SELECT e.first_seen_at FROM entries e WHERE e.feed_id = $1::bigint AND e.first_seen_at < a.t"
    " ORDER BY e.first_seen_at DESC LIMIT 1), a.n + 1 FROM a WHERE a.t IS NOT NULL AND a.n < $3::int)"
    " SELECT extract(epoch FROM date_trunc('second', t))::bigint FROM a WHERE t IS NOT NULL ORDER BY n), ',') "
    "FROM feeds f WHERE f.id = $1::bigint AND f.lease_token = $2::bigint AND f.lease_until IS NOT NULL";
const std::string locked_arrivals_sql = arrivals_sql + " FOR NO KEY UPDATE OF f";

timestamp at(std::int64_t seconds) { return timestamp{std::chrono::seconds{seconds}}; }

std::vector<timestamp> times_of(std::string_view list) {
  std::vector<timestamp> out;
  while (!list.empty()) {
    const auto comma = list.find(',');
    const auto item = list.substr(0, comma);
    std::int64_t seconds = 0;
    if (std::from_chars(item.data(), item.data() + item.size(), seconds).ec == std::errc{}) {
      out.push_back(at(seconds));
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

expected<std::optional<arrivals>, db_error> read_arrivals(database::impl& db, std::string_view step, const claim& c,
                                                          bool lock) {
  pq::params p;
  p.integer(c.feed_id).integer(c.lease_token).integer(arrivals_kept);
  auto r = db.exec(step, (lock ? locked_arrivals_sql : arrivals_sql).c_str(), p);
  if (!r) return unexpected{r.error()};
  if (pq::rows(r->get()) == 0) return std::optional<arrivals>{};
  return std::optional<arrivals>{arrivals{at(pq::integer(r->get(), 0, 0)), times_of(pq::text(r->get(), 0, 1))}};
}

}  // namespace feedd::storage
