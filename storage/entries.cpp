#include <string>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "feedd/storage/claims.hpp"
#include "arrivals.hpp"
#include "lease.hpp"
#include "store_feed.hpp"
#include "session.hpp"

namespace feedd::storage {

namespace {

// Guarded by the lease token (0 rows: another instance owns the feed, or a
// retry of a finish that did commit). Locks the feed row for the rest of the
// transaction. A parsed title/site_url replaces the stored one only when
// present; ETag and Last-Modified are those of this response (none: none).
const std::string fetched_feed_sql = finish_success_sql(
    "title = coalesce($3, title), site_url = coalesce($4, site_url),"
    " etag = $5, last_modified = $6, last_status = $7::int, last_checked_at = now(),"
    " error_count = 0, last_error = NULL, gone_since = NULL, next_check_at = now() + $8::float8 * interval '1 second',"
    " lease_until = NULL, claimed_by = NULL, skip_hours = $10::int, skip_days = $11::int,"
    // Stored one by one (schedule.adaptive): no digest kept (store_many.cpp).
    " entries_hash = NULL",
    9);

// Every entry of a batch in one statement, from one jsonb parameter.
// - batch: one row per guid (DISTINCT ON guards against duplicates the
//   client missed: ON CONFLICT cannot touch a row twice in one statement).
//   A guid too long for a btree entry (~2700 bytes) is replaced by its hash.
//   The fingerprint covers every stored field, categories and enclosures.
// - upserted: unchanged entries are filtered out before the insert, so they
//   are neither rewritten nor even row-locked (no new tuple, no WAL); the
//   ON CONFLICT condition repeats the test for a row that appears meanwhile.
//   xmax = 0 marks a fresh insert.
// - dropped/added: enclosures of inserted and updated entries only. Both see
//   the statement's snapshot, so the DELETE removes only the old rows.
constexpr const char* upsert_entries_sql =
    "WITH batch AS ("
    " SELECT DISTINCT ON (k.guid) k.guid, e.url, e.title, e.author, e.summary, e.content,"
    "  to_timestamp(e.published) AS published_at, to_timestamp(e.updated) AS updated_at,"
    "  coalesce(e.categories, '{}') AS categories, coalesce(e.enclosures, '[]') AS enclosures,"
    "  md5(jsonb_build_array(1, e.url, e.title, e.author, e.summary, e.content, e.published, e.updated,"
    "   coalesce(e.categories, '{}'), coalesce(e.enclosures, '[]'))::text) AS fingerprint"
    " FROM jsonb_to_recordset($2::jsonb) AS e(i int, guid text, url text, title text, author text, summary text,"
    "  content text, published bigint, updated bigint, categories text[], enclosures jsonb)"
    " CROSS JOIN LATERAL (SELECT CASE WHEN octet_length(e.guid) <= 1000 THEN e.guid"
    "  ELSE 'sha256:' || encode(sha256(convert_to(e.guid, 'UTF8')), 'hex') END AS guid) AS k"
    " ORDER BY k.guid, e.i), "
    // A purged entry the feed still carries keeps its tombstone (retention.hpp,
    // tombstone_unseen_limit); written at most once a day per tombstone.
    "seen AS ("
    " UPDATE entry_tombstones t SET last_seen_at = now() FROM batch b"
    " WHERE t.feed_id = $1::bigint AND t.guid = b.guid AND t.last_seen_at < now() - interval '1 day'), "
    "upserted AS ("
    " INSERT INTO entries AS x (feed_id, guid, url, title, author, summary, content, published_at, updated_at,"
    "  categories, fingerprint)"
    " SELECT $1::bigint, b.guid, nullif(b.url, ''), nullif(b.title, ''), nullif(b.author, ''),"
    "  nullif(b.summary, ''), nullif(b.content, ''), b.published_at, b.updated_at, b.categories, b.fingerprint"
    " FROM batch b"
    " WHERE NOT EXISTS (SELECT 1 FROM entries o"
    "  WHERE o.feed_id = $1::bigint AND o.guid = b.guid AND o.fingerprint = b.fingerprint)"
    // Retention purged it (storage/retention.hpp): not stored again.
    "  AND NOT EXISTS (SELECT 1 FROM entry_tombstones t WHERE t.feed_id = $1::bigint AND t.guid = b.guid)"
    " ON CONFLICT (feed_id, guid) DO UPDATE SET url = EXCLUDED.url, title = EXCLUDED.title,"
    "  author = EXCLUDED.author, summary = EXCLUDED.summary, content = EXCLUDED.content,"
    "  published_at = EXCLUDED.published_at, updated_at = EXCLUDED.updated_at,"
    "  categories = EXCLUDED.categories, fingerprint = EXCLUDED.fingerprint, changed_at = now()"
    "  WHERE x.fingerprint IS DISTINCT FROM EXCLUDED.fingerprint"
    " RETURNING x.id, x.guid, (x.xmax = 0) AS inserted), "
    "dropped AS ("
    " DELETE FROM enclosures WHERE entry_id IN (SELECT id FROM upserted WHERE NOT inserted)), "
    "added AS ("
    " INSERT INTO enclosures (entry_id, url, type, length)"
    " SELECT u.id, coalesce(n.url, ''), nullif(n.type, ''), n.length"
    " FROM upserted u JOIN batch b ON b.guid = u.guid"
    " CROSS JOIN LATERAL jsonb_to_recordset(b.enclosures) AS n(i int, url text, type text, length bigint)"
    " ORDER BY u.id, n.i) "
    "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upserted";

// jsonb refuses values above 256 MiB; big feeds go in several statements of
// the same transaction instead.
constexpr std::size_t chunk_bytes = 32u << 20;

}  // namespace

// PostgreSQL's timestamptz covers 4713 BC to 294276 AD, to_timestamp less;
// a date outside years 1..9999 is a parser's guess, not worth failing the feed.
constexpr std::int64_t earliest_time = -62'135'596'800;  // 0001-01-01T00:00:00Z
constexpr std::int64_t latest_time = 253'402'300'799;    // 9999-12-31T23:59:59Z

nlohmann::json time_value(const std::optional<timestamp>& t) {
  if (!t) return nullptr;
  const std::int64_t s = t->time_since_epoch().count();
  if (s < earliest_time || s > latest_time) return nullptr;
  return s;
}

// jsonb rejects \u0000 (SQLSTATE 22P05); the parsers strip NUL already.
std::string text_value(const std::string& s) {
  if (s.find('\0') == std::string::npos) return s;
  std::string out = s;
  std::erase(out, '\0');
  return out;
}

nlohmann::json enclosures_value(const entry& e) {
  nlohmann::json enclosures = nlohmann::json::array();
  int n = 0;
  for (const auto& x : e.enclosures) {
    nlohmann::json length = nullptr;
    if (x.length) length = *x.length;
    enclosures.push_back({{"i", n++}, {"url", text_value(x.url)}, {"type", text_value(x.type)}, {"length", length}});
  }
  return enclosures;
}

std::string_view jsonb_string(const std::string& s, std::string& scratch) {
  if (pq::is_storable(s)) return s;
  scratch = nlohmann::json::parse(nlohmann::json(text_value(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
                .get<std::string>();
  return scratch;
}

nlohmann::json entry_value(const entry& e, int index) {
  nlohmann::json enclosures = enclosures_value(e);
  nlohmann::json categories = nlohmann::json::array();
  for (const auto& c : e.categories) categories.push_back(text_value(c));
  return {{"i", index},
          {"guid", text_value(e.guid)},
          {"url", text_value(e.url)},
          {"title", text_value(e.title)},
          {"author", text_value(e.author)},
          {"summary", text_value(e.summary)},
          {"content", text_value(e.content)},
          {"published", time_value(e.published_at)},
          {"updated", time_value(e.updated_at)},
          {"categories", std::move(categories)},
          {"enclosures", std::move(enclosures)}};
}

namespace {

struct batches {
  std::vector<std::string> chunks;  // JSON arrays for upsert_entries_sql
  int entries = 0;                  // after dropping repeated guids
};

// A feed that repeats a guid means one entry: the first occurrence wins.
batches make_batches(const std::vector<entry>& entries) {
  batches out;
  std::unordered_set<std::string_view> seen;
  nlohmann::json chunk = nlohmann::json::array();
  std::size_t size = 0;
  auto flush = [&] {
    if (chunk.empty()) return;
    // Invalid UTF-8 (which the parsers already rule out) becomes U+FFFD
    // rather than failing the whole feed.
    out.chunks.push_back(chunk.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    chunk = nlohmann::json::array();
    size = 0;
  };
  for (const auto& e : entries) {
    if (!seen.insert(e.guid).second) continue;
    const std::size_t approximate = e.guid.size() + e.url.size() + e.title.size() + e.author.size() +
                                    e.summary.size() + e.content.size() + 64 * (e.enclosures.size() + 1);
    if (size > 0 && size + approximate > chunk_bytes) flush();
    chunk.push_back(entry_value(e, out.entries++));
    size += approximate;
  }
  flush();
  return out;
}

// Upserts every entry of `work`, adding what it inserted and updated to stats.
expected<void, db_error> upsert_entries(database::impl& state, std::string_view step, const claim& c, batches& work,
                                        store_stats& stats) {
  for (auto& chunk : work.chunks) {
    pq::params q;
    q.integer(c.feed_id).text(std::move(chunk));
    auto r = state.exec(step, upsert_entries_sql, q);
    if (!r) return unexpected{r.error()};
    stats.inserted += static_cast<int>(pq::integer(r->get(), 0, 0));
    stats.updated += static_cast<int>(pq::integer(r->get(), 0, 1));
  }
  stats.unchanged = work.entries - stats.inserted - stats.updated;
  return {};
}

// The UPDATE of the feed row (fetched_feed_sql), lease token guarded.
expected<pq::result, db_error> update_feed(database::impl& state, std::string_view step, const claim& c,
                                           const feed& parsed, const http_meta& meta, std::chrono::seconds next_in) {
  pq::params p;
  // The parsers hand over clean UTF-8 without NUL; should one ever fail to,
  // the feed is still stored (RELIABILITY D6) rather than refused with 22021
  // on every fetch. Entries get the same through their JSON (make_batches).
  constexpr std::size_t unlimited = std::string_view::npos;
  p.integer(c.feed_id).integer(c.lease_token);
  p.text_or_null(pq::storable_text(parsed.title, unlimited)).text_or_null(pq::storable_text(parsed.site_url, unlimited));
  p.text_or_null(meta.etag).text_or_null(meta.last_modified).integer(meta.status).integer(next_in.count());
  p.text_or_null(meta.moved_to).integer(parsed.skip.hours).integer(parsed.skip.days);
  return state.exec(step, fetched_feed_sql.c_str(), p);
}

}  // namespace

// Without adapt the feed row is updated first: that both checks the lease
// and locks the row before any entry is written. With adapt, next_check_at
// depends on what the upsert inserts, so read_arrivals checks and locks
// instead, and the row is updated last. A missed lease writes nothing, so
// a batch's transaction goes on with its other feeds (finish_batch.cpp).
expected<store_stats, db_error> store_feed(database::impl& state, const claim& c, const feed& parsed,
                                           const http_meta& meta, const next_check& next) {
  constexpr std::string_view step = "store feed";
  store_stats stats;
  std::optional<arrivals> seen;
  if (next.adapt) {
    auto held = read_arrivals(state, step, c, true);
    if (!held) return unexpected{held.error()};
    if (!*held) return missed_lease(state, step, c);
    seen = std::move(*held);
  } else {
    auto lease = update_feed(state, step, c, parsed, meta, next.next_in);
    if (!lease) return unexpected{lease.error()};
    if (pq::affected(lease->get()) == 0) return missed_lease(state, step, c);
    read_move(lease->get(), meta.moved_to, stats);
  }

  auto work = make_batches(parsed.entries);
  if (auto r = upsert_entries(state, step, c, work, stats); !r) return unexpected{r.error()};

  if (seen) {
    // This fetch's new entries were first seen at now(), the newest arrival.
    if (stats.inserted > 0 && (seen->times.empty() || seen->times.front() < seen->now)) {
      seen->times.insert(seen->times.begin(), seen->now);
    }
    auto lease = update_feed(state, step, c, parsed, meta, next.adapt(*seen));
    if (!lease) return unexpected{lease.error()};
    read_move(lease->get(), meta.moved_to, stats);
  }
  return stats;
}

expected<store_stats, db_error> finish_fetched(database& db, const claim& c, const feed& parsed,
                                               const http_meta& meta, const next_check& next) {
  // Without adapt, the batch's statements: an unchanged document writes no entry.
  if (!next.adapt) {
    auto done = finish_fetched_batch(db, {fetched_finish{&c, &parsed, meta, next}});
    if (!done) return unexpected{done.error()};
    return done->front();
  }
  constexpr std::string_view step = "store feed";
  auto& state = db.internals();
  auto tx = transaction::begin(state, step);
  if (!tx) return unexpected{tx.error()};
  if (auto r = commit_durably(state, step); !r) return unexpected{r.error()};
  auto stats = store_feed(state, c, parsed, meta, next);
  if (!stats) return stats;
  if (auto r = tx->commit(step); !r) return unexpected{r.error()};
  return stats;
}

}  // namespace feedd::storage
