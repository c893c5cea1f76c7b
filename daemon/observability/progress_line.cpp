#include "progress_line.hpp"

#include <cmath>
#include <cstdio>

namespace feedd::daemon {

namespace {

std::string rate_text(double per_second) {
  char buf[32];
  std::snprintf(buf, sizeof buf, per_second >= 100 ? "%.0f/s" : "%.1f/s", per_second);
  return buf;
}

}  // namespace

std::string format_eta(std::chrono::seconds left) {
  const auto s = std::max<std::int64_t>(left.count(), 0);
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(s));
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60));
  }
  return buf;
}

std::string format_progress(const progress_snapshot& s) {
  std::string line(s.verb);
  line += ' ' + std::to_string(s.done);
  if (s.total) {
    const auto total = std::max(*s.total, s.done);
    line += '/' + std::to_string(total) + " feeds";
    const auto percent = total > 0 ? s.done * 100 / total : 100;
    line += " (" + std::to_string(percent) + "%)";
  } else {
    line += " feeds";
  }
  line += ", " + std::to_string(s.failed) + ' ' + std::string(s.failed_word);
  if (s.queue_depth) line += ", queue " + std::to_string(*s.queue_depth);
  line += ", " + rate_text(s.per_second);
  if (s.total && s.per_second > 0 && *s.total > s.done) {
    const double left = static_cast<double>(*s.total - s.done) / s.per_second;
    line += ", ETA " + format_eta(std::chrono::seconds(static_cast<std::int64_t>(std::ceil(left))));
  }
  if (s.entries_new) line += ", " + std::to_string(*s.entries_new) + " new entries";
  return line;
}

std::string fit_to_width(std::string line, std::size_t columns) {
  if (columns == 0 || line.size() < columns) return line;
  std::size_t cut = columns - 1;
  // Back off continuation bytes (10xxxxxx) so no character is split.
  while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
  line.resize(cut);
  return line;
}

void rate_meter::add(clock::time_point now, std::int64_t done) {
  samples_.emplace_back(now, done);
  // Keep one sample at or before the window's start, so the rate spans it.
  while (samples_.size() > 2 && samples_[1].first <= now - window_) samples_.pop_front();
  while (samples_.size() > max_samples) samples_.pop_front();
}

double rate_meter::per_second() const {
  if (samples_.size() < 2) return 0;
  const auto& [t0, d0] = samples_.front();
  const auto& [t1, d1] = samples_.back();
  const double seconds = std::chrono::duration<double>(t1 - t0).count();
  if (seconds <= 0) return 0;
  return static_cast<double>(d1 - d0) / seconds;
}

}  // namespace feedd::daemon
