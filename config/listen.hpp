#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace feedd::config {

// metrics.listen: empty (off), "host:port" or "[ipv6]:port". Returns what is
// wrong, or nullopt. Names are resolved later by the daemon; this only checks
// the shape, so that a typo fails check-config rather than the metrics thread.
std::optional<std::string> check_listen_address(std::string_view text);

}  // namespace feedd::config
