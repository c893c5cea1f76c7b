#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "database_retry.hpp"
#include "feedd/expected.hpp"
#include "log.hpp"
#include "messages.hpp"
#include "run_counters.hpp"
#include "schedule_policy.hpp"

namespace feedd::daemon {

// RELIABILITY S9, N4: the answers that say a feed is not there any more:
// 404, 410, or a host the DNS says does not exist.
bool is_gone(const fetch_response& r);

// Finishes one claim on the store thread: writes its fetch's outcome to the
// database in one transaction guarded by the lease token, counts it and
// logs it. One function per outcome.
class finisher {
 public:
  // The wall clock skipHours/skipDays are read against; tests pass their own.
  using clock_fn = std::function<std::chrono::sys_seconds()>;

  finisher(database_retry& database, logger& log, run_counters& counters, clock_fn now = {});

  void finish(const fetched& result, const schedule_limits& limits);
  // Every result of `results` as finish would, many per round trip and per
  // transaction (finish_batch.cpp, storage/finish_batch.hpp).
  void finish_batch(const std::vector<fetched>& results, const schedule_limits& limits);

 private:
  // One claim being finished; url is redacted for the log.
  struct job {
    const storage::claim& claim;
    const fetch_response& response;
    std::string url;
    schedule_limits limits;
  };
  struct failure {
    std::optional<int> status;
    std::string error;
    std::optional<std::chrono::seconds> retry_after;
    bool gone = false;
  };

  struct batch;  // finish_batch.cpp

  void cancelled(const job& j);
  void not_modified(const job& j);
  void not_modified_done(const job& j, const storage::http_meta& meta, const storage::store_stats* done);
  void failed(const job& j, const failure& f);
  std::chrono::seconds next_after(const job& j, const failure& f) const;
  void failed_done(const job& j, const failure& f, std::chrono::seconds next, const storage::store_stats* done);
  void parse_and_store(const job& j);
  expected<feed, std::string> parse(const job& j) const;
  void store_parsed(const job& j, const feed& parsed);
  void fetched_done(const job& j, const feed& parsed, const storage::http_meta& meta, const storage::store_stats& done);
  void stored(const job& j, const feed& parsed, const storage::store_stats& stats);
  void sort_into(batch& b, const job& j);
  void batch_not_modified(batch& b);
  void batch_failed(batch& b);
  void batch_fetched(batch& b);
  storage::http_meta meta_of(const job& j) const;
  storage::next_check next_check_of(const job& j, std::optional<std::chrono::seconds> ttl,
                                    const skip_hints& skip) const;
  void log_move(const job& j, const storage::http_meta& meta, const storage::store_stats& stats);

  database_retry& database_;
  logger& log_;
  run_counters& counters_;
  clock_fn now_;
};

}  // namespace feedd::daemon
