// The store thread's batch of fetched feeds in few statements (issue 12).
// The profile of store_bench (bench/README.md) showed the per-feed pair of
// statements spending a quarter of the backend's time parsing and planning
// the upsert, and a round trip each; here a batch is one UPDATE of its
// feed rows over arrays and one upsert of all their entries. An unchanged
// document (same entries digest as last time) sends no entry at all.
#include <bit>
#include <cstdio>
#include <cstring>
#include <map>
#include <unordered_set>

#include "array_columns.hpp"
#include "lease.hpp"
#include "store_feed.hpp"

namespace feedd::storage {

namespace {

// entries.cpp's fetched_feed_sql over arrays, with lease.cpp's move
// bookkeeping (RELIABILITY S3) spelled for a row of r; `o` is the row as it
// was before this statement. Rows not returned missed their lease. The
// last column says the entries digest is the stored one and was upserted
// within a day (schema_v8.hpp): the entries need not be sent.
constexpr const char* fetched_many_sql =
    "UPDATE feeds f SET title = coalesce(r.title, f.title), site_url = coalesce(r.site_url, f.site_url),"
    " etag = r.etag, last_modified = r.last_modified, last_status = r.status, last_checked_at = now(),"
    " error_count = 0, last_error = NULL, gone_since = NULL, next_check_at = now() + r.next_in * interval '1 second',"
    " lease_until = NULL, claimed_by = NULL, skip_hours = r.skip_hours, skip_days = r.skip_days,"
    " moved_to = CASE WHEN r.moved IS NULL OR o.moved_to = r.moved THEN NULL ELSE r.moved END,"
    " url = CASE WHEN o.moved_to = r.moved AND NOT EXISTS (SELECT 1 FROM feeds x WHERE x.url = r.moved)"
    "  THEN r.moved ELSE f.url END,"
    " entries_hash = r.hash,"
    " entries_hashed_at = CASE WHEN o.entries_hash = r.hash AND o.entries_hashed_at > now() - interval '1 day'"
    "  THEN o.entries_hashed_at ELSE now() END "
    "FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[],"
    "  $8::float8[], $9::text[], $10::int[], $11::int[], $12::text[])"
    " AS r(id, token, title, site_url, etag, last_modified, status, next_in, moved, skip_hours, skip_days, hash)"
    " JOIN feeds o ON o.id = r.id "
    "WHERE f.id = r.id AND f.lease_token = r.token AND f.lease_until IS NOT NULL "
    "RETURNING f.id, f.url, coalesce(o.moved_to = r.moved, false),"
    " coalesce(o.entries_hash = r.hash AND o.entries_hashed_at > now() - interval '1 day', false)";

// entries.cpp's upsert_entries_sql for the entries of many feeds (f: the
// feed id of each element); see the comments there. The rows come as
// parallel arrays in binary format rather than one jsonb: the server copies
// each field instead of lexing JSON and extracting it again (issue 12).
// The fingerprint comes computed (fingerprint.cpp), the same value SQL
// computes, so stored entries keep theirs. Counts per feed.
// - known: per feed, whether it has any entry or tombstone at all, in the
//   statement's snapshot (the one the anti-joins read): a feed without one
//   skips that probe, which cannot find anything. Besides the probes saved,
//   it spares the first batch into an empty entries table the plan that
//   rescans the pages it is inserting for every row (planned as a
//   sequential scan of a table with no rows yet; 200 ms of 490).
constexpr const char* upsert_many_sql =
    "WITH known AS MATERIALIZED ("
    " SELECT f.id, EXISTS (SELECT 1 FROM entries o WHERE o.feed_id = f.id) AS stored,"
    "  EXISTS (SELECT 1 FROM entry_tombstones t WHERE t.feed_id = f.id) AS buried"
    " FROM (SELECT DISTINCT id FROM unnest($1::bigint[]) AS id) AS f), "
    "batch AS ("
    " SELECT DISTINCT ON (e.f, k.guid) e.f AS feed_id, k.guid, e.url, e.title, e.author, e.summary, e.content,"
    "  n.stored, n.buried,"
    "  to_timestamp(e.published) AS published_at, to_timestamp(e.updated) AS updated_at,"
    "  coalesce(e.categories::text[], '{}') AS categories, coalesce(e.enclosures::jsonb, '[]') AS enclosures,"
    "  e.fingerprint"
    " FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],"
    "  $8::bigint[], $9::bigint[], $10::text[], $11::text[], $12::text[]) WITH ORDINALITY"
    "  AS e(f, guid, url, title, author, summary, content, published, updated, categories, enclosures, fingerprint, i)"
    " CROSS JOIN LATERAL (SELECT CASE WHEN octet_length(e.guid) <= 1000 THEN e.guid"
    "  ELSE 'sha256:' || encode(sha256(convert_to(e.guid, 'UTF8')), 'hex') END AS guid) AS k"
    " JOIN known n ON n.id = e.f"
    " ORDER BY e.f, k.guid, e.i), "
    "seen AS ("
    " UPDATE entry_tombstones t SET last_seen_at = now() FROM batch b"
    " WHERE b.buried AND t.feed_id = b.feed_id AND t.guid = b.guid AND t.last_seen_at < now() - interval '1 day'), "
    "upserted AS ("
    " INSERT INTO entries AS x (feed_id, guid, url, title, author, summary, content, published_at, updated_at,"
    "  categories, fingerprint)"
    " SELECT b.feed_id, b.guid, nullif(b.url, ''), nullif(b.title, ''), nullif(b.author, ''),"
    "  nullif(b.summary, ''), nullif(b.content, ''), b.published_at, b.updated_at, b.categories, b.fingerprint"
    " FROM batch b"
    " WHERE (NOT b.stored OR NOT EXISTS (SELECT 1 FROM entries o"
    "  WHERE o.feed_id = b.feed_id AND o.guid = b.guid AND o.fingerprint = b.fingerprint))"
    "  AND (NOT b.buried OR NOT EXISTS (SELECT 1 FROM entry_tombstones t WHERE t.feed_id = b.feed_id AND t.guid = b.guid))"
    " ON CONFLICT (feed_id, guid) DO UPDATE SET url = EXCLUDED.url, title = EXCLUDED.title,"
    "  author = EXCLUDED.author, summary = EXCLUDED.summary, content = EXCLUDED.content,"
    "  published_at = EXCLUDED.published_at, updated_at = EXCLUDED.updated_at,"
    "  categories = EXCLUDED.categories, fingerprint = EXCLUDED.fingerprint, changed_at = now()"
    "  WHERE x.fingerprint IS DISTINCT FROM EXCLUDED.fingerprint"
    " RETURNING x.id, x.feed_id, x.guid, (x.xmax = 0) AS inserted), "
    "dropped AS ("
    " DELETE FROM enclosures WHERE entry_id IN (SELECT id FROM upserted WHERE NOT inserted)), "
    "added AS ("
    " INSERT INTO enclosures (entry_id, url, type, length)"
    " SELECT u.id, coalesce(n.url, ''), nullif(n.type, ''), n.length"
    " FROM upserted u JOIN batch b ON b.feed_id = u.feed_id AND b.guid = u.guid"
    " CROSS JOIN LATERAL jsonb_to_recordset(b.enclosures) AS n(i int, url text, type text, length bigint)"
    " ORDER BY u.id, n.i) "
    "SELECT feed_id, count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)"
    " FROM upserted GROUP BY feed_id";

// A batch goes in statements of about this much (an array parameter may
// not exceed 1 GB; memory on both sides stays bounded).
constexpr std::size_t chunk_bytes = 32u << 20;

// 128 bits over 8-byte words in two lanes. Each step is a bijection of the
// lane for a given word, so documents that differ in one word always
// differ; other collisions are as rare as random ones, and cost at most a
// day (schema_v8.hpp). Not a security boundary: a publisher can only hide
// its own update.
class digest {
 public:
  void add(std::string_view s) {
    word(s.size());
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      std::uint64_t w = 0;
      std::memcpy(&w, s.data() + i, 8);
      word(w);
    }
    std::uint64_t tail = 0;
    if (i < s.size()) std::memcpy(&tail, s.data() + i, s.size() - i);
    word(tail);
  }
  void word(std::uint64_t w) {
    a_ = std::rotl(a_ ^ w, 29) * 0x9e3779b97f4a7c15ull;
    b_ = std::rotl(b_ + w, 37) * 0xc2b2ae3d27d4eb4full;
  }
  std::string hex() const {
    char out[33];
    std::snprintf(out, sizeof out, "%016llx%016llx", static_cast<unsigned long long>(a_ ^ (b_ >> 29)),
                  static_cast<unsigned long long>(b_ ^ (a_ >> 31)));
    return out;
  }

 private:
  std::uint64_t a_ = 0x243f6a8885a308d3ull, b_ = 0x13198a2e03707344ull;
};

std::uint64_t time_word(const std::optional<timestamp>& t) {
  return t ? static_cast<std::uint64_t>(t->time_since_epoch().count()) : 0x8000'0000'0000'0000ull;
}

// Every field the upsert writes, in document order; `distinct` gets the
// entries after dropping repeated guids (what the upsert would count).
std::string entries_digest(const std::vector<entry>& entries, int& distinct) {
  digest d;
  std::unordered_set<std::string_view> seen;
  d.word(1);  // the format of this digest
  for (const auto& e : entries) {
    if (seen.insert(e.guid).second) ++distinct;
    for (const std::string* s : {&e.guid, &e.url, &e.title, &e.author, &e.summary, &e.content}) d.add(*s);
    d.word(time_word(e.published_at));
    d.word(time_word(e.updated_at));
    d.word(e.categories.size());
    for (const auto& c : e.categories) d.add(c);
    d.word(e.enclosures.size());
    for (const auto& x : e.enclosures) {
      d.add(x.url);
      d.add(x.type);
      d.word(x.length ? static_cast<std::uint64_t>(*x.length) : 0x8000'0000'0000'0000ull);
    }
  }
  d.word(entries.size());
  return d.hex();
}

struct pending {
  std::size_t item = 0;
  int distinct = 0;
  std::string hash;
};

// The UPDATE of every pending feed row; moves and missed leases read into
// out. Leaves in `upsert` the feeds whose entries must be sent.
expected<void, db_error> update_feeds(database::impl& state, std::string_view step,
                                      const std::vector<fetched_finish>& items, const std::vector<pending>& work,
                                      std::vector<const pending*>& upsert, std::vector<store_stats>& out) {
  constexpr std::size_t unlimited = std::string_view::npos;
  columns cols(12);
  for (const auto& w : work) {
    const auto& i = items[w.item];
    cols.add(0, i.c->feed_id);
    cols.add(1, i.c->lease_token);
    cols.add_text(2, pq::storable_text(i.parsed->title, unlimited));
    cols.add_text(3, pq::storable_text(i.parsed->site_url, unlimited));
    cols.add_text(4, i.meta.etag);
    cols.add_text(5, i.meta.last_modified);
    cols.add(6, i.meta.status);
    cols.add(7, i.next.next_in.count());
    cols.add_text(8, i.meta.moved_to);
    cols.add(9, static_cast<std::int64_t>(i.parsed->skip.hours));
    cols.add(10, static_cast<std::int64_t>(i.parsed->skip.days));
    cols.add(11, w.hash);
  }
  auto r = state.exec(step, fetched_many_sql, cols.params());
  if (!r) return unexpected{r.error()};
  std::map<std::int64_t, int> row_of;
  for (int row = 0; row < pq::rows(r->get()); ++row) row_of[pq::integer(r->get(), row, 0)] = row;
  for (const auto& w : work) {
    const auto& i = items[w.item];
    auto& stats = out[w.item];
    const auto it = row_of.find(i.c->feed_id);
    if (it == row_of.end()) {
      auto missed = missed_lease(state, step, *i.c);
      if (!missed) return unexpected{missed.error()};
      stats = *missed;
      continue;
    }
    if (pq::boolean(r->get(), it->second, 2)) {
      stats.moved = pq::text(r->get(), it->second, 1) == i.meta.moved_to;
      stats.move_refused = !stats.moved;
    }
    stats.unchanged = w.distinct;
    if (!pq::boolean(r->get(), it->second, 3)) upsert.push_back(&w);
  }
  return {};
}

// One statement's parameters of upsert_many_sql, a column per array.
class entry_rows {
 public:
  entry_rows() {
    for (int k = 0; k < 12; ++k) {
      const bool integers = k == 0 || k == 7 || k == 8;
      cols_.emplace_back(integers ? pq::binary_array::int8_oid : pq::binary_array::text_oid);
    }
  }
  void add(std::int64_t feed_id, const entry& e) {
    cols_[0].add(feed_id);
    int k = 1;
    for (const std::string* s : {&e.guid, &e.url, &e.title, &e.author, &e.summary, &e.content}) {
      cols_[k++].add(jsonb_string(*s, scratch_));
    }
    add_time(7, e.published_at);
    add_time(8, e.updated_at);
    add_categories(e.categories);
    if (e.enclosures.empty()) cols_[10].add_null();
    else cols_[10].add(enclosures_value(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    cols_[11].add(fingerprint(e, scratch_));
    ++count_;
  }
  bool empty() const { return count_ == 0; }
  pq::params params() const {
    pq::params p;
    for (const auto& c : cols_) p.binary(c.finish());
    return p;
  }

 private:
  void add_time(std::size_t column, const std::optional<timestamp>& t) {
    const auto value = time_value(t);
    if (value.is_null()) cols_[column].add_null();
    else cols_[column].add(value.get<std::int64_t>());
  }
  void add_categories(const std::vector<std::string>& categories) {
    if (categories.empty()) return cols_[9].add_null();
    std::vector<std::string> values;
    for (const auto& c : categories) values.emplace_back(jsonb_string(c, scratch_));
    cols_[9].add(pq::text_array(values));
  }
  std::vector<pq::binary_array> cols_;
  std::string scratch_;
  int count_ = 0;
};

// The entries of `upsert` in statements of up to chunk_bytes; a repeated
// guid within a feed is one entry, the first.
expected<void, db_error> upsert_feeds(database::impl& state, std::string_view step,
                                      const std::vector<fetched_finish>& items, const std::vector<const pending*>& upsert,
                                      std::vector<store_stats>& out) {
  std::map<std::int64_t, std::size_t> item_of;
  std::vector<entry_rows> chunks(1);
  std::size_t size = 0;
  for (const auto* w : upsert) {
    const auto& i = items[w->item];
    item_of[i.c->feed_id] = w->item;
    std::unordered_set<std::string_view> seen;
    for (const auto& e : i.parsed->entries) {
      if (!seen.insert(e.guid).second) continue;
      const std::size_t approximate = e.guid.size() + e.url.size() + e.title.size() + e.author.size() +
                                      e.summary.size() + e.content.size() + 64 * (e.enclosures.size() + 1);
      if (size > 0 && size + approximate > chunk_bytes) {
        chunks.emplace_back();
        size = 0;
      }
      chunks.back().add(i.c->feed_id, e);
      size += approximate;
    }
  }
  for (const auto& chunk : chunks) {
    if (chunk.empty()) continue;
    auto r = state.exec(step, upsert_many_sql, chunk.params());
    if (!r) return unexpected{r.error()};
    for (int row = 0; row < pq::rows(r->get()); ++row) {
      auto& stats = out[item_of.at(pq::integer(r->get(), row, 0))];
      const auto inserted = static_cast<int>(pq::integer(r->get(), row, 1));
      const auto updated = static_cast<int>(pq::integer(r->get(), row, 2));
      stats.inserted += inserted;
      stats.updated += updated;
      stats.unchanged -= inserted + updated;
    }
  }
  return {};
}

}  // namespace

expected<void, db_error> store_many(database::impl& state, const std::vector<fetched_finish>& items,
                                    std::vector<store_stats>& out) {
  constexpr std::string_view step = "store feeds";
  std::vector<pending> work;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].next.adapt) continue;
    pending p{i, 0, {}};
    p.hash = entries_digest(items[i].parsed->entries, p.distinct);
    work.push_back(std::move(p));
  }
  if (work.empty()) return {};
  std::vector<const pending*> upsert;
  if (auto r = update_feeds(state, step, items, work, upsert, out); !r) return r;
  if (upsert.empty()) return {};
  return upsert_feeds(state, step, items, upsert, out);
}

}  // namespace feedd::storage
