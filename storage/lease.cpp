#include "lease.hpp"

namespace feedd::storage {

namespace {

constexpr const char* finished_claim_sql =
    "SELECT 1 FROM feeds WHERE id = $1::bigint AND lease_token = $2::bigint AND lease_until IS NULL";

}  // namespace

std::string finish_success_sql(std::string_view assignments, int moved_param) {
  const std::string moved = "$" + std::to_string(moved_param) + "::text";
  return "UPDATE feeds f SET " + std::string(assignments) +
         ", moved_to = CASE WHEN " + moved + " IS NULL OR o.moved_to = " + moved + " THEN NULL ELSE " + moved + " END"
         ", url = CASE WHEN o.moved_to = " + moved + " AND NOT EXISTS (SELECT 1 FROM feeds x WHERE x.url = " + moved +
         ") THEN " + moved + " ELSE f.url END "
         "FROM (SELECT id, moved_to FROM feeds WHERE id = $1::bigint) o "
         "WHERE f.id = o.id AND f.lease_token = $2::bigint AND f.lease_until IS NOT NULL "
         "RETURNING f.url, coalesce(o.moved_to = " + moved + ", false)";
}

void read_move(const PGresult* row, std::string_view moved_to, store_stats& stats) {
  if (!pq::boolean(row, 0, 1)) return;
  stats.moved = pq::text(row, 0, 0) == moved_to;
  stats.move_refused = !stats.moved;
}

expected<store_stats, db_error> missed_lease(database::impl& db, std::string_view step, const claim& c) {
  pq::params p;
  p.integer(c.feed_id).integer(c.lease_token);
  auto r = db.exec(step, finished_claim_sql, p);
  if (!r) return unexpected{r.error()};
  store_stats stats;
  if (pq::rows(r->get()) > 0) {
    stats.already_finished = true;
  } else {
    stats.lease_lost = true;
  }
  return stats;
}

}  // namespace feedd::storage
