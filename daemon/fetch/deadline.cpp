#include "deadline.hpp"

#include "feedd/config/config.hpp"
#include "fetcher.hpp"

namespace feedd::daemon {

expected<step_budget, std::string> fetch_deadline::step(std::string_view name,
                                                        std::optional<std::chrono::milliseconds> step_limit) const {
  const auto remaining = end_ - std::chrono::steady_clock::now();
  if (remaining <= std::chrono::steady_clock::duration::zero()) return unexpected{timed_out(name, total_)};
  if (step_limit && *step_limit < remaining) return step_budget{*step_limit, *step_limit};
  return step_budget{remaining, total_};
}

std::string timed_out(std::string_view step, std::chrono::milliseconds limit) {
  return fetch_error(step, "timed out after " + config::format_duration(limit));
}

}  // namespace feedd::daemon
