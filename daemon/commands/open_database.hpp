#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "app.hpp"
#include "feedd/config/config.hpp"
#include "feedd/expected.hpp"
#include "feedd/storage/database.hpp"
#include "log.hpp"

namespace feedd::daemon {

// What an operator is told when the server refuses the configured login.
inline constexpr std::string_view refused_credentials =
    "the database refused the credentials of database.url / database.password_file";

struct open_error {
  enum class kind {
    password_file,  // database.password_file could not be read, or is empty
    credentials,    // the server refused the login (RELIABILITY D9)
    unreachable,    // the server could not be reached; it may come up (D1)
    other,          // e.g. a malformed database.url
  };
  kind what = kind::other;
  std::string message;  // never the password

  // A password file that cannot be read and credentials the server refuses
  // are configuration errors (78): systemd does not restart into them.
  int exit_code() const { return what == kind::password_file || what == kind::credentials ? exit_config : exit_failure; }
};

// Reads database.password_file, then connects once.
expected<storage::database, open_error> open_database(const config::database_settings& settings,
                                                      std::string_view application, bool asynchronous_commit = false,
                                                      bool durable_documents = true);

// Logs an open_error as `run` and `migrate` do: an unreadable password file
// as a config event, anything else as a database event of its `attempt`
// (0: not counted), refused credentials with a config event after it.
void log_open_error(logger& log, const open_error& e, int attempt = 0);

// Before `run` waits `backoff` for a database that is not up yet: says so in
// the log (event=database_wait), to systemd (STATUS=waiting for database:
// <reason>) and to /readyz, and asks systemd (EXTEND_TIMEOUT_USEC=) for the
// backoff plus connect_try_allowance, so that TimeoutStartSec= neither ends
// the wait nor starts a restart loop while the retries go on.
inline constexpr std::chrono::seconds connect_try_allowance{30};
void announce_database_wait(logger& log, const open_error& e, int attempt, std::chrono::milliseconds backoff);

// Creates or upgrades the schema when database.migrate is on, else checks
// that it is current: the schema's version.
expected<int, storage::db_error> prepare_schema(storage::database& db, const config::database_settings& settings);

}  // namespace feedd::daemon
