#include "feedd/storage/feed_state_totals.hpp"

#include "session.hpp"

namespace feedd::storage {

namespace {

constexpr const char* count_sql =
    "SELECT count(*) FILTER (WHERE NOT disabled AND error_count = 0),"
    " count(*) FILTER (WHERE NOT disabled AND error_count > 0),"
    " count(*) FILTER (WHERE disabled),"
    " count(*) FILTER (WHERE NOT disabled AND next_check_at <= now()) "
    "FROM feeds";

}  // namespace

expected<feed_state_totals, db_error> count_feed_states(database& db) {
  auto r = db.internals().exec("count feed states", count_sql);
  if (!r) return unexpected{r.error()};
  const PGresult* rows = r->get();
  return feed_state_totals{pq::integer(rows, 0, 0), pq::integer(rows, 0, 1), pq::integer(rows, 0, 2), pq::integer(rows, 0, 3)};
}

}  // namespace feedd::storage
