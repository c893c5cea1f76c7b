#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "feedd/expected.hpp"

namespace feedd::storage {

struct db_error {
  enum class kind {
    connection,  // the server is unreachable or the connection broke: reconnect and retry
    credentials, // the server wanted a password and had none, or refused the one given
    transient,   // serialization failure, deadlock, lock/statement timeout, read-only, disk full: retry later
    content,     // the data was refused (22xxx: bad encoding, value too long): do not retry the same data
    schema,      // schema missing or newer than this binary
    other,
  };
  kind what = kind::other;
  std::string sqlstate;  // five characters, or empty when not from the server
  std::string message;   // "storage: <step>: <detail>", never containing a password
};

struct connect_options {
  std::string conninfo;          // libpq keyword/value string or URI; empty: PG* environment
  std::string password;          // from database.password_file; empty: libpq's own sources
  std::string application_name;  // shows in pg_stat_activity, e.g. "feedd-store"
  // Server-side cap on one statement (SET statement_timeout).
  std::chrono::milliseconds statement_timeout{30'000};
  // Server-side cap on waiting for one lock (SET lock_timeout): 55P03,
  // transient, when another session holds it longer (RELIABILITY D7).
  std::chrono::milliseconds lock_timeout{10'000};
  // Client-side cap on waiting for one answer. A hung backend (SIGSTOP, a
  // frozen VM) never hits its own statement_timeout and its kernel still
  // answers keepalives, so only the client can notice; the connection is
  // then abandoned (kind::connection). Keep it above statement_timeout.
  std::chrono::milliseconds answer_deadline{45'000};
  // synchronous_commit = off for this session: a commit returns before its
  // WAL reaches disk. A server crash can lose the last fraction of a second
  // of commits, each whole, never leaving the data inconsistent (PostgreSQL
  // docs, "Asynchronous Commit"). For the store connection: a lost claim,
  // 304, failure or release only means those feeds are fetched again.
  bool asynchronous_commit = false;
  // With asynchronous_commit: the transactions that store fetched documents
  // still wait for their WAL to reach disk (database.synchronous_commit),
  // so that nothing fetched is lost to a server crash once it is finished.
  // The rest does not wait: a warm cycle is all claims and 304s, and their
  // flushes were a third of its time (bench/README.md, the warm cycle).
  bool durable_documents = true;
};

// One libpq connection, owned by one thread. Move-only. Every statement is
// parameterized (PQexecParams): no value is ever spliced into SQL text.
// Session settings guard against a hung or locked server: statement_timeout,
// lock_timeout, idle_in_transaction_session_timeout, TCP keepalives.
class database {
 public:
  static expected<database, db_error> open(const connect_options& options);

  database(database&&) noexcept;
  database& operator=(database&&) noexcept;
  ~database();

  bool healthy() const;                  // false once the connection is known broken
  expected<void, db_error> reconnect();  // same options as open()

  // Called at least every `every` while a statement waits for its answer
  // (up to answer_deadline), and while wait_for_notification waits: a
  // thread waiting on the server within a deadline is alive, and may tell
  // a watchdog so.
  void while_waiting(std::function<void()> hook, std::chrono::milliseconds every);

  // LISTEN on `channel` (e.g. feeds_changed_channel, hosts.hpp). Remembered:
  // reconnect() listens again on the new session.
  expected<void, db_error> listen(std::string_view channel);

  // Waits up to `timeout` for a notification on a channel listened on.
  // true: one or more arrived, or reconnect() ran since the last call (a
  // notification sent while no session listened is lost, so the caller
  // should look as if one had come); every pending one is consumed, since
  // they carry nothing to act on but their arrival. false: none within
  // `timeout`. kind::connection when the connection is lost meanwhile.
  // Notifications that arrive while a statement runs are kept for the next
  // call.
  expected<bool, db_error> wait_for_notification(std::chrono::milliseconds timeout);

  struct impl;
  impl& internals() { return *impl_; }  // for the storage/ .cpp files only

 private:
  explicit database(std::unique_ptr<impl> impl);
  std::unique_ptr<impl> impl_;
};

// Creates or upgrades the schema in one transaction per version under an
// advisory lock (two instances starting together: one migrates, the other
// waits). Returns the schema version. kind::schema when the database holds a
// newer schema than this binary knows.
expected<int, db_error> migrate(database& db);

// kind::schema unless the schema is exactly current (used with migrate: false).
expected<int, db_error> check_schema(database& db);

}  // namespace feedd::storage
