#pragma once

#include <chrono>

namespace feedd::daemon {

// Where the store thread's run stands: whether it may claim, whether it is
// on its way out, and how long a failing database step may still be
// retried. One state rather than flags that could contradict each other.
class drain_control {
 public:
  enum class phase {
    claiming,          // claims due feeds as room frees up
    waiting_for_room,  // --once: a claim came back short with claims outstanding (hosts at their cap); claim again after a fetch finishes
    exhausted,         // --once: nothing more is due; store what is outstanding, then stop
    draining,          // first SIGTERM/SIGINT: claim nothing, store what comes back, within drain_timeout
    cancelling,        // second signal: fetches are being cancelled; a failing database is given up at once
  };

  drain_control(bool once, std::chrono::milliseconds drain_timeout);

  bool may_claim() const { return phase_ == phase::claiming; }
  // The run ends once no claim is outstanding and the queue is empty.
  bool finishing() const;

  // --once only: a claim came back short, so nothing else is due now.
  void nothing_due();
  // --once only: a claim came back short while this run holds claims, so
  // the hosts it holds may have more due beyond their cap; claiming again
  // before a fetch finishes would find nothing more.
  void host_busy();
  // A fetch's result was stored, freeing room on its host.
  void fetch_finished();
  // The first signal, at `signalled`; the drain's deadline counts from it.
  void drain(std::chrono::steady_clock::time_point signalled);
  void cancel();

  // RELIABILITY P1, P5: while running, a failing database is waited for (the
  // pipeline stalls, nothing is lost); once stopping, only until the drain's
  // deadline, and not at all after a second signal.
  bool give_up_on_database(std::chrono::steady_clock::time_point now) const;
  // The end of a wait meant to last until `until`: no later than the drain's
  // deadline, and now once cancelling.
  std::chrono::steady_clock::time_point wait_until(std::chrono::steady_clock::time_point until) const;

 private:
  bool stopping() const { return phase_ == phase::draining || phase_ == phase::cancelling; }

  bool once_;
  std::chrono::milliseconds drain_timeout_;
  phase phase_ = phase::claiming;
  std::chrono::steady_clock::time_point deadline_{};  // set when stopping begins
};

}  // namespace feedd::daemon
