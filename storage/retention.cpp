#include "feedd/storage/retention.hpp"

#include "session.hpp"

namespace feedd::storage {

namespace {

// The age every statement here orders and compares by; the expression of
// entries_feed_age_idx (schema_v7.hpp), so that the index serves them.
#define FEEDD_ENTRY_AGE "coalesce(e.published_at, e.first_seen_at)"

// $3 max_entries_per_feed, $4 max_age in seconds (NULL: no limit). Both rules
// select a prefix of the feed's entries oldest first, so their union is the
// longer prefix: the count is the larger of the two.
constexpr const char* candidates_sql =
    "SELECT f.id, f.url, greatest("
    "  CASE WHEN $3::int IS NULL THEN 0 ELSE (SELECT count(*) FROM entries e WHERE e.feed_id = f.id) - $3::int END,"
    "  (SELECT count(*) FROM entries e WHERE e.feed_id = f.id"
    "   AND " FEEDD_ENTRY_AGE " < now() - $4::float8 * interval '1 second'),"
    "  0) "
    "FROM (SELECT id, url FROM feeds WHERE id > $1::bigint ORDER BY id LIMIT $2::int) f ORDER BY f.id";

// $2 max_entries_per_feed, $3 max_age in seconds (NULL: no limit), $4 batch.
// - locked: the feed row, or nothing when another session holds it. The
//   store locks it first in every transaction that writes the feed's
//   entries, so while a purge holds it the store of that feed waits (one
//   batch) and its upsert then sees the tombstones; a store in progress
//   makes the purge skip the feed instead of waiting. Two purging
//   instances skip each other's feeds the same way: neither ever waits.
// - victims: beyond the newest $2 (walking $2 + $4 index entries from the
//   newest), and older than $3 seconds (from the oldest), $4 at most.
// - gone/buried: the delete (enclosures by ON DELETE CASCADE) and the
//   tombstones of exactly the rows it deleted, in one statement.
constexpr const char* purge_feed_sql =
    "WITH locked AS (SELECT id FROM feeds WHERE id = $1::bigint FOR NO KEY UPDATE SKIP LOCKED), "
    "victims AS ("
    " (SELECT e.id FROM entries e WHERE e.feed_id = $1::bigint AND $2::int IS NOT NULL AND EXISTS (SELECT FROM locked)"
    "  ORDER BY " FEEDD_ENTRY_AGE " DESC, e.id DESC OFFSET $2::int LIMIT $4::int)"
    " UNION"
    " (SELECT e.id FROM entries e WHERE e.feed_id = $1::bigint AND EXISTS (SELECT FROM locked)"
    "  AND " FEEDD_ENTRY_AGE " < now() - $3::float8 * interval '1 second'"
    "  ORDER BY " FEEDD_ENTRY_AGE ", e.id LIMIT $4::int)"
    " LIMIT $4::int), "
    "gone AS (DELETE FROM entries x USING victims v WHERE x.id = v.id RETURNING x.feed_id, x.guid), "
    "buried AS (INSERT INTO entry_tombstones (feed_id, guid) SELECT feed_id, guid FROM gone"
    " ON CONFLICT (feed_id, guid) DO NOTHING) "
    "SELECT (SELECT count(*) FROM locked), (SELECT count(*) FROM gone)";

#undef FEEDD_ENTRY_AGE

constexpr const char* drop_tombstones_sql =
    "WITH doomed AS (SELECT feed_id, guid FROM entry_tombstones"
    " WHERE last_seen_at < now() - $1::float8 * interval '1 second' ORDER BY last_seen_at LIMIT $2::int"
    " FOR UPDATE SKIP LOCKED) "
    "DELETE FROM entry_tombstones t USING doomed d WHERE t.feed_id = d.feed_id AND t.guid = d.guid";

void rule_params(pq::params& p, const retention_rules& rules) {
  if (rules.max_entries_per_feed) {
    p.integer(*rules.max_entries_per_feed);
  } else {
    p.null();
  }
  if (rules.max_age) {
    p.integer(rules.max_age->count());
  } else {
    p.null();
  }
}

}  // namespace

expected<candidate_page, db_error> purge_candidates(database& db, const retention_rules& rules, std::int64_t after_id,
                                                    int limit) {
  pq::params p;
  p.integer(after_id).integer(limit);
  rule_params(p, rules);
  auto r = db.internals().exec("purge candidates", candidates_sql, p);
  if (!r) return unexpected{r.error()};
  candidate_page page;
  page.last_id = after_id;
  const int n = pq::rows(r->get());
  for (int i = 0; i < n; ++i) {
    purge_candidate c{pq::integer(r->get(), i, 0), std::string(pq::text(r->get(), i, 1)), pq::integer(r->get(), i, 2)};
    page.last_id = c.feed_id;
    page.feeds.push_back(std::move(c));
  }
  page.done = n < limit;
  return page;
}

expected<std::optional<int>, db_error> purge_feed(database& db, const retention_rules& rules, std::int64_t feed_id,
                                                  int limit) {
  pq::params p;
  p.integer(feed_id);
  rule_params(p, rules);
  p.integer(limit);
  auto r = db.internals().exec("purge", purge_feed_sql, p);
  if (!r) return unexpected{r.error()};
  if (pq::integer(r->get(), 0, 0) == 0) return std::optional<int>{};
  return std::optional<int>{static_cast<int>(pq::integer(r->get(), 0, 1))};
}

expected<int, db_error> drop_unseen_tombstones(database& db, int limit) {
  pq::params p;
  p.integer(tombstone_unseen_limit.count()).integer(limit);
  auto r = db.internals().exec("drop tombstones", drop_tombstones_sql, p);
  if (!r) return unexpected{r.error()};
  return static_cast<int>(pq::affected(r->get()));
}

}  // namespace feedd::storage
