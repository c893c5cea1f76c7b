#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/test_database.hpp"

namespace feedd::test {

// One feedd under test: its own database, a config file and a log file in a
// private directory, the real binary.
class daemon_harness {
 public:
  explicit daemon_harness(const std::string& label);
  // Its database in another cluster (a libpq conninfo without dbname).
  daemon_harness(const std::string& label, const std::string& cluster);

  // Writes the config: database.url pointing at the test database, private
  // addresses allowed (the feeds live on 127.0.0.1), plus `extra` YAML
  // sections appended verbatim (may override nothing already written), and
  // schedule.first_check_spread 0s unless `other_yaml` sets it.
  void write_config(const std::string& fetch_yaml = "", const std::string& other_yaml = "");
  // database.url for the next write_config: the test database reached
  // another way (a proxy), or "" for db().conninfo() again.
  void set_database_url(const std::string& conninfo) { database_url_ = conninfo; }
  // More "  key: value" lines of the database section for the next
  // write_config (database.statement_timeout, ...).
  void set_database_options(const std::string& yaml_lines) { database_options_ = yaml_lines; }
  const std::filesystem::path& config_path() const { return config_; }

  run_result feedd(const std::vector<std::string>& args, std::chrono::milliseconds timeout = std::chrono::seconds(60));
  // NOTIFY_SOCKET and JOURNAL_STREAM are unset unless extra_env sets them.
  process start(const std::vector<std::string>& args, const std::filesystem::path& log,
                const std::map<std::string, std::string>& extra_env = {});

  // Adds feeds through `feedd feeds import --no-check` of a generated OPML file.
  void add_feeds(const std::vector<std::string>& urls);

  test_database& db() { return db_; }
  const std::filesystem::path& dir() const { return dir_.path(); }

 private:
  static std::string without_first_check_spread(std::string other_yaml);

  test_database db_;
  temp_dir dir_;
  std::filesystem::path config_;
  std::string database_url_;
  std::string database_options_;
};

class fake_server;

// The number of requests fakefeed has answered per path (query stripped).
std::map<std::string, int> hits(const fake_server& server);

// Body of GET http://127.0.0.1:port/path over a plain socket (HTTP/1.0), or
// "" on any failure; bounded by a 5 s socket timeout.
std::string http_get(int port, const std::string& path);

// A TCP port on 127.0.0.1 that was free a moment ago.
int free_port();

// fakefeed.py serving `root` under /feeds/.
std::unique_ptr<fake_server> serve_directory(const std::filesystem::path& root);

}  // namespace feedd::test
