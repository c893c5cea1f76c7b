#pragma once

#include <chrono>
#include <string_view>

namespace feedd::daemon {

// sd_notify(3) messages to systemd; all no-ops without NOTIFY_SOCKET.
void notify_ready();
void notify_reloading();
void notify_stopping();
void notify_status(std::string_view status);
// EXTEND_TIMEOUT_USEC=: the start (or stop) may take `extra` longer from now,
// whatever TimeoutStartSec= says, as long as it is sent again in time.
void notify_extend_timeout(std::chrono::microseconds extra);
// Half of WatchdogSec when the watchdog is on, else zero.
std::chrono::microseconds watchdog_interval();
void notify_watchdog();

}  // namespace feedd::daemon
