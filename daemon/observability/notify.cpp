#include "notify.hpp"

#include <string>

#include <systemd/sd-daemon.h>

namespace feedd::daemon {

void notify_ready() { sd_notify(0, "READY=1"); }
void notify_reloading() { sd_notify(0, "RELOADING=1"); }
void notify_stopping() { sd_notify(0, "STOPPING=1"); }

void notify_status(std::string_view status) {
  std::string line = "STATUS=";
  for (char c : status) line += c == '\n' ? ' ' : c;
  sd_notify(0, line.c_str());
}

void notify_extend_timeout(std::chrono::microseconds extra) {
  sd_notify(0, ("EXTEND_TIMEOUT_USEC=" + std::to_string(extra.count())).c_str());
}

std::chrono::microseconds watchdog_interval() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0) return std::chrono::microseconds(0);
  return std::chrono::microseconds(usec / 2);
}

void notify_watchdog() { sd_notify(0, "WATCHDOG=1"); }

}  // namespace feedd::daemon
