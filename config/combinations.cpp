#include "document.hpp"

#include <initializer_list>
#include <string>

namespace feedd::config {
namespace {

// Both keys hold values that passed their own checks (a rejected value keeps
// its default, which would make a combination problem misleading).
bool usable(const document& doc, std::initializer_list<std::string_view> keys) {
  for (auto key : keys) {
    if (doc.failed.contains(key)) return false;
  }
  return true;
}

struct side {
  std::string_view key;
  std::string message;  // phrased from this key's point of view
};

// Reports a conflict between two keys on the one the operator wrote (the
// other kept its default); when both were written, on the first.
void conflict(document& doc, side first, side second) {
  side& chosen = doc.written(first.key) || !doc.written(second.key) ? first : second;
  doc.add(std::string(chosen.key), doc.where(chosen.key), std::move(chosen.message));
}

std::string show(duration d) { return format_duration(d); }

void check_intervals(document& doc) {
  const auto& s = doc.value.schedule;
  if (!usable(doc, {"schedule.min_interval", "schedule.max_interval", "schedule.interval"})) return;
  if (s.min_interval > s.max_interval) {
    conflict(doc, {"schedule.min_interval", show(s.min_interval) + " is longer than schedule.max_interval (" +
                                                show(s.max_interval) + ")"},
             {"schedule.max_interval", show(s.max_interval) + " is shorter than schedule.min_interval (" +
                                           show(s.min_interval) + ")"});
    return;  // interval cannot be inside an empty range; one problem is enough
  }
  if (s.interval < s.min_interval) {
    conflict(doc, {"schedule.interval", show(s.interval) + " is shorter than schedule.min_interval (" +
                                            show(s.min_interval) + ")"},
             {"schedule.min_interval", show(s.min_interval) + " is longer than schedule.interval (" +
                                           show(s.interval) + ")"});
  } else if (s.interval > s.max_interval) {
    conflict(doc, {"schedule.interval", show(s.interval) + " is longer than schedule.max_interval (" +
                                            show(s.max_interval) + ")"},
             {"schedule.max_interval", show(s.max_interval) + " is shorter than schedule.interval (" +
                                           show(s.interval) + ")"});
  }
}

void check_fetch_limits(document& doc) {
  const auto& f = doc.value.fetch;
  if (usable(doc, {"fetch.max_per_host", "fetch.max_concurrent"}) && f.max_per_host > f.max_concurrent) {
    conflict(doc, {"fetch.max_per_host", std::to_string(f.max_per_host) + " is more than fetch.max_concurrent (" +
                                             std::to_string(f.max_concurrent) + ")"},
             {"fetch.max_concurrent", std::to_string(f.max_concurrent) + " is less than fetch.max_per_host (" +
                                          std::to_string(f.max_per_host) + ")"});
  }
}

// Each connect attempt also stops at what is left of the whole request's
// deadline, so a connect_timeout above timeout could never take effect:
// refused when written, since the operator meant something by it. A short
// timeout alone, with connect_timeout at its default, is what it says, and
// the default shrinks to it: the effective settings, written out (as
// config_fuzzer does), then load again.
void check_connect_timeout(document& doc) {
  auto& f = doc.value.fetch;
  if (!usable(doc, {"fetch.connect_timeout", "fetch.timeout"}) || f.connect_timeout <= f.timeout) return;
  if (!doc.written("fetch.connect_timeout")) {
    f.connect_timeout = f.timeout;
    return;
  }
  const std::string timeout_at =
      doc.written("fetch.timeout") ? ", line " + std::to_string(doc.where("fetch.timeout").line) : ", its default";
  doc.add("fetch.connect_timeout", doc.where("fetch.connect_timeout"),
          show(f.connect_timeout) + " is longer than fetch.timeout (" + show(f.timeout) + timeout_at +
              "), the whole request's deadline, which also ends every connect attempt");
}

void check_lease(document& doc) {
  const auto& lease = doc.value.schedule.lease;
  const auto& timeout = doc.value.fetch.timeout;
  // A claim that expires while its fetch is still running lets another
  // instance fetch the same feed at the same time.
  if (usable(doc, {"schedule.lease", "fetch.timeout"}) && lease <= timeout) {
    conflict(doc, {"schedule.lease", show(lease) + " must be longer than fetch.timeout (" + show(timeout) +
                                         "), or a claim can expire while its feed is being fetched"},
             {"fetch.timeout", show(timeout) + " must be shorter than schedule.lease (" + show(lease) +
                                   "), or a claim can expire while its feed is being fetched"});
  }
}

// A host's next claim may wait host_delay for its start; one that waits
// longer than its lease relies on lease renewal alone, and with no renewal
// (a store thread stuck on the database) another instance would fetch it too.
void check_host_delay(document& doc) {
  const auto& delay = doc.value.fetch.host_delay;
  const auto& lease = doc.value.schedule.lease;
  if (usable(doc, {"fetch.host_delay", "schedule.lease"}) && delay >= lease) {
    conflict(doc, {"fetch.host_delay", show(delay) + " must be shorter than schedule.lease (" + show(lease) +
                                           "), or a claim can wait out its lease before its fetch starts"},
             {"schedule.lease", show(lease) + " must be longer than fetch.host_delay (" + show(delay) +
                                    "), or a claim can wait out its lease before its fetch starts"});
  }
}

}  // namespace

void check_combinations(document& doc) {
  check_intervals(doc);
  check_fetch_limits(doc);
  check_connect_timeout(doc);
  check_lease(doc);
  check_host_delay(doc);
}

}  // namespace feedd::config
