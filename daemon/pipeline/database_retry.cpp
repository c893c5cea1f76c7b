#include "database_retry.hpp"

#include <algorithm>

namespace feedd::daemon {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using kind = storage::db_error::kind;

database_retry::database_retry(storage::database& db, const drain_control& drain, logger& log, run_counters& counters,
                               waiting w)
    : db_(db), drain_(drain), log_(log), counters_(counters), waiting_(std::move(w)) {}

bool database_retry::again(std::string_view name, const storage::db_error& e, attempt& a) {
  if (e.what == kind::content) return false;
  ++counters_.database_errors;
  record_database_error();
  if (e.what == kind::connection) record_database_up(false);
  log_.error("database", {{"step", name}, {"try", a.tries}, {"sqlstate", e.sqlstate}, {"error", e.message}});
  if (e.what != kind::connection && e.what != kind::transient) {
    failed_ = failed_ || e.what == kind::schema;
    return false;
  }
  while (auto control = waiting_.queue.take_control()) waiting_.on_control(*control);
  if (drain_.give_up_on_database(steady_clock::now())) {
    log_.error("database", {{"step", name}, {"error", "giving up while stopping; the feed stays leased and will be fetched again"}});
    failed_ = true;
    return false;
  }
  wait_out(a.backoff);
  a.backoff = std::min(a.backoff * 2, milliseconds(30'000));
  ++a.tries;
  if (!db_.healthy() && db_.reconnect()) {
    record_database_reconnect();
    log_.info("database_reconnected", {{"step", name}});
  }
  if (waiting_.alive) waiting_.alive();
  return true;
}

// Calls alive() at least every alive_every. A signal is heard at once: the
// wait ends at a second one and does not outlast a drain's deadline, which
// starts when the first arrives rather than when this wait would have ended.
void database_retry::wait_out(milliseconds length) {
  const auto until = steady_clock::now() + length;
  for (;;) {
    const auto now = steady_clock::now();
    const auto end = drain_.wait_until(until);
    if (now >= end) return;
    auto step = std::chrono::duration_cast<milliseconds>(end - now) + milliseconds(1);
    if (waiting_.alive_every.count() > 0) step = std::min(step, waiting_.alive_every);
    if (auto control = waiting_.queue.take_control_for(step)) waiting_.on_control(*control);
    if (waiting_.alive) waiting_.alive();
  }
}

}  // namespace feedd::daemon
