// The "against" side of store_bench: COPY of the rows the store path writes
// into a table of the entries table's shape. The client work a COPY loader
// needs (text format, a fingerprint per row) is timed with it.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string_view>
#include <unordered_set>

#include "pq.hpp"
#include "store_bench.hpp"

namespace feedd::bench {

namespace {

// COPY text format: backslash escapes; "" is stored as NULL as the store
// path's nullif() does.
void field(std::string& out, std::string_view value) {
  if (value.empty()) {
    out += "\\N";
    return;
  }
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: out += c;
    }
  }
}

void time_field(std::string& out, const std::optional<timestamp>& t) {
  constexpr std::int64_t earliest = -62'135'596'800, latest = 253'402'300'799;  // as entries.cpp
  const std::int64_t s = t ? t->time_since_epoch().count() : 0;
  if (!t || s < earliest || s > latest) {
    out += "\\N";
    return;
  }
  const std::time_t tt = static_cast<std::time_t>(s);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d+00", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec);
  out += buf;
}

std::uint64_t fnv(std::string_view s, std::uint64_t h) {
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

// 32 hex digits, like the store path's md5 fingerprint.
void fingerprint(std::string& out, const entry& e) {
  std::uint64_t a = 0xcbf29ce484222325ull, b = 0x84222325cbf29ce4ull;
  for (std::string_view s : {std::string_view(e.url), std::string_view(e.title), std::string_view(e.author),
                             std::string_view(e.summary), std::string_view(e.content)}) {
    a = fnv(s, a);
    b = fnv(s, b ^ 0x5bd1e995);
  }
  for (const auto& c : e.categories) a = fnv(c, a);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b));
  out += buf;
}

void categories(std::string& out, const std::vector<std::string>& values) {
  field(out, storage::pq::text_array(values));
}

// One feed's rows; a repeated guid is one entry (the first), as the store
// path keeps it.
std::size_t add_rows(std::string& out, std::size_t feed_id, const feed& f) {
  std::unordered_set<std::string_view> seen;
  std::size_t rows = 0;
  for (const auto& e : f.entries) {
    if (!seen.insert(e.guid).second) continue;
    out += std::to_string(feed_id);
    out += '\t';
    if (e.guid.size() <= 1000) {
      field(out, e.guid);
    } else {
      char buf[40];
      std::snprintf(buf, sizeof buf, "sha256:%016llx", static_cast<unsigned long long>(fnv(e.guid, 0)));
      out += buf;
    }
    for (std::string_view s : {std::string_view(e.url), std::string_view(e.title), std::string_view(e.author),
                               std::string_view(e.summary), std::string_view(e.content)}) {
      out += '\t';
      field(out, s);
    }
    out += '\t';
    time_field(out, e.published_at);
    out += '\t';
    time_field(out, e.updated_at);
    out += '\t';
    categories(out, e.categories);
    out += '\t';
    fingerprint(out, e);
    out += '\n';
    ++rows;
  }
  return rows;
}

void copy_batch(PGconn* c, const std::string& data) {
  PGresult* r = PQexec(c,
                       "COPY entries_copy (feed_id, guid, url, title, author, summary, content, published_at,"
                       " updated_at, categories, fingerprint) FROM STDIN");
  if (PQresultStatus(r) != PGRES_COPY_IN) die(std::string("COPY: ") + PQerrorMessage(c));
  PQclear(r);
  if (PQputCopyData(c, data.data(), static_cast<int>(data.size())) != 1 || PQputCopyEnd(c, nullptr) != 1) {
    die(std::string("COPY data: ") + PQerrorMessage(c));
  }
  while ((r = PQgetResult(c)) != nullptr) {
    if (PQresultStatus(r) != PGRES_COMMAND_OK) die(std::string("COPY end: ") + PQerrorMessage(c));
    PQclear(r);
  }
}

}  // namespace

void create_copy_table(PGconn* c) {
  // The feed ids are the store path's (1..N): the rows are the same.
  exec_or_die(c, "CREATE TABLE entries_copy (LIKE entries INCLUDING ALL)");
}

timed_rows copy_entries(PGconn* c, const std::vector<parsed_document>& docs,
                        const std::vector<std::vector<std::size_t>>& batches) {
  const auto start = std::chrono::steady_clock::now();
  timed_rows out;
  std::string data;
  for (const auto& batch : batches) {
    data.clear();
    for (std::size_t i : batch) out.rows += add_rows(data, i + 1, docs[i].parsed);
    copy_batch(c, data);  // autocommit: one commit per batch, as the store path
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace feedd::bench
