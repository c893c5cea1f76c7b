#include "feedd/storage/finish_batch.hpp"

#include <functional>
#include <map>

#include "array_columns.hpp"
#include "lease.hpp"
#include "session.hpp"
#include "store_feed.hpp"

namespace feedd::storage {

namespace {

// claims.cpp's not_modified_sql over arrays, with finish_success_sql's move
// bookkeeping (RELIABILITY S3) spelled for a row of r. `o` is the row as it
// was before this statement. Rows not returned missed their lease.
constexpr const char* not_modified_many_sql =
    "UPDATE feeds f SET etag = coalesce(r.etag, f.etag), last_modified = coalesce(r.last_modified, f.last_modified),"
    " last_status = r.status, last_checked_at = now(), error_count = 0, last_error = NULL, gone_since = NULL,"
    " next_check_at = now() + r.next_in * interval '1 second', lease_until = NULL, claimed_by = NULL,"
    " moved_to = CASE WHEN r.moved IS NULL OR o.moved_to = r.moved THEN NULL ELSE r.moved END,"
    " url = CASE WHEN o.moved_to = r.moved AND NOT EXISTS (SELECT 1 FROM feeds x WHERE x.url = r.moved)"
    "  THEN r.moved ELSE f.url END "
    "FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::int[], $6::float8[], $7::text[])"
    " AS r(id, token, etag, last_modified, status, next_in, moved)"
    " JOIN feeds o ON o.id = r.id "
    "WHERE f.id = r.id AND f.lease_token = r.token AND f.lease_until IS NOT NULL "
    "RETURNING f.id, f.url, coalesce(o.moved_to = r.moved, false)";

// claims.cpp's failed_sql over arrays; f.gone_since on the right is the
// value before this answer.
constexpr const char* failed_many_sql =
    "UPDATE feeds f SET last_status = r.status, last_error = r.error, error_count = f.error_count + 1,"
    " last_checked_at = now(), next_check_at = now() + r.next_in * interval '1 second',"
    " lease_until = NULL, claimed_by = NULL,"
    " gone_since = CASE WHEN r.gone THEN coalesce(f.gone_since, now()) END,"
    " disabled = f.disabled OR coalesce(r.gone AND f.gone_since <= now() - $7::float8 * interval '1 second', false) "
    "FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::text[], $5::float8[], $6::bool[])"
    " AS r(id, token, status, error, next_in, gone) "
    "WHERE f.id = r.id AND f.lease_token = r.token AND f.lease_until IS NOT NULL "
    "RETURNING f.id, f.disabled";

constexpr std::size_t last_error_limit = 1000;  // as claims.cpp

// A batch's upsert sorts up to 32 MiB of entries (store_many.cpp): with the
// default 4 MB work_mem its rows spilled to temporary files, and store_bench
// measured the batch 20 % faster without that. For this transaction only.
constexpr const char* batch_work_mem_sql = "SELECT set_config('work_mem', '64MB', true)";

// The items the statement's RETURNING did not name missed their lease:
// already finished (a retry) or taken over, asked one by one (rare).
template <class Item>
expected<std::vector<store_stats>, db_error> read_rows(database::impl& state, std::string_view step,
                                                       const std::vector<Item>& items, const PGresult* r,
                                                       const std::function<void(const PGresult*, int, const Item&, store_stats&)>& read) {
  std::map<std::int64_t, int> row_of;
  for (int row = 0; row < pq::rows(r); ++row) row_of[pq::integer(r, row, 0)] = row;
  std::vector<store_stats> out;
  out.reserve(items.size());
  for (const auto& item : items) {
    const auto it = row_of.find(item.c->feed_id);
    if (it == row_of.end()) {
      auto missed = missed_lease(state, step, *item.c);
      if (!missed) return unexpected{missed.error()};
      out.push_back(*missed);
      continue;
    }
    store_stats stats;
    read(r, it->second, item, stats);
    out.push_back(stats);
  }
  return out;
}

}  // namespace

expected<std::vector<store_stats>, db_error> finish_not_modified_batch(database& db,
                                                                       const std::vector<not_modified_finish>& items) {
  constexpr std::string_view step = "store not modified";
  if (items.empty()) return std::vector<store_stats>{};
  columns cols(7);
  for (const auto& i : items) {
    cols.add(0, i.c->feed_id);
    cols.add(1, i.c->lease_token);
    cols.add_text(2, i.meta.etag);
    cols.add_text(3, i.meta.last_modified);
    cols.add(4, i.meta.status);
    cols.add(5, i.next_in.count());
    cols.add_text(6, i.meta.moved_to);
  }
  auto& state = db.internals();
  auto r = state.exec(step, not_modified_many_sql, cols.params());
  if (!r) return unexpected{r.error()};
  // RETURNING f.id, f.url, moved: read_move wants url and moved at columns 0 and 1 of row 0.
  return read_rows<not_modified_finish>(state, step, items, r->get(),
                                        [](const PGresult* res, int row, const not_modified_finish& i, store_stats& s) {
                                          if (!pq::boolean(res, row, 2)) return;
                                          s.moved = pq::text(res, row, 1) == i.meta.moved_to;
                                          s.move_refused = !s.moved;
                                        });
}

expected<std::vector<store_stats>, db_error> finish_failed_batch(database& db, const std::vector<failed_finish>& items) {
  constexpr std::string_view step = "store failure";
  if (items.empty()) return std::vector<store_stats>{};
  columns cols(6);
  for (const auto& i : items) {
    cols.add(0, i.c->feed_id);
    cols.add(1, i.c->lease_token);
    cols.add(2, i.status ? std::optional<std::string>(std::to_string(*i.status)) : std::nullopt);
    cols.add(3, pq::storable_text(i.error, last_error_limit));
    cols.add(4, i.next_in.count());
    cols.add(5, std::string(i.gone ? "t" : "f"));
  }
  auto p = cols.params();
  p.integer(std::chrono::duration_cast<std::chrono::seconds>(disable_gone_after).count());
  auto& state = db.internals();
  auto r = state.exec(step, failed_many_sql, p);
  if (!r) return unexpected{r.error()};
  return read_rows<failed_finish>(state, step, items, r->get(),
                                  [](const PGresult* res, int row, const failed_finish&, store_stats& s) {
                                    s.disabled = pq::boolean(res, row, 1);
                                  });
}

expected<std::vector<store_stats>, db_error> finish_fetched_batch(database& db, const std::vector<fetched_finish>& items) {
  constexpr std::string_view step = "store feeds";
  std::vector<store_stats> out;
  if (items.empty()) return out;
  auto& state = db.internals();
  auto tx = transaction::begin(state, step);
  if (!tx) return unexpected{tx.error()};
  if (auto r = state.exec(step, batch_work_mem_sql); !r) return unexpected{r.error()};
  if (auto r = commit_durably(state, step); !r) return unexpected{r.error()};
  out.resize(items.size());
  if (auto r = store_many(state, items, out); !r) return unexpected{r.error()};
  // schedule.adaptive: each reads its feed's arrivals, one by one.
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!items[i].next.adapt) continue;
    auto stats = store_feed(state, *items[i].c, *items[i].parsed, items[i].meta, items[i].next);
    if (!stats) return unexpected{stats.error()};
    out[i] = *stats;
  }
  if (auto r = tx->commit(step); !r) return unexpected{r.error()};
  return out;
}

}  // namespace feedd::storage
