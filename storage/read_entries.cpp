#include "feedd/storage/read_entries.hpp"

#include <algorithm>
#include <charconv>

#include "session.hpp"

namespace feedd::storage {

namespace {

std::string utc(std::string_view column) {
  return "to_char(" + std::string(column) + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";
}

// Through the view other programs read (README "Reading entries"), so that
// the command shows exactly what the contract promises.
const std::string entry_columns = "id, feed_id, feed_url, guid, coalesce(title, ''), coalesce(url, ''), " +
                                  utc("published_at") + ", " + utc("updated_at") + ", " + utc("first_seen_at") +
                                  ", " + utc("changed_at") + ", change_xid::text";

// Every transaction below the horizon has ended, and none can start below
// it: rows of smaller change_xid are final, all others may still be joined
// by rows committed later. held_back: some committed row is above it.
constexpr const char* horizon_sql =
    "SELECT h::text, EXISTS (SELECT 1 FROM entries WHERE change_xid >= h)"
    " FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS h) AS s";

const std::string latest_sql =
    "SELECT " + entry_columns + " FROM ("
    " SELECT * FROM feedd_entries_v1 WHERE change_xid < $1::xid8"
    "  AND ($2::bigint IS NULL OR feed_id = $2::bigint)"
    "  AND ($3::timestamptz IS NULL OR changed_at >= $3::timestamptz)"
    "  AND ($4::bigint IS NULL OR changed_at >= now() - $4::bigint * interval '1 second')"
    " ORDER BY change_xid DESC, id DESC LIMIT $5::int) AS v"
    " ORDER BY change_xid, id";

const std::string after_sql =
    "SELECT " + entry_columns + " FROM feedd_entries_v1"
    " WHERE (change_xid, id) > ($1::xid8, $2::bigint) AND change_xid < $3::xid8"
    "  AND ($4::bigint IS NULL OR feed_id = $4::bigint)"
    " ORDER BY change_xid, id LIMIT $5::int";

constexpr const char* feed_by_id_sql = "SELECT id FROM feeds WHERE id = $1::bigint";
constexpr const char* feed_by_url_sql = "SELECT id FROM feeds WHERE url = $1";

std::optional<std::uint64_t> as_xid(std::string_view s) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<std::int64_t> as_id(std::string_view s) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

entry_item read_item(const PGresult* r, int row) {
  entry_item e;
  e.id = pq::integer(r, row, 0);
  e.feed_id = pq::integer(r, row, 1);
  e.feed_url = pq::text(r, row, 2);
  e.guid = pq::text(r, row, 3);
  e.title = pq::text(r, row, 4);
  e.link = pq::text(r, row, 5);
  e.published = pq::optional_text(r, row, 6);
  e.updated = pq::optional_text(r, row, 7);
  e.first_seen = pq::text(r, row, 8);
  e.changed = pq::text(r, row, 9);
  e.cursor = {as_xid(pq::text(r, row, 10)).value_or(0), e.id};
  return e;
}

struct horizon {
  std::string xid;  // as text, for the next statement
  entry_cursor start;
  bool held_back = false;
};

expected<horizon, db_error> read_horizon(database::impl& state, std::string_view step) {
  auto r = state.exec(step, horizon_sql);
  if (!r) return unexpected{r.error()};
  horizon h{std::string(pq::text(r->get(), 0, 0)), {}, pq::boolean(r->get(), 0, 1)};
  h.start = {as_xid(h.xid).value_or(0), 0};
  return h;
}

// The items of `r`; next is past them and, when `complete` (everything below
// the horizon that matters was considered), at least the horizon.
entry_page read_page(const PGresult* r, const horizon& h, const entry_cursor& after, bool complete) {
  entry_page page;
  for (int i = 0; i < pq::rows(r); ++i) page.items.push_back(read_item(r, i));
  page.next = page.items.empty() ? after : page.items.back().cursor;
  if (complete) page.next = std::max(page.next, h.start);
  page.held_back = h.held_back;
  return page;
}

}  // namespace

std::string to_string(const entry_cursor& c) { return std::to_string(c.xid) + ':' + std::to_string(c.id); }

std::optional<entry_cursor> parse_cursor(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto xid = as_xid(text.substr(0, colon));
  auto id = as_id(text.substr(colon + 1));
  if (!xid || !id) return std::nullopt;
  return entry_cursor{*xid, *id};
}

expected<entry_page, db_error> latest_entries(database& db, const entry_filter& filter, int limit) {
  constexpr std::string_view step = "read entries";
  auto& state = db.internals();
  auto h = read_horizon(state, step);
  if (!h) return unexpected{h.error()};
  pq::params p;
  p.text(h->xid).integer(filter.feed_id);
  if (filter.since_time) p.text(*filter.since_time); else p.null();
  p.integer(filter.since_seconds).integer(limit);
  auto r = state.exec(step, latest_sql.c_str(), p);
  if (!r) return unexpected{r.error()};
  // What was left out below the horizon is older than the page or filtered
  // out, never to be shown.
  return read_page(r->get(), *h, {}, true);
}

expected<entry_page, db_error> entries_after(database& db, const entry_cursor& after, const entry_filter& filter,
                                             int limit) {
  constexpr std::string_view step = "read entries by cursor";
  auto& state = db.internals();
  auto h = read_horizon(state, step);
  if (!h) return unexpected{h.error()};
  pq::params p;
  p.text(std::to_string(after.xid)).integer(after.id).text(h->xid).integer(filter.feed_id).integer(limit);
  auto r = state.exec(step, after_sql.c_str(), p);
  if (!r) return unexpected{r.error()};
  return read_page(r->get(), *h, after, pq::rows(r->get()) < limit);
}

expected<std::optional<std::int64_t>, db_error> find_feed(database& db, std::string_view url_or_id) {
  pq::params p;
  const bool numeric = !url_or_id.empty() && std::all_of(url_or_id.begin(), url_or_id.end(),
                                                         [](char c) { return c >= '0' && c <= '9'; });
  if (numeric && !as_id(url_or_id)) return std::optional<std::int64_t>{};  // too large for an id
  p.text(std::string(url_or_id));
  auto r = db.internals().exec("find feed", numeric ? feed_by_id_sql : feed_by_url_sql, p);
  if (!r) return unexpected{r.error()};
  if (pq::rows(r->get()) == 0) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{pq::integer(r->get(), 0, 0)};
}

}  // namespace feedd::storage
