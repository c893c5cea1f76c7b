#include "drain_control.hpp"

#include <algorithm>

namespace feedd::daemon {

using std::chrono::steady_clock;

drain_control::drain_control(bool once, std::chrono::milliseconds drain_timeout)
    : once_(once), drain_timeout_(drain_timeout) {}

bool drain_control::finishing() const { return phase_ == phase::exhausted || stopping(); }

void drain_control::nothing_due() {
  if (once_ && phase_ == phase::claiming) phase_ = phase::exhausted;
}

void drain_control::host_busy() {
  if (once_ && (phase_ == phase::claiming || phase_ == phase::exhausted)) phase_ = phase::waiting_for_room;
}

void drain_control::fetch_finished() {
  if (phase_ == phase::waiting_for_room) phase_ = phase::claiming;
}

void drain_control::drain(steady_clock::time_point signalled) {
  if (stopping()) return;
  deadline_ = signalled + drain_timeout_;
  phase_ = phase::draining;
}

void drain_control::cancel() {
  if (!stopping()) deadline_ = steady_clock::now();
  phase_ = phase::cancelling;
}

bool drain_control::give_up_on_database(steady_clock::time_point now) const {
  return phase_ == phase::cancelling || (phase_ == phase::draining && now >= deadline_);
}

steady_clock::time_point drain_control::wait_until(steady_clock::time_point until) const {
  if (phase_ == phase::cancelling) return steady_clock::now();
  return phase_ == phase::draining ? std::min(until, deadline_) : until;
}

}  // namespace feedd::daemon
