#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace feedd::test {

// A child process started with fork/exec, killed by PID (SIGKILL) when the
// object goes away, so that no test leaves a server behind.
class process {
 public:
  struct options {
    std::vector<std::string> argv;                  // argv[0] is the program path
    std::map<std::string, std::string> extra_env;   // added to this process's environment
    std::vector<std::string> unset_env;
    std::filesystem::path stdout_file;              // empty: inherit
    std::filesystem::path stderr_file;              // empty: inherit
  };

  explicit process(options opts);
  process(process&&) noexcept;
  process& operator=(process&&) = delete;
  ~process();

  pid_t pid() const { return pid_; }
  void signal(int signo) const;
  // Exit status (or 128 + signal) once the process ended within the timeout.
  std::optional<int> wait_for(std::chrono::milliseconds timeout);
  bool running();

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// stdout+stderr of a command run to completion (bounded by timeout; killed after).
struct run_result {
  int exit_code = -1;
  std::string out;
  std::string err;
};
run_result run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout = std::chrono::seconds(60),
               const std::map<std::string, std::string>& extra_env = {}, const std::string& stdin_data = {});

// A fresh private directory under /tmp, removed with its contents on destruction.
class temp_dir {
 public:
  temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& content);

}  // namespace feedd::test
