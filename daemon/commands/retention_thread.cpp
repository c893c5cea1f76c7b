#include "retention_thread.hpp"

#include "open_database.hpp"
#include "purge_counters.hpp"
#include "retention_pass.hpp"

namespace feedd::daemon {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

retention_thread::retention_thread(const context& ctx, logger& log) : ctx_(ctx), log_(log) {
  if (!rules_of(ctx.settings.retention).any()) return;
  thread_ = std::thread([this] { run(); });
}

retention_thread::~retention_thread() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool retention_thread::wait_for(milliseconds d) {
  std::unique_lock lock(mutex_);
  return wake_.wait_for(lock, d, [this] { return stopping_; });
}

void retention_thread::run() {
  // Bounded by the daemon's life: every round waits `every` or stops.
  for (;;) {
    pass();
    if (wait_for(every)) return;
  }
}

// Logs one info line when the pass deleted something, a warning on error
// (the next pass tries again); feedd_entries_purged_total counts batch by
// batch.
void retention_thread::pass() {
  auto db = open_database(ctx_.settings.database, "feedd-retention");
  if (!db) {
    log_.warning("purge", {{"step", "connect"}, {"error", db.error().message}});
    return;
  }
  const auto start = steady_clock::now();
  pass_result done;
  std::int64_t published = 0;
  auto between = [&] {
    count_entries_purged(done.entries - published);
    published = done.entries;
    return wait_for(pause);
  };
  auto result = purge_pass(*db, rules_of(ctx_.settings.retention), between, done);
  count_entries_purged(done.entries - published);
  const auto ms = std::chrono::duration_cast<milliseconds>(steady_clock::now() - start).count();
  if (!result) {
    log_.warning("purge", {{"entries", done.entries}, {"error", result.error().message}});
  } else if (done.entries > 0 || done.tombstones > 0 || done.busy_feeds > 0) {
    log_.info("purge", {{"entries", done.entries}, {"feeds", done.feeds}, {"tombstones", done.tombstones},
                        {"busy_feeds", done.busy_feeds}, {"ms", static_cast<std::int64_t>(ms)}});
  }
}

}  // namespace feedd::daemon
