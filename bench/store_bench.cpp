// store_bench: the store thread's path against COPY of the same rows (issue
// 12's "store new entries" and "store unchanged" rows), and what synchronous
// commit costs the store path.
//
//   scripts/pg-cluster start /tmp/storebench          # prints the conninfo
//   cmake --preset bench && cmake --build --preset bench --target store_bench
//   build/bench/bench/store_bench --corpus DIR --conninfo "$(scripts/pg-cluster conninfo /tmp/storebench)"
//       --json FILE [--reps 5] [--feeds N]
//
// DIR holds bench/corpus.py's manifest.json and its files. Every document
// is parsed first (not timed). Each repetition makes a fresh database
// (store_bench, dropped and created from the conninfo's), migrated by
// feedd, with one feed row per document, and measures, each after a
// CHECKPOINT:
// - ours, new: the store thread's path, storage::finish_fetched_batch over
//   the batches store_batch.cpp forms (at most 64 results or 16 MiB of
//   documents), every feed claimed first as the daemon claims it, on a
//   connection with feedd's default synchronous commit;
// - ours, unchanged: the same documents again (the feeds made due and
//   claimed again, untimed): nothing is new;
// - COPY: the same rows (one per distinct guid and feed) into entries_copy,
//   CREATE TABLE (LIKE entries INCLUDING ALL): same columns, defaults and
//   indexes, not entries' triggers nor foreign key; one COPY and commit
//   per store batch, synchronous commit;
// - ours, new, with database.synchronous_commit off, in a database of its
//   own.
// Rows/s is distinct entries over wall time. The order of ours and COPY
// (and of sync on and off) alternates between repetitions; each ratio is
// one repetition's, the table their median, min and max.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "feedd/parsers/parse.hpp"
#include "feedd/storage/claims.hpp"
#include "feedd/storage/database.hpp"
#include "feedd/storage/finish_batch.hpp"
#include "store_bench.hpp"

namespace feedd::bench {

using namespace std::chrono_literals;
using json = nlohmann::json;

void die(const std::string& what) {
  std::fprintf(stderr, "store_bench: %s\n", what.c_str());
  std::exit(1);
}

void exec_or_die(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  const auto status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) die(sql + ": " + PQerrorMessage(c));
  PQclear(r);
}

std::vector<std::vector<std::size_t>> store_batches(const std::vector<parsed_document>& docs) {
  constexpr std::size_t batch_results = 64, batch_bytes = 16u << 20;  // daemon/pipeline/store_batch.cpp
  std::vector<std::vector<std::size_t>> out;
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < docs.size(); ++i) {
    if (out.empty() || out.back().size() >= batch_results || bytes >= batch_bytes) {
      out.emplace_back();
      bytes = 0;
    }
    out.back().push_back(i);
    bytes += docs[i].bytes;
  }
  return out;
}

namespace {

struct settings {
  std::string corpus, conninfo, json_file;
  int reps = 5;
  std::size_t feeds = 0;  // 0: every document of the manifest
};

settings parse_arguments(int argc, char** argv) {
  settings s;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) die("missing value after " + a);
    const std::string v = argv[++i];
    if (a == "--corpus") s.corpus = v;
    else if (a == "--conninfo") s.conninfo = v;
    else if (a == "--json") s.json_file = v;
    else if (a == "--reps") s.reps = std::stoi(v);
    else if (a == "--feeds") s.feeds = std::stoul(v);
    else die("unknown argument " + a);
  }
  if (s.corpus.empty() || s.conninfo.empty() || s.json_file.empty() || s.reps < 1) {
    die("usage: store_bench --corpus DIR --conninfo C --json FILE [--reps N] [--feeds N]");
  }
  return s;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) die("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// "application/rss+xml; charset=iso-8859-1" -> media type and charset, as
// the fetch side hands them to the parser.
std::pair<std::string, std::string> split_content_type(const std::string& value) {
  const auto semi = value.find(';');
  std::string media = value.substr(0, semi), charset;
  if (const auto at = value.find("charset="); at != std::string::npos) {
    charset = value.substr(at + 8);
    charset = charset.substr(0, charset.find_first_of("; "));
    std::erase(charset, '"');
  }
  return {media, charset};
}

std::vector<parsed_document> load_corpus(const settings& s, std::size_t& total_bytes) {
  const json manifest = json::parse(read_file(s.corpus + "/manifest.json"));
  std::vector<parsed_document> docs;
  for (const auto& f : manifest.at("feeds")) {
    if (s.feeds != 0 && docs.size() >= s.feeds) break;
    const std::string path = f.at("path");
    const std::string body = read_file(s.corpus + "/" + path);
    const auto [media, charset] = split_content_type(f.value("content_type", ""));
    const std::string url = "http://127.0.0.1:8080/" + path;
    auto parsed = parsers::parse(body, {url, charset, media});
    if (!parsed) die(path + ": " + parsed.error().message);
    docs.push_back({std::move(*parsed), body.size()});
    total_bytes += body.size();
  }
  if (docs.empty()) die("no documents in " + s.corpus);
  return docs;
}

std::size_t distinct_entries(const std::vector<parsed_document>& docs) {
  std::size_t n = 0;
  for (const auto& d : docs) {
    std::unordered_set<std::string_view> seen;
    for (const auto& e : d.parsed.entries) n += seen.insert(e.guid).second ? 1 : 0;
  }
  return n;
}


struct pg_connection {
  PGconn* c = nullptr;
  explicit pg_connection(const std::string& conninfo) : c(PQconnectdb(conninfo.c_str())) {
    if (PQstatus(c) != CONNECTION_OK) die(std::string("connect: ") + PQerrorMessage(c));
  }
  ~pg_connection() { PQfinish(c); }
  pg_connection(const pg_connection&) = delete;
  pg_connection& operator=(const pg_connection&) = delete;
};

// A fresh, migrated database with one due feed per document (ids 1..N);
// returns its conninfo. A later keyword overrides an earlier one in libpq.
std::string fresh_database(const settings& s, std::size_t feeds) {
  {
    pg_connection admin(s.conninfo);
    exec_or_die(admin.c, "SET client_min_messages = warning");
    exec_or_die(admin.c, "DROP DATABASE IF EXISTS store_bench WITH (FORCE)");
    exec_or_die(admin.c, "CREATE DATABASE store_bench");
  }
  const std::string conninfo = s.conninfo + " dbname=store_bench";
  auto db = storage::database::open({conninfo, "", "store_bench"});
  if (!db) die(db.error().message);
  if (auto v = storage::migrate(*db); !v) die(v.error().message);
  pg_connection c(conninfo);
  exec_or_die(c.c, "INSERT INTO feeds (id, url) OVERRIDING SYSTEM VALUE SELECT i,"
                   " 'http://127.0.0.1:8080/feeds/' || i || '.xml' FROM generate_series(1, " +
                       std::to_string(feeds) + ") i");
  exec_or_die(c.c, "VACUUM ANALYZE");
  return conninfo;
}

// Claims every feed (all due), as the daemon's claim does; untimed.
std::vector<storage::claim> claim_all(storage::database& db, pg_connection& c, std::size_t feeds) {
  exec_or_die(c.c, "UPDATE feeds SET next_check_at = now() - interval '1 second'");
  std::vector<storage::claim> out(feeds);
  std::size_t got = 0;
  for (int round = 0; round < 100 && got < feeds; ++round) {
    const int n = static_cast<int>(feeds);
    auto claims = storage::claim_due(db, {n, n, 3600s, "store_bench"});
    if (!claims) die(claims.error().message);
    if (claims->empty()) break;
    for (auto& cl : *claims) {
      out.at(static_cast<std::size_t>(cl.feed_id - 1)) = std::move(cl);
      ++got;
    }
  }
  if (got != feeds) die("could not claim every feed");
  return out;
}

struct store_run {
  timed_rows time;
  storage::store_stats totals;
};

store_run store_path(storage::database& db, const std::vector<parsed_document>& docs,
                     const std::vector<std::vector<std::size_t>>& batches, const std::vector<storage::claim>& claims) {
  store_run out;
  const auto start = std::chrono::steady_clock::now();
  for (const auto& batch : batches) {
    std::vector<storage::fetched_finish> items;
    items.reserve(batch.size());
    for (std::size_t i : batch) items.push_back({&claims[i], &docs[i].parsed, storage::http_meta{}, {3600s, {}}});
    auto done = storage::finish_fetched_batch(db, items);
    if (!done) die(done.error().message);
    for (const auto& st : *done) {
      if (st.lease_lost || st.already_finished) die("a claim was lost");
      out.totals.inserted += st.inserted;
      out.totals.updated += st.updated;
      out.totals.unchanged += st.unchanged;
    }
  }
  out.time.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

storage::database open_store(const std::string& conninfo, bool asynchronous) {
  storage::connect_options o{conninfo, "", "store_bench"};
  o.asynchronous_commit = asynchronous;
  auto db = storage::database::open(o);
  if (!db) die(db.error().message);
  return std::move(*db);
}

struct rep_result {
  double ours_new = 0, ours_unchanged = 0, copy = 0, ours_async = 0;  // rows/s
  storage::store_stats unchanged_totals;
};

// ours new, ours unchanged and COPY in one database, in the rep's order.
void measure_sync(const settings& s, const std::vector<parsed_document>& docs, std::size_t rows, bool copy_first,
                  rep_result& out) {
  const auto batches = store_batches(docs);
  const std::string conninfo = fresh_database(s, docs.size());
  auto db = open_store(conninfo, false);
  pg_connection c(conninfo);
  create_copy_table(c.c);
  auto copy = [&] {
    exec_or_die(c.c, "CHECKPOINT");
    const auto t = copy_entries(c.c, docs, batches);
    if (t.rows != rows) die("COPY wrote " + std::to_string(t.rows) + " rows, not " + std::to_string(rows));
    out.copy = static_cast<double>(rows) / t.seconds;
  };
  if (copy_first) copy();
  auto claims = claim_all(db, c, docs.size());
  exec_or_die(c.c, "CHECKPOINT");
  const auto fresh = store_path(db, docs, batches, claims);
  if (static_cast<std::size_t>(fresh.totals.inserted) != rows) die("the store path did not insert every row");
  out.ours_new = static_cast<double>(rows) / fresh.time.seconds;
  claims = claim_all(db, c, docs.size());
  exec_or_die(c.c, "CHECKPOINT");
  const auto again = store_path(db, docs, batches, claims);
  out.ours_unchanged = static_cast<double>(rows) / again.time.seconds;
  out.unchanged_totals = again.totals;
  if (!copy_first) copy();
}

double measure_async(const settings& s, const std::vector<parsed_document>& docs, std::size_t rows) {
  const std::string conninfo = fresh_database(s, docs.size());
  auto db = open_store(conninfo, true);
  pg_connection c(conninfo);
  auto claims = claim_all(db, c, docs.size());
  exec_or_die(c.c, "CHECKPOINT");
  const auto fresh = store_path(db, docs, store_batches(docs), claims);
  return static_cast<double>(rows) / fresh.time.seconds;
}

json stats_of(std::vector<double> runs) {
  std::sort(runs.begin(), runs.end());
  const std::size_t n = runs.size();
  const double median = n % 2 ? runs[n / 2] : (runs[n / 2 - 1] + runs[n / 2]) / 2;
  return {{"median", median}, {"min", runs.front()}, {"max", runs.back()}};
}

json row(const std::string& name, json ours, json against, const std::vector<double>& ratios, json target,
         const std::string& note) {
  json ratio = stats_of(ratios);
  ratio["runs"] = ratios;
  return {{"row", name}, {"ours", std::move(ours)}, {"against", std::move(against)}, {"ratio", ratio},
          {"target", std::move(target)}, {"better", "higher"}, {"note", note}};
}

json side(const std::string& what, const std::vector<double>& runs) {
  json out = stats_of(runs);
  out["what"] = what;
  out["unit"] = "rows/s";
  out["runs"] = runs;
  return out;
}

}  // namespace

}  // namespace feedd::bench

int main(int argc, char** argv) {
  using namespace feedd::bench;
  const settings s = parse_arguments(argc, argv);
  std::size_t bytes = 0;
  const auto docs = load_corpus(s, bytes);
  const std::size_t rows = distinct_entries(docs);
  std::printf("store_bench: %zu documents, %zu bytes, %zu distinct entries, %zu batches\n", docs.size(), bytes, rows,
              store_batches(docs).size());
  std::vector<double> ours_new, ours_unchanged, copy, ours_async, r_new, r_unchanged, r_sync;
  int unchanged_writes = 0;
  for (int rep = 0; rep < s.reps; ++rep) {
    rep_result r;
    const bool swap = rep % 2 == 1;
    if (swap) r.ours_async = measure_async(s, docs, rows);
    measure_sync(s, docs, rows, swap, r);
    if (!swap) r.ours_async = measure_async(s, docs, rows);
    unchanged_writes += r.unchanged_totals.inserted + r.unchanged_totals.updated;
    ours_new.push_back(r.ours_new);
    ours_unchanged.push_back(r.ours_unchanged);
    copy.push_back(r.copy);
    ours_async.push_back(r.ours_async);
    r_new.push_back(r.ours_new / r.copy);
    r_unchanged.push_back(r.ours_unchanged / r.copy);
    r_sync.push_back(r.ours_new / r.ours_async);
    std::printf("rep %d: new %.0f rows/s, unchanged %.0f, COPY %.0f, new async %.0f; ratios %.2f %.2f %.2f\n", rep,
                r.ours_new, r.ours_unchanged, r.copy, r.ours_async, r_new.back(), r_unchanged.back(), r_sync.back());
    std::fflush(stdout);
  }
  char setup[256];
  std::snprintf(setup, sizeof setup, "%zu documents (%zu bytes, %zu entries), %zu store batches, %d reps", docs.size(),
                bytes, rows, store_batches(docs).size(), s.reps);
  const std::string copy_what = "COPY of the same rows into a table of entries' shape (LIKE entries INCLUDING ALL), "
                                "one COPY and synchronous commit per store batch";
  json rows_out = json::array();
  rows_out.push_back(row("store new entries",
                         side("the store path (finish_fetched_batch, the store thread's batches, synchronous commit)",
                              ours_new),
                         side(copy_what, copy), r_new, {{"op", ">="}, {"value", 0.9}},
                         std::string(setup) + "; ours also writes enclosures and the feed rows and runs entries' "
                                              "triggers, COPY does not"));
  rows_out.push_back(row("store unchanged",
                         side("the store path given the same documents again (nothing new)", ours_unchanged),
                         side(copy_what, copy), r_unchanged, {{"op", ">="}, {"value", 2.0}},
                         std::string(setup) + "; rows written by the re-store: " + std::to_string(unchanged_writes)));
  rows_out.push_back(row("store sync-commit cost", side("the store path, synchronous_commit on (default)", ours_new),
                         side("the store path, database.synchronous_commit: off", ours_async), r_sync, nullptr,
                         setup));
  for (const auto& r : rows_out) {
    std::printf("%-24s ours %.0f [%.0f, %.0f] against %.0f [%.0f, %.0f] ratio %.2f [%.2f, %.2f]\n",
                r["row"].get<std::string>().c_str(), r["ours"]["median"].get<double>(), r["ours"]["min"].get<double>(),
                r["ours"]["max"].get<double>(), r["against"]["median"].get<double>(),
                r["against"]["min"].get<double>(), r["against"]["max"].get<double>(), r["ratio"]["median"].get<double>(),
                r["ratio"]["min"].get<double>(), r["ratio"]["max"].get<double>());
  }
  std::ofstream(s.json_file) << rows_out.dump(2) << "\n";
  return 0;
}
