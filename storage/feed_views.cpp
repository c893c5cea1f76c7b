#include "feedd/storage/feed_views.hpp"

#include <algorithm>
#include <charconv>

#include "session.hpp"

namespace feedd::storage {

namespace {

// The columns read_state() expects: times as RFC 3339 UTC text, and every
// difference taken on the database's clock, as claims take theirs.
constexpr const char* state_columns =
    "SELECT id, url, coalesce(title, ''), coalesce(site_url, ''), extract(epoch FROM \"interval\")::bigint,"
    " to_char(next_check_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    " floor(extract(epoch FROM next_check_at - now()))::bigint,"
    " to_char(last_checked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    " floor(extract(epoch FROM now() - last_checked_at))::bigint,"
    " last_status, coalesce(last_error, ''), error_count, disabled,"
    " CASE WHEN lease_until > now() THEN claimed_by END,"
    " CASE WHEN lease_until > now() THEN to_char(lease_until AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') END,"
    " coalesce(etag, ''), coalesce(last_modified, ''),"
    " to_char(gone_since AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), coalesce(moved_to, '') "
    "FROM feeds ";

constexpr const char* list_states_sql_tail = "WHERE error_count > 0 OR NOT $1::bool ORDER BY id";
// A numeric id ($1) or an exact URL ($2), the other NULL.
constexpr const char* find_state_sql_tail = "WHERE id = $1::bigint OR url = $2";

// Walks entries_feed_first_seen_idx backwards.
constexpr const char* recent_entries_sql =
    "SELECT coalesce(title, ''), coalesce(url, ''),"
    " to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    " to_char(first_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    " FROM entries WHERE feed_id = $1::bigint ORDER BY first_seen_at DESC, id DESC LIMIT $2::int";
constexpr const char* entry_totals_sql =
    "SELECT count(*), to_char(max(first_seen_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    " FROM entries WHERE feed_id = $1::bigint";

constexpr const char* disable_sql = "UPDATE feeds SET disabled = true WHERE id = $1::bigint OR url = $2";
// Last check plus the new interval, or now when that has passed; a feed
// never checked keeps the due time add or import gave it. Lowering
// next_check_at fires feeds_due_sooner, which wakes idle daemons.
constexpr const char* set_interval_sql =
    "UPDATE feeds SET \"interval\" = $3::float8 * interval '1 second', next_check_at = CASE"
    " WHEN last_checked_at IS NULL THEN next_check_at"
    " ELSE greatest(now(), last_checked_at + $3::float8 * interval '1 second') END "
    "WHERE id = $1::bigint OR url = $2 RETURNING id";

constexpr const char* count_due_sql = "SELECT count(*) FROM feeds WHERE NOT disabled AND next_check_at <= now()";

feed_state read_state(const PGresult* r, int row) {
  feed_state f;
  f.id = pq::integer(r, row, 0);
  f.url = pq::text(r, row, 1);
  f.title = pq::text(r, row, 2);
  f.site_url = pq::text(r, row, 3);
  if (auto seconds = pq::optional_integer(r, row, 4)) f.interval = std::chrono::seconds(*seconds);
  f.next_check_at = pq::optional_text(r, row, 5);
  f.next_check_in_s = pq::optional_integer(r, row, 6);
  f.last_checked_at = pq::optional_text(r, row, 7);
  f.last_checked_ago_s = pq::optional_integer(r, row, 8);
  if (auto status = pq::optional_integer(r, row, 9)) f.last_status = static_cast<int>(*status);
  f.last_error = pq::text(r, row, 10);
  f.error_count = static_cast<int>(pq::integer(r, row, 11));
  f.disabled = pq::boolean(r, row, 12);
  f.claimed_by = pq::optional_text(r, row, 13);
  f.lease_until = pq::optional_text(r, row, 14);
  f.etag = pq::text(r, row, 15);
  f.last_modified = pq::text(r, row, 16);
  f.gone_since = pq::optional_text(r, row, 17);
  f.moved_to = pq::text(r, row, 18);
  return f;
}

// $1 the id when url_or_id is all digits (-1, matching nothing, when too
// large for one), else NULL; $2 the URL otherwise.
pq::params feed_ref(std::string_view url_or_id) {
  pq::params p;
  const bool digits = !url_or_id.empty() &&
                      std::all_of(url_or_id.begin(), url_or_id.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) {
    p.null().text(std::string(url_or_id));
    return p;
  }
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(url_or_id.data(), url_or_id.data() + url_or_id.size(), id);
  p.integer(ec == std::errc{} && end == url_or_id.data() + url_or_id.size() ? id : -1).null();
  return p;
}

expected<std::vector<feed_state>, db_error> states(database& db, std::string_view step, const std::string& sql,
                                                   const pq::params& p) {
  auto r = db.internals().exec(step, sql.c_str(), p);
  if (!r) return unexpected{r.error()};
  std::vector<feed_state> out;
  out.reserve(static_cast<std::size_t>(pq::rows(r->get())));
  for (int row = 0; row < pq::rows(r->get()); ++row) out.push_back(read_state(r->get(), row));
  return out;
}

}  // namespace

std::string_view status_of(const feed_state& f) {
  if (f.disabled) return "disabled";
  if (f.error_count > 0) return "failing";
  if (f.next_check_in_s && *f.next_check_in_s <= 0) return "due";
  if (!f.last_checked_at) return "new";
  return "ok";
}

expected<std::vector<feed_state>, db_error> feed_states(database& db, bool failing_only) {
  pq::params p;
  p.text(failing_only ? "true" : "false");
  return states(db, "list feeds", std::string(state_columns) + list_states_sql_tail, p);
}

expected<std::optional<feed_state>, db_error> find_feed_state(database& db, std::string_view url_or_id) {
  auto found = states(db, "find feed", std::string(state_columns) + find_state_sql_tail, feed_ref(url_or_id));
  if (!found) return unexpected{found.error()};
  if (found->empty()) return std::optional<feed_state>{};
  return std::optional<feed_state>{std::move(found->front())};
}

expected<std::vector<recent_entry>, db_error> recent_entries(database& db, std::int64_t feed_id, int limit) {
  pq::params p;
  p.integer(feed_id).integer(std::int64_t{limit});
  auto r = db.internals().exec("recent entries", recent_entries_sql, p);
  if (!r) return unexpected{r.error()};
  std::vector<recent_entry> out;
  for (int row = 0; row < pq::rows(r->get()); ++row) {
    out.push_back({std::string(pq::text(r->get(), row, 0)), std::string(pq::text(r->get(), row, 1)),
                   pq::optional_text(r->get(), row, 2), std::string(pq::text(r->get(), row, 3))});
  }
  return out;
}

expected<entry_totals, db_error> entries_of(database& db, std::int64_t feed_id) {
  pq::params p;
  p.integer(feed_id);
  auto r = db.internals().exec("count entries", entry_totals_sql, p);
  if (!r) return unexpected{r.error()};
  return entry_totals{pq::integer(r->get(), 0, 0), pq::optional_text(r->get(), 0, 1)};
}

expected<bool, db_error> disable_feed(database& db, std::string_view url_or_id) {
  auto r = db.internals().exec("disable feed", disable_sql, feed_ref(url_or_id));
  if (!r) return unexpected{r.error()};
  return pq::affected(r->get()) > 0;
}

expected<std::optional<feed_state>, db_error> set_feed_interval(database& db, std::string_view url_or_id,
                                                                std::chrono::seconds interval) {
  auto p = feed_ref(url_or_id);
  p.integer(std::int64_t{interval.count()});
  auto r = db.internals().exec("set feed interval", set_interval_sql, p);
  if (!r) return unexpected{r.error()};
  if (pq::rows(r->get()) == 0) return std::optional<feed_state>{};
  return find_feed_state(db, std::to_string(pq::integer(r->get(), 0, 0)));
}

expected<std::int64_t, db_error> count_due(database& db) {
  auto r = db.internals().exec("count due feeds", count_due_sql);
  if (!r) return unexpected{r.error()};
  return pq::integer(r->get(), 0, 0);
}

}  // namespace feedd::storage
