#include "support/process.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace feedd::test {
namespace {

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

void redirect(const std::filesystem::path& file, int fd) {
  if (file.empty()) return;
  int out = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (out < 0) _exit(127);
  ::dup2(out, fd);
  ::close(out);
}

}  // namespace

process::process(options opts) {
  std::vector<char*> args;
  for (auto& a : opts.argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid_ == 0) {
    // Own process group, so that a Ctrl-C on the test run does not reach it
    // before the test itself decides.
    ::setpgid(0, 0);
    for (const auto& name : opts.unset_env) ::unsetenv(name.c_str());
    for (const auto& [k, v] : opts.extra_env) ::setenv(k.c_str(), v.c_str(), 1);
    redirect(opts.stdout_file, STDOUT_FILENO);
    redirect(opts.stderr_file, STDERR_FILENO);
    ::execv(args[0], args.data());
    _exit(127);
  }
}

process::process(process&& other) noexcept : pid_(other.pid_), status_(other.status_) { other.pid_ = -1; }

process::~process() {
  if (pid_ > 0 && !status_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

void process::signal(int signo) const {
  if (pid_ > 0 && !status_) ::kill(pid_, signo);
}

std::optional<int> process::wait_for(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      status_ = decode_status(status);
      return status_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

bool process::running() { return !wait_for(std::chrono::milliseconds(0)).has_value(); }

run_result run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
               const std::map<std::string, std::string>& extra_env, const std::string& stdin_data) {
  temp_dir dir;
  std::filesystem::path in = dir.path() / "stdin";
  write_file(in, stdin_data);
  std::vector<std::string> wrapped = {"/bin/sh", "-c", "exec \"$@\" < \"$0\"", in.string()};
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  process p({wrapped, extra_env, {}, dir.path() / "out", dir.path() / "err"});
  run_result result;
  auto code = p.wait_for(timeout);
  if (!code) {
    p.signal(SIGKILL);
    code = p.wait_for(std::chrono::seconds(5));
    result.exit_code = -1;
  } else {
    result.exit_code = *code;
  }
  result.out = read_file(dir.path() / "out");
  result.err = read_file(dir.path() / "err");
  return result;
}

temp_dir::temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "feedd-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

}  // namespace feedd::test
