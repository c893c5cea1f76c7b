#include "pty_run.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>

#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

namespace feedd::test {

namespace {

[[noreturn]] void exec_child(const std::vector<std::string>& argv) {
  ::setenv("TERM", "xterm", 1);
  for (const char* name : {"JOURNAL_STREAM", "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"}) ::unsetenv(name);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execv(args[0], args.data());
  ::_exit(127);
}

}  // namespace

pty_result run_on_pty(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  pty_result result;
  int master = -1;
  winsize size{};
  size.ws_row = 24;
  size.ws_col = 120;
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, &size);
  if (pid < 0) return result;
  if (pid == 0) exec_child(argv);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // Read until the child's side closes (EIO once no process holds it).
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{master, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buffer[4096];
    const ssize_t n = ::read(master, buffer, sizeof buffer);
    if (n <= 0 && errno != EINTR) break;
    if (n > 0) result.output.append(buffer, static_cast<std::size_t>(n));
  }
  int status = 0;
  pid_t ended = 0;
  while ((ended = ::waitpid(pid, &status, WNOHANG)) == 0 && std::chrono::steady_clock::now() < deadline) {
    ::usleep(10'000);
  }
  if (ended == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  ::close(master);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace feedd::test
