#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace feedd::test {

// A command run to completion on a pseudo-terminal (forkpty): stdin,
// stdout and stderr are all the terminal, as for a person typing it, so
// isatty() holds and what it draws there is returned byte for byte.
struct pty_result {
  int exit_code = -1;  // 128 + signal when killed (after the timeout)
  std::string output;  // stdout and stderr together, as the terminal got them
};

// TERM=xterm, a 120-column terminal; killed by PID (SIGKILL) after timeout.
pty_result run_on_pty(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

}  // namespace feedd::test
