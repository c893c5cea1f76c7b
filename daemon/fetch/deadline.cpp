#include "deadline.hpp"

#include "feedd/config/config.hpp"
#include "fetcher.hpp"

namespace feedd::daemon {
namespace {

// "fetch: read: timed out after 30s", the limit spelled as in the config file.
std::string timed_out(std::string_view step, std::chrono::milliseconds limit) {
  return fetch_error(step, "timed out after " + config::format_duration(limit));
}

}  // namespace

expected<step_budget, std::string> fetch_deadline::step(std::string_view name,
                                                        std::optional<std::chrono::milliseconds> step_limit) const {
  if (cancelled_) return unexpected{std::string(fetch_cancelled)};
  const auto remaining = end_ - std::chrono::steady_clock::now();
  if (remaining <= std::chrono::steady_clock::duration::zero()) return unexpected{timed_out(name, total_)};
  if (step_limit && *step_limit < remaining) return step_budget{*step_limit, *step_limit};
  return step_budget{remaining, total_};
}

std::string fetch_deadline::failure(std::string_view name, bool ran_out, std::string_view detail,
                                    std::chrono::milliseconds limit) const {
  if (cancelled_) return std::string(fetch_cancelled);
  return ran_out ? timed_out(name, limit) : fetch_error(name, detail);
}

}  // namespace feedd::daemon
