#include "feedd/storage/feeds.hpp"

#include <algorithm>
#include <charconv>

#include "session.hpp"

namespace feedd::storage {

namespace {

// Both return the columns read_row() expects; timestamps as RFC 3339 UTC.
constexpr const char* add_feed_sql =
    "INSERT INTO feeds (url, \"interval\", title, next_check_at)"
    " VALUES ($1, $2::float8 * interval '1 second', $3, now() + $4::float8 * interval '1 millisecond') "
    "ON CONFLICT (url) DO NOTHING "
    "RETURNING id, url, coalesce(title, ''), coalesce(site_url, ''), extract(epoch FROM \"interval\")::bigint, "
    "to_char(next_check_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "to_char(last_checked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "last_status, coalesce(last_error, ''), error_count, disabled";

constexpr const char* list_feeds_sql =
    "SELECT id, url, coalesce(title, ''), coalesce(site_url, ''), extract(epoch FROM \"interval\")::bigint, "
    "to_char(next_check_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "to_char(last_checked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "last_status, coalesce(last_error, ''), error_count, disabled "
    "FROM feeds ORDER BY id";

// Locked first (FOR UPDATE may not share a query level with window
// functions), then ranked; walks feeds_due_idx. Raising next_check_at
// fires no trigger: feed_hosts keeps a lower bound, which claims raise.
constexpr const char* spread_overdue_sql =
    "WITH due AS (SELECT id, next_check_at FROM feeds WHERE NOT disabled AND next_check_at <= now()"
    " AND (lease_until IS NULL OR lease_until < now()) FOR UPDATE SKIP LOCKED), "
    "ranked AS (SELECT id, row_number() OVER (ORDER BY next_check_at, id) - 1 AS rank, count(*) OVER () AS n FROM due) "
    "UPDATE feeds f SET next_check_at = now() + (r.rank + random()) / r.n"
    " * least($1::float8, r.n * $2::float8) * interval '1 millisecond' "
    "FROM ranked r WHERE f.id = r.id AND least($1::float8, r.n * $2::float8) > 0 "
    "RETURNING r.n, least($1::float8, r.n * $2::float8)::bigint";

constexpr const char* remove_feed_by_id_sql = "DELETE FROM feeds WHERE id = $1::bigint";
constexpr const char* remove_feed_by_url_sql = "DELETE FROM feeds WHERE url = $1";
// Due at once; the 30 days of 404/410 start again from nothing.
constexpr const char* enable_feed_by_id_sql =
    "UPDATE feeds SET disabled = false, gone_since = NULL, next_check_at = now() WHERE id = $1::bigint";
constexpr const char* enable_feed_by_url_sql =
    "UPDATE feeds SET disabled = false, gone_since = NULL, next_check_at = now() WHERE url = $1";

feed_row read_row(const PGresult* r, int row) {
  feed_row f;
  f.id = pq::integer(r, row, 0);
  f.url = pq::text(r, row, 1);
  f.title = pq::text(r, row, 2);
  f.site_url = pq::text(r, row, 3);
  if (auto seconds = pq::optional_integer(r, row, 4)) f.interval = std::chrono::seconds(*seconds);
  f.next_check_at = pq::optional_text(r, row, 5);
  f.last_checked_at = pq::optional_text(r, row, 6);
  if (auto status = pq::optional_integer(r, row, 7)) f.last_status = static_cast<int>(*status);
  f.last_error = pq::text(r, row, 8);
  f.error_count = static_cast<int>(pq::integer(r, row, 9));
  f.disabled = pq::boolean(r, row, 10);
  return f;
}

std::optional<std::int64_t> as_id(std::string_view s) {
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (ec != std::errc{} || end != s.data() + s.size()) return -1;  // too large: matches no row
  return id;
}

}  // namespace

expected<add_result, db_error> add_feed(database& db, std::string_view url,
                                        std::optional<std::chrono::seconds> interval, std::string_view title,
                                        std::chrono::milliseconds due_in) {
  pq::params p;
  p.text(std::string(url));
  if (interval) {
    p.integer(interval->count());
  } else {
    p.null();
  }
  p.text_or_null(title).integer(std::max<std::int64_t>(due_in.count(), 0));
  auto r = db.internals().exec("add feed", add_feed_sql, p);
  if (!r) return unexpected{r.error()};
  // ON CONFLICT DO NOTHING returns no row for a URL already there.
  if (pq::rows(r->get()) == 0) return add_result{true, {}};
  return add_result{false, read_row(r->get(), 0)};
}

expected<spread_result, db_error> spread_overdue(database& db, std::chrono::milliseconds most,
                                                 std::chrono::milliseconds per_feed) {
  spread_result out;
  if (most.count() <= 0 || per_feed.count() <= 0) return out;
  pq::params p;
  p.integer(most.count()).integer(per_feed.count());
  auto r = db.internals().exec("spread overdue feeds", spread_overdue_sql, p);
  if (!r) return unexpected{r.error()};
  if (pq::rows(r->get()) == 0) return out;
  out.feeds = pq::rows(r->get());
  out.window = std::chrono::milliseconds(pq::integer(r->get(), 0, 1));
  return out;
}

expected<std::vector<feed_row>, db_error> list_feeds(database& db) {
  auto r = db.internals().exec("list feeds", list_feeds_sql);
  if (!r) return unexpected{r.error()};
  std::vector<feed_row> out;
  out.reserve(static_cast<std::size_t>(pq::rows(r->get())));
  for (int row = 0; row < pq::rows(r->get()); ++row) out.push_back(read_row(r->get(), row));
  return out;
}

// Runs by_id or by_url on the feed url_or_id names; whether a row changed.
expected<bool, db_error> change_feed(database& db, std::string_view step, const char* by_id, const char* by_url,
                                     std::string_view url_or_id) {
  pq::params p;
  const char* sql = by_url;
  if (auto id = as_id(url_or_id)) {
    sql = by_id;
    p.integer(*id);
  } else {
    p.text(std::string(url_or_id));
  }
  auto r = db.internals().exec(step, sql, p);
  if (!r) return unexpected{r.error()};
  return pq::affected(r->get()) > 0;
}

expected<bool, db_error> remove_feed(database& db, std::string_view url_or_id) {
  // Entries and enclosures go with it (ON DELETE CASCADE).
  return change_feed(db, "remove feed", remove_feed_by_id_sql, remove_feed_by_url_sql, url_or_id);
}

expected<bool, db_error> enable_feed(database& db, std::string_view url_or_id) {
  return change_feed(db, "enable feed", enable_feed_by_id_sql, enable_feed_by_url_sql, url_or_id);
}

}  // namespace feedd::storage
