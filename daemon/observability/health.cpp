#include "health.hpp"

#include <cmath>
#include <ctime>

#include <nlohmann/json.hpp>

namespace feedd::daemon {
namespace {

std::string utc_iso8601(double unix_seconds) {
  const auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buffer[32];
  const auto n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buffer, n);
}

// Tenths of a second: enough to read, stable to compare.
double rounded(double seconds) { return std::round(seconds * 10) / 10; }

}  // namespace

health_answer liveness() { return {true, R"({"status":"ok"})" "\n"}; }

health_answer readiness(const live_state& s) {
  nlohmann::ordered_json body;
  nlohmann::json reasons = nlohmann::json::array();
  if (s.database_up) {
    body["database"] = "up";
  } else if (s.database_down_since > 0) {
    body["database"] = "down since " + utc_iso8601(s.database_down_since);
    reasons.push_back("database down");
  } else {
    body["database"] = "not connected yet";
    reasons.push_back("database not connected yet");
  }
  const double window = static_cast<double>(ready_step_window.count());
  if (s.last_step_age_s) {
    body["last_store_step_age_s"] = rounded(*s.last_step_age_s);
    if (*s.last_step_age_s > window) reasons.push_back("no store step for over " + std::to_string(ready_step_window.count()) + "s");
  } else {
    body["last_store_step_age_s"] = nullptr;
    reasons.push_back("no store step yet");
  }
  const bool ok = reasons.empty();
  nlohmann::ordered_json out;
  out["status"] = ok ? "ready" : "not ready";
  for (const auto& [key, value] : body.items()) out[key] = value;
  if (!ok) out["reasons"] = reasons;
  return {ok, out.dump() + "\n"};
}

}  // namespace feedd::daemon
