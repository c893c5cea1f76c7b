#include "lease.hpp"

namespace feedd::storage {

namespace {

constexpr const char* finished_claim_sql =
    "SELECT 1 FROM feeds WHERE id = $1::bigint AND lease_token = $2::bigint AND lease_until IS NULL";

}  // namespace

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
