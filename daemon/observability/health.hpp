#pragma once

#include <string>

#include "live_metrics.hpp"

namespace feedd::daemon {

struct health_answer {
  bool ok = false;   // 200, else 503
  std::string body;  // one JSON object and a line feed
};

// /healthz: liveness. Answered from the event loop, so an answer at all is
// the proof; the body says nothing more.
health_answer liveness();

// /readyz: ready when the database is connected and the store thread
// finished a database step within ready_step_window; otherwise the body
// says which failed: {"status":"not ready","database":"down since ...",
// "last_store_step_age_s":41.2,"reasons":[...]}.
health_answer readiness(const live_state& s);

}  // namespace feedd::daemon
