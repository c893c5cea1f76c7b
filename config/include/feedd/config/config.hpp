#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "feedd/expected.hpp"

namespace feedd::config {

using duration = std::chrono::milliseconds;

enum class log_level { debug, info, warning, error };
enum class log_format { automatic, text, json };

struct database_settings {
  std::string url;            // libpq conninfo or URI; empty: PG* environment
  std::string password_file;  // read at start; empty: none
  bool migrate = true;
  // Off: the store connection commits asynchronously (faster; a database
  // crash may forget the last moments of finished feeds).
  bool synchronous_commit = true;
  // Server-side caps on one statement and on one lock wait, per session.
  // The client gives up on an answer at 1.5 x statement_timeout (a hung
  // backend never reaches its own timeout: RELIABILITY D5).
  duration statement_timeout = std::chrono::seconds(30);
  duration lock_timeout = std::chrono::seconds(10);

  friend bool operator==(const database_settings&, const database_settings&) = default;
};

struct fetch_settings {
  int threads = 2;
  int max_concurrent = 64;
  int max_per_host = 2;
  // Least time between the starts of two fetches to one host, in one
  // process; 0: no spacing.
  duration host_delay{0};
  duration connect_timeout = std::chrono::seconds(10);
  duration timeout = std::chrono::seconds(30);
  std::size_t max_body = 16 * 1024 * 1024;
  int max_redirects = 5;
  std::string user_agent;  // default "feedd/<version>", filled by the loader
  bool tls_verify = true;
  std::string ca_file;
  bool block_private_addresses = true;
  // http://[user:pass@]host:port for every feed, or empty: HTTP(S)_PROXY and
  // NO_PROXY from the environment (README, "Proxies").
  std::string proxy;

  friend bool operator==(const fetch_settings&, const fetch_settings&) = default;
};

struct queue_settings {
  int capacity = 32;

  friend bool operator==(const queue_settings&, const queue_settings&) = default;
};

struct schedule_settings {
  duration interval = std::chrono::minutes(30);
  duration min_interval = std::chrono::minutes(5);
  duration max_interval = std::chrono::hours(24);
  duration error_backoff_max = std::chrono::hours(24);
  int claim_batch = 100;
  duration lease = std::chrono::minutes(5);
  // The longest a first check (feeds import) or a check found overdue at
  // start-up is spread over; 0: none is spread.
  duration first_check_spread = std::chrono::minutes(5);
  // Derive each feed's interval from its publishing rate (README, "How often
  // a feed is checked").
  bool adaptive = false;

  friend bool operator==(const schedule_settings&, const schedule_settings&) = default;
};

struct shutdown_settings {
  duration drain_timeout = std::chrono::seconds(20);

  friend bool operator==(const shutdown_settings&, const shutdown_settings&) = default;
};

struct log_settings {
  log_level level = log_level::info;
  log_format format = log_format::automatic;

  friend bool operator==(const log_settings&, const log_settings&) = default;
};

// Where a server listens: metrics.listen, read once by the loader.
struct listen_address {
  std::string host;  // a name or an address; IPv6 without brackets, maybe with a zone ("fe80::1%eth0")
  std::uint16_t port = 0;

  friend bool operator==(const listen_address&, const listen_address&) = default;
};

struct metrics_settings {
  std::optional<listen_address> listen;  // empty: no metrics server

  friend bool operator==(const metrics_settings&, const metrics_settings&) = default;
};

// README "Retention": 0 means no limit (the default: keep everything).
struct retention_settings {
  duration max_age{0};
  int max_entries_per_feed = 0;

  friend bool operator==(const retention_settings&, const retention_settings&) = default;
};

struct config {
  database_settings database;
  fetch_settings fetch;
  queue_settings queue;
  schedule_settings schedule;
  shutdown_settings shutdown;
  log_settings log;
  metrics_settings metrics;
  retention_settings retention;

  friend bool operator==(const config&, const config&) = default;
};

// One problem with the file; key is the dotted path ("fetch.timeout"), line
// and column are 1-based, 0 when unknown (a missing file). Problems with the
// document as a whole (YAML syntax, a root that is not a mapping) have an
// empty key from load_string and the file's path from load_file.
struct problem {
  std::string key;
  int line = 0;
  int column = 0;
  std::string message;

  friend bool operator==(const problem&, const problem&) = default;
};

// "config: fetch.timeout (line 7): expected a duration such as 30s"
std::string to_string(const problem& p);

// Text from a file or the command line (a key, a path, yaml-cpp's message
// about a character), safe to print: bytes that are not UTF-8, control
// characters (C0, DEL, C1) and bidirectional formatting characters escaped
// byte by byte ("fetch.a\x0ab"), so that it prints as one line, in UTF-8,
// that no terminal acts on. Problems carry their key and message this way.
std::string printable(std::string_view text);

// Every problem in the document, not just the first.
expected<config, std::vector<problem>> load_string(std::string_view yaml, std::string_view version);
// load_string plus what needs the file system: the file itself, and
// database.password_file and fetch.ca_file must exist and be readable.
expected<config, std::vector<problem>> load_file(const std::filesystem::path& path, std::string_view version);

// "30s", "5m", "1h30m", "500ms", "1d"; nullopt if malformed or negative.
std::optional<duration> parse_duration(std::string_view text);
std::string format_duration(duration d);
// metrics.listen: "host:port", or "[ipv6]:port"; the error says what is
// wrong with `text`. Names are not looked up.
expected<listen_address, std::string> parse_listen_address(std::string_view text);
// As parse_listen_address reads it: "127.0.0.1:9118", "[::1]:9118".
std::string to_string(const listen_address& address);
// "16MiB", "10MB", "1000B": the largest unit that divides the size exactly.
std::string format_size(std::size_t bytes);

// The spelling used in the YAML file ("warning", "auto").
std::string_view to_string(log_level level);
std::string_view to_string(log_format format);

// "http://***@proxy:3128" for "http://user:pass@proxy:3128": a URL whose
// user information must not reach logs; unchanged when it has none.
std::string mask_credentials(std::string_view url);

// Human-readable differences, one "key: old -> new" per line, for SIGHUP logs.
std::vector<std::string> describe_changes(const config& before, const config& after);

}  // namespace feedd::config
