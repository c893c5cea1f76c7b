#include "feedd/storage/claims.hpp"

#include <algorithm>

#include "arrivals.hpp"
#include "host_claims.hpp"
#include "lease.hpp"
#include "session.hpp"

namespace feedd::storage {

namespace {

// next_check_at stays as it was, so the feed is due again at once. Its
// host's feed_hosts bound needs no lowering: a claim raises a bound only
// past hosts with no due feed, leased or not.
constexpr const char* release_sql =
    "UPDATE feeds SET lease_until = NULL, claimed_by = NULL, lease_token = NULL "
    "WHERE id = $1::bigint AND lease_token = $2::bigint";
constexpr const char* release_many_sql =
    "UPDATE feeds f SET lease_until = NULL, claimed_by = NULL, lease_token = NULL "
    "FROM unnest($1::bigint[], $2::bigint[]) AS r(id, token) "
    "WHERE f.id = r.id AND f.lease_token = r.token";

// A lease that ran out but was not taken over (same token) is still ours;
// lease_until IS NOT NULL leaves finished claims alone. next_check_at is not
// touched, so no trigger runs.
constexpr const char* extend_leases_sql =
    "UPDATE feeds f SET lease_until = now() + $3::float8 * interval '1 second' "
    "FROM unnest($1::bigint[], $2::bigint[]) AS e(id, token) "
    "WHERE f.id = e.id AND f.lease_token = e.token AND f.lease_until IS NOT NULL "
    "RETURNING f.id";

// A feed under a live lease is not claimable before the lease ends, nor a
// feed of a paused host before the pause ends: counting them as due now
// would make the scheduler spin on feeds in flight. Index-driven
// (feed_hosts holds a lower bound per host, migrations.cpp version 3):
// 0 as soon as one host whose bound has come has a claimable feed;
// otherwise the least of, for those hosts, the first lease to end or feed
// to come due (they are few: all their due feeds are in flight), the first
// bound yet to come of a host not paused past it, and the end of a pause
// past a host's bound. NULL when no feed is enabled.
constexpr const char* next_due_in_sql =
    "SELECT CASE WHEN EXISTS (SELECT 1 FROM feed_hosts h WHERE h.next_due_at <= now()"
    " AND (h.paused_until IS NULL OR h.paused_until <= now()) AND EXISTS (SELECT 1 FROM feeds f"
    " WHERE f.host = h.host AND NOT f.disabled AND f.next_check_at <= now()"
    " AND (f.lease_until IS NULL OR f.lease_until < now()))) THEN 0 ELSE "
    "ceil(extract(epoch FROM least("
    "(SELECT min(greatest(coalesce(h.paused_until, s.at), s.at)) FROM feed_hosts h CROSS JOIN LATERAL ("
    "SELECT CASE WHEN EXISTS (SELECT 1 FROM feeds f WHERE f.host = h.host AND NOT f.disabled"
    " AND f.next_check_at <= now() AND (f.lease_until IS NULL OR f.lease_until < now())) THEN now() ELSE least("
    "(SELECT min(f.lease_until) FROM feeds f WHERE f.host = h.host AND NOT f.disabled AND f.next_check_at <= now()),"
    "(SELECT min(f.next_check_at) FROM feeds f WHERE f.host = h.host AND NOT f.disabled AND f.next_check_at > now()))"
    " END AS at) s WHERE h.next_due_at <= now() AND s.at IS NOT NULL),"
    "(SELECT min(next_due_at) FROM feed_hosts WHERE next_due_at > now() AND next_due_at < 'infinity'"
    " AND (paused_until IS NULL OR paused_until <= next_due_at)),"
    "(SELECT min(paused_until) FROM feed_hosts WHERE paused_until > now() AND paused_until > next_due_at"
    " AND next_due_at > now() AND next_due_at < 'infinity')"
    ") - now()))::bigint END";

// The token stays after a finish so that a retry can tell "already done"
// from "taken over" (missed_lease); lease_until IS NOT NULL makes the retry
// itself change nothing.
const std::string not_modified_sql = finish_success_sql(
    "etag = coalesce($3, etag), last_modified = coalesce($4, last_modified),"
    " last_status = $5::int, last_checked_at = now(), error_count = 0, last_error = NULL, gone_since = NULL,"
    " next_check_at = now() + $6::float8 * interval '1 second', lease_until = NULL, claimed_by = NULL",
    7);

constexpr std::size_t last_error_limit = 1000;
// gone_since on the right is the value before this answer: a feed is
// disabled by the first "gone" answer ($7) that comes disable_gone_after or
// more after the first of an uninterrupted run.
constexpr const char* failed_sql =
    "UPDATE feeds SET last_status = $3::int, last_error = $4, error_count = error_count + 1,"
    " last_checked_at = now(), next_check_at = now() + $5::float8 * interval '1 second',"
    " lease_until = NULL, claimed_by = NULL,"
    " gone_since = CASE WHEN $7::bool THEN coalesce(gone_since, now()) END,"
    " disabled = disabled OR coalesce($7::bool AND gone_since <= now() - $6::float8 * interval '1 second', false) "
    "WHERE id = $1::bigint AND lease_token = $2::bigint AND lease_until IS NOT NULL "
    "RETURNING disabled";

constexpr const char* unfetchable_sql =
    "UPDATE feeds SET disabled = true, last_status = NULL, last_error = $3, error_count = error_count + 1,"
    " last_checked_at = now(), gone_since = NULL, lease_until = NULL, claimed_by = NULL "
    "WHERE id = $1::bigint AND lease_token = $2::bigint AND lease_until IS NOT NULL";

// $1 feed ids and $2 lease tokens of `claims`, as bigint[] literals.
void add_ids_and_tokens(pq::params& p, const std::vector<claim>& claims) {
  std::vector<std::int64_t> ids;
  std::vector<std::int64_t> tokens;
  for (const auto& c : claims) {
    ids.push_back(c.feed_id);
    tokens.push_back(c.lease_token);
  }
  p.text(pq::integer_array(ids)).text(pq::integer_array(tokens));
}

}  // namespace

expected<void, db_error> release(database& db, const claim& c) {
  pq::params p;
  p.integer(c.feed_id).integer(c.lease_token);
  auto r = db.internals().exec("release claim", release_sql, p);
  if (!r) return unexpected{r.error()};
  return {};
}

expected<void, db_error> release(database& db, const std::vector<claim>& claims) {
  if (claims.empty()) return {};
  pq::params p;
  add_ids_and_tokens(p, claims);
  auto r = db.internals().exec("release claims", release_many_sql, p);
  if (!r) return unexpected{r.error()};
  return {};
}

expected<std::vector<std::int64_t>, db_error> extend_leases(database& db, const std::vector<claim>& claims,
                                                            std::chrono::seconds lease) {
  std::vector<std::int64_t> held;
  if (claims.empty()) return held;
  pq::params p;
  add_ids_and_tokens(p, claims);
  p.integer(lease.count());
  auto r = db.internals().exec("extend leases", extend_leases_sql, p);
  if (!r) return unexpected{r.error()};
  for (int row = 0; row < pq::rows(r->get()); ++row) held.push_back(pq::integer(r->get(), row, 0));
  std::sort(held.begin(), held.end());
  return held;
}

const char* next_due_in_statement() { return next_due_in_sql; }

expected<std::optional<std::chrono::seconds>, db_error> next_due_in(database& db) {
  auto r = db.internals().exec("next due", next_due_in_sql);
  if (!r) return unexpected{r.error()};
  auto seconds = pq::optional_integer(r->get(), 0, 0);
  if (!seconds) return std::optional<std::chrono::seconds>{};
  return std::optional<std::chrono::seconds>{std::chrono::seconds(std::max<std::int64_t>(*seconds, 0))};
}

// With adapt, one read more before the UPDATE: a 304 brings no entry, so
// the arrivals read first are those of this finish.
expected<store_stats, db_error> finish_not_modified(database& db, const claim& c, const http_meta& meta,
                                                    const next_check& next) {
  constexpr std::string_view step = "store not modified";
  auto& state = db.internals();
  auto next_in = next.next_in;
  if (next.adapt) {
    auto seen = read_arrivals(state, step, c, false);
    if (!seen) return unexpected{seen.error()};
    if (!*seen) return missed_lease(state, step, c);
    next_in = next.adapt(**seen);
  }
  pq::params p;
  p.integer(c.feed_id).integer(c.lease_token).text_or_null(meta.etag).text_or_null(meta.last_modified);
  p.integer(meta.status).integer(next_in.count()).text_or_null(meta.moved_to);
  auto r = state.exec(step, not_modified_sql.c_str(), p);
  if (!r) return unexpected{r.error()};
  if (pq::affected(r->get()) == 0) return missed_lease(state, step, c);
  store_stats stats;
  read_move(r->get(), meta.moved_to, stats);
  return stats;
}

expected<store_stats, db_error> finish_failed(database& db, const claim& c, std::optional<int> status,
                                              std::string_view error, std::chrono::seconds next_in, bool gone) {
  constexpr std::string_view step = "store failure";
  auto& state = db.internals();
  pq::params p;
  p.integer(c.feed_id).integer(c.lease_token);
  if (status) {
    p.integer(*status);
  } else {
    p.null();
  }
  p.text(pq::storable_text(error, last_error_limit)).integer(next_in.count());
  p.integer(std::chrono::duration_cast<std::chrono::seconds>(disable_gone_after).count());
  p.text(gone ? "true" : "false");
  auto r = state.exec(step, failed_sql, p);
  if (!r) return unexpected{r.error()};
  if (pq::affected(r->get()) == 0) return missed_lease(state, step, c);
  store_stats stats;
  stats.disabled = pq::boolean(r->get(), 0, 0);
  return stats;
}

expected<store_stats, db_error> disable_unfetchable(database& db, const claim& c, std::string_view error) {
  constexpr std::string_view step = "disable unfetchable";
  auto& state = db.internals();
  pq::params p;
  p.integer(c.feed_id).integer(c.lease_token).text(pq::storable_text(error, last_error_limit));
  auto r = state.exec(step, unfetchable_sql, p);
  if (!r) return unexpected{r.error()};
  if (pq::affected(r->get()) == 0) return missed_lease(state, step, c);
  store_stats stats;
  stats.disabled = true;
  return stats;
}

}  // namespace feedd::storage
