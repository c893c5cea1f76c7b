#include "open_database.hpp"

#include "live_metrics.hpp"
#include "notify.hpp"

namespace feedd::daemon {

expected<storage::database, open_error> open_database(const config::database_settings& settings,
                                                      std::string_view application, bool asynchronous_commit,
                                                      bool durable_documents) {
  using kind = open_error::kind;
  auto password = read_password(settings);
  if (!password) return unexpected{open_error{kind::password_file, password.error()}};
  storage::connect_options options{settings.url, *password, std::string(application)};
  options.asynchronous_commit = asynchronous_commit;
  options.durable_documents = durable_documents;
  options.statement_timeout = settings.statement_timeout;
  options.lock_timeout = settings.lock_timeout;
  // Past statement_timeout the server should have answered with 57014; half
  // as long again leaves room for a slow answer before the client gives up.
  options.answer_deadline = settings.statement_timeout * 3 / 2;
  auto db = storage::database::open(options);
  if (db) return std::move(*db);
  switch (db.error().what) {
    case storage::db_error::kind::credentials: return unexpected{open_error{kind::credentials, db.error().message}};
    case storage::db_error::kind::connection: return unexpected{open_error{kind::unreachable, db.error().message}};
    default: return unexpected{open_error{kind::other, db.error().message}};
  }
}

void log_open_error(logger& log, const open_error& e, int attempt) {
  if (e.what == open_error::kind::password_file) return log.error("config", {{"error", e.message}});
  if (attempt > 0) {
    log.error("database", {{"step", "connect"}, {"try", attempt}, {"error", e.message}});
  } else {
    log.error("database", {{"step", "connect"}, {"error", e.message}});
  }
  if (e.what == open_error::kind::credentials) log.error("config", {{"error", refused_credentials}});
}

void announce_database_wait(logger& log, const open_error& e, int attempt, std::chrono::milliseconds backoff) {
  log.info("database_wait", {{"try", attempt}, {"backoff_ms", static_cast<std::int64_t>(backoff.count())}});
  notify_status("waiting for database: " + e.message);
  notify_extend_timeout(std::chrono::duration_cast<std::chrono::microseconds>(backoff + connect_try_allowance));
  record_database_up(false);
}

expected<int, storage::db_error> prepare_schema(storage::database& db, const config::database_settings& settings) {
  return settings.migrate ? storage::migrate(db) : storage::check_schema(db);
}

}  // namespace feedd::daemon
