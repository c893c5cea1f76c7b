#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "app.hpp"
#include "log.hpp"

namespace feedd::daemon {

// The running daemon's retention (README "Retention"): a pass at start and
// every retention_thread::every after, on a thread and a connection of its
// own -- opened for the pass, closed after it -- so the store thread never
// waits on it beyond one batch of one feed it is storing, and the network
// threads never touch the database. Nothing runs when retention.* is off.
class retention_thread {
 public:
  static constexpr std::chrono::minutes every{10};
  // Between two batches: leaves the database to the store most of the time.
  static constexpr std::chrono::milliseconds pause{10};

  retention_thread(const context& ctx, logger& log);
  ~retention_thread();  // stops (between batches) and joins
  retention_thread(const retention_thread&) = delete;
  retention_thread& operator=(const retention_thread&) = delete;

 private:
  void run();
  void pass();
  bool wait_for(std::chrono::milliseconds d);  // true: stopping

  const context& ctx_;
  logger& log_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace feedd::daemon
