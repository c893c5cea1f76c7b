// claim_bench: claim-and-finish throughput of the host-aware claim on small
// and large feed tables. The target: 1,000,000 feeds within 20% of
// 10,000. Nothing here asserts; compare the numbers between commits on the
// same machine.
//
//   scripts/pg-cluster start /tmp/claimbench        # prints the conninfo
//   cmake --preset bench && cmake --build --preset bench --target claim_bench
//   build/bench/bench/claim_bench "$(scripts/pg-cluster conninfo /tmp/claimbench)"
//       [--reps 5] [--batches 15] [--explain] [--prewarm] [--only NAME]
//
// Each layout gets a database of its own (claim_bench_<name>, dropped and
// made again), migrated by feedd and loaded with generate_series, then
// VACUUM ANALYZE. A repetition claims --batches batches of 100 feeds, at
// most 2 per host (what a store thread with nothing in flight asks for),
// and finishes every claim with finish_not_modified one day ahead, as the
// daemon does one by one; feeds/s is claimed-and-finished feeds over the
// repetition's wall time, and the table shows the median of --reps after
// one warm-up batch; "vs 10k" is the median of each repetition's ratio
// (every repetition runs all layouts back to back). The store connection
// commits asynchronously like the daemon's. "ms/claim" is the median time
// of one claim_due call alone.
//
// A million feeds (~300 MB with indexes) are read from all over the table:
// whether the pages are in shared_buffers decides most of the difference
// to 10,000. --prewarm loads table and indexes into shared_buffers first
// (pg_prewarm; size shared_buffers to hold them), as a long-running daemon
// finds them; without it, each claim and finish reads its pages from the
// kernel's cache.
//
// Layouts: 50 feeds per host, all due (10k: 200 hosts, 1M: 20,000 hosts);
// 1M with 2% due (nearer the steady state: most hosts have nothing due
// and are never looked at); the lopsided list (2,000 feeds on one
// host, 2,000 over 100 hosts; 4 batches a repetition), whose first claim
// should reach many hosts. --batches must leave feeds due: 10k takes
// (1 + reps x batches) x 100 of its 10,000 (--reps 9 --batches 10 on a
// busy machine: more repetitions steady the median).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "feedd/storage/claims.hpp"
#include "feedd/storage/database.hpp"
#include "host_claims.hpp"
#include "session.hpp"

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
namespace storage = feedd::storage;

struct layout {
  std::string name;
  std::string description;
  std::string load_sql;  // INSERT INTO feeds ... (runs in the layout's database)
  int batches = 0;       // per repetition when fewer feeds are due than --batches would take; 0: --batches
};

struct settings {
  std::string conninfo;
  int repetitions = 5;
  int batches = 15;
  bool explain = false;
  bool prewarm = false;
  std::string only;
};

[[noreturn]] void die(std::string_view what) {
  std::fprintf(stderr, "claim_bench: %.*s\n", static_cast<int>(what.size()), what.data());
  std::exit(1);
}

storage::database connect(const std::string& conninfo, bool asynchronous_commit) {
  storage::connect_options options{conninfo, "", "claim_bench"};
  options.asynchronous_commit = asynchronous_commit;
  // Loading a million rows takes longer than the daemon's per-statement cap.
  options.statement_timeout = 10min;
  options.answer_deadline = 11min;
  auto db = storage::database::open(options);
  if (!db) die(db.error().message);
  return std::move(db).value();
}

void run(storage::database& db, const std::string& sql) {
  if (auto r = db.internals().exec("bench", sql.c_str()); !r) die(r.error().message);
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

std::vector<layout> layouts() {
  // Each host's feeds are spread over the table (host = i % hosts), as
  // after years of adds; next_check_at of due feeds spreads over an hour.
  const auto spread = [](int feeds, int hosts, int due_percent) {
    return "INSERT INTO feeds (url, next_check_at) SELECT 'https://h' || (i % " + std::to_string(hosts) +
           ") || '.example/feed/' || i, CASE WHEN i % 100 < " + std::to_string(due_percent) +
           " THEN now() - (i % 3600) * interval '1 second' ELSE now() + interval '1 day' END"
           " FROM generate_series(0, " + std::to_string(feeds - 1) + ") AS i";
  };
  return {
      {"10k", "10,000 feeds / 200 hosts, all due", spread(10'000, 200, 100)},
      {"1m", "1,000,000 feeds / 20,000 hosts, all due", spread(1'000'000, 20'000, 100)},
      {"1m_2pct", "1,000,000 feeds / 20,000 hosts, 2% due", spread(1'000'000, 20'000, 2)},
      {"lopsided", "2,000 feeds on 1 host + 2,000 on 100 hosts",
       "INSERT INTO feeds (url, next_check_at) SELECT 'https://big.example/' || i, now() - interval '2 hours'"
       " - i * interval '1 second' FROM generate_series(1, 2000) AS i; "
       "INSERT INTO feeds (url, next_check_at) SELECT 'https://small' || (i % 100) || '.example/' || i,"
       " now() - interval '1 hour' FROM generate_series(1, 2000) AS i",
       4},
  };
}

// A fresh database for the layout, migrated and loaded; its conninfo.
std::string prepare(const settings& s, const layout& l) {
  const std::string name = "claim_bench_" + l.name;
  {
    auto admin = connect(s.conninfo, false);
    run(admin, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    run(admin, "CREATE DATABASE " + name);
  }
  const std::string conninfo = s.conninfo + " dbname=" + name;
  auto db = connect(conninfo, false);
  if (auto v = storage::migrate(db); !v) die(v.error().message);
  const auto start = clock_type::now();
  std::string_view rest = l.load_sql;
  while (!rest.empty()) {
    const auto end = rest.find("; ");
    run(db, std::string(rest.substr(0, end)));
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 2);
  }
  run(db, "VACUUM ANALYZE feeds");
  run(db, "VACUUM ANALYZE feed_hosts");
  if (s.prewarm) {
    run(db, "CREATE EXTENSION IF NOT EXISTS pg_prewarm");
    run(db, "SELECT sum(pg_prewarm(c.oid)) FROM pg_class c WHERE c.oid IN ('feeds'::regclass, 'feed_hosts'::regclass)"
            " OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid IN ('feeds'::regclass, 'feed_hosts'::regclass))");
  }
  const std::chrono::duration<double> took = clock_type::now() - start;
  std::fprintf(stderr, "claim_bench: %s loaded in %.1f s\n", l.name.c_str(), took.count());
  return conninfo;
}

void print_explain(storage::database& db, const layout& l) {
  const std::string sql = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + storage::host_claim_sql();
  storage::pq::params p;
  p.integer(100).integer(2).integer(300).text("claim_bench-explain").text("{}");
  auto r = db.internals().exec("explain", sql.c_str(), p);
  if (!r) die(r.error().message);
  std::printf("\n-- EXPLAIN ANALYZE of one claim (100, cap 2): %s\n", l.description.c_str());
  for (int row = 0; row < storage::pq::rows(r->get()); ++row) {
    std::printf("%.*s\n", static_cast<int>(storage::pq::text(r->get(), row, 0).size()),
                storage::pq::text(r->get(), row, 0).data());
  }
  // Give the explained claim's feeds back: they were really claimed.
  run(db, "UPDATE feeds SET lease_until = NULL, lease_token = NULL, claimed_by = NULL "
          "WHERE claimed_by = 'claim_bench-explain'");
}

// One layout's store connection and what was measured on it.
struct run_state {
  layout l;
  storage::database db;
  int batches = 0;
  std::vector<double> rates;     // feeds/s, one per repetition
  std::vector<double> claim_ms;  // one per claim_due call
  std::size_t first_claim_hosts = 0;
  std::size_t first_claim_size = 0;
};

// One batch: claim 100 (cap 2), finish each one a day ahead. Returns how
// many feeds were claimed and finished.
std::size_t batch(run_state& r, bool first) {
  static const storage::claim_request request{100, 2, 300s, "claim_bench"};
  static const storage::http_meta not_modified{304, "", "", "", ""};
  const auto start = clock_type::now();
  auto claims = storage::claim_due(r.db, request);
  if (!claims) die(claims.error().message);
  if (first) {
    std::set<std::string> hosts;
    for (const auto& c : *claims) hosts.insert(c.host);
    r.first_claim_hosts = hosts.size();
    r.first_claim_size = claims->size();
  } else {
    r.claim_ms.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - start).count());
  }
  for (const auto& c : *claims) {
    if (auto done = storage::finish_not_modified(r.db, c, not_modified, 24h); !done) die(done.error().message);
  }
  return claims->size();
}

void repetition(run_state& r) {
  std::size_t done = 0;
  const auto start = clock_type::now();
  for (int b = 0; b < r.batches; ++b) done += batch(r, false);
  const std::chrono::duration<double> took = clock_type::now() - start;
  r.rates.push_back(static_cast<double>(done) / took.count());
}

settings parse(int argc, char** argv) {
  settings s;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) die("missing value after " + std::string(arg));
      return argv[++i];
    };
    if (arg == "--reps") {
      s.repetitions = std::max(1, std::atoi(value().c_str()));
    } else if (arg == "--batches") {
      s.batches = std::max(1, std::atoi(value().c_str()));
    } else if (arg == "--explain") {
      s.explain = true;
    } else if (arg == "--prewarm") {
      s.prewarm = true;
    } else if (arg == "--only") {
      s.only = value();
    } else if (s.conninfo.empty() && !arg.starts_with("--")) {
      s.conninfo = std::string(arg);
    } else {
      die("usage: claim_bench CONNINFO [--reps N] [--batches N] [--explain] [--prewarm] [--only NAME]");
    }
  }
  if (s.conninfo.empty()) {
    die("usage: claim_bench CONNINFO [--reps N] [--batches N] [--explain] [--prewarm] [--only NAME]");
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const settings s = parse(argc, argv);
  std::vector<run_state> runs;
  for (const auto& l : layouts()) {
    if (!s.only.empty() && l.name != s.only) continue;
    const std::string conninfo = prepare(s, l);
    const int batches = l.batches > 0 ? std::min(l.batches, s.batches) : s.batches;
    runs.push_back(run_state{l, connect(conninfo, true), batches, {}, {}, 0, 0});
  }
  for (auto& r : runs) {
    batch(r, true);  // warm-up; also what the first claim of a run sees
    if (s.explain) print_explain(r.db, r.l);
  }
  // The machine is shared: each repetition runs every layout back to back
  // (in a rotating order), and a ratio is the median of the repetitions'
  // own ratios, so that a slow spell moves both sides of most ratios.
  for (int rep = 0; rep < s.repetitions; ++rep) {
    for (std::size_t i = 0; i < runs.size(); ++i) repetition(runs[(i + static_cast<std::size_t>(rep)) % runs.size()]);
  }

  const run_state* base = nullptr;
  for (const auto& r : runs) {
    if (r.l.name == "10k") base = &r;
  }
  std::printf("\nclaim + finish_not_modified, batches of 100, cap 2 per host; median of %d repetitions%s\n",
              s.repetitions, s.prewarm ? ", prewarmed" : "");
  std::printf("%-46s %9s %8s %9s %20s\n", "layout", "feeds/s", "vs 10k", "ms/claim", "first claim");
  for (const auto& r : runs) {
    char ratio[32] = "-";
    if (base != nullptr) {
      std::vector<double> ratios;
      for (std::size_t rep = 0; rep < r.rates.size(); ++rep) ratios.push_back(r.rates[rep] / base->rates[rep]);
      std::snprintf(ratio, sizeof ratio, "%.2f", median(ratios));
    }
    char first[48];
    std::snprintf(first, sizeof first, "%zu feeds/%zu hosts", r.first_claim_size, r.first_claim_hosts);
    std::printf("%-46s %9.0f %8s %9.2f %20s\n", r.l.description.c_str(), median(r.rates), ratio, median(r.claim_ms),
                first);
  }
  return 0;
}
