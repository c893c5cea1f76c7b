#include "session.hpp"

#include <cerrno>
#include <climits>
#include <memory>
#include <utility>

#include <poll.h>

namespace feedd::storage {

namespace {

using clock = std::chrono::steady_clock;

enum class wait_result { ready, timed_out, failed };

// poll(2) on the connection's socket until one of `events` or the deadline,
// calling `hook` (when set) at least every `every` meanwhile.
wait_result wait_socket(PGconn* conn, short events, clock::time_point deadline, short& revents,
                        const std::function<void()>& hook, std::chrono::milliseconds every) {
  const int fd = PQsocket(conn);
  if (fd < 0) return wait_result::failed;
  for (;;) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now());
    if (left.count() <= 0) return wait_result::timed_out;
    if (hook && every.count() > 0) left = std::min(left, every);
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), INT_MAX)));
    if (n > 0) {
      revents = p.revents;
      return wait_result::ready;
    }
    if (n < 0 && errno != EINTR) return wait_result::failed;
    if (hook) hook();
  }
}

bool failed_status(ExecStatusType s) {
  return s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_EMPTY_QUERY;
}

}  // namespace

db_error database::impl::fail(std::string_view step, db_error::kind what, std::string_view detail,
                              std::string sqlstate) const {
  std::string text = pq::one_line(detail);
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "***");
    }
  }
  return db_error{what, std::move(sqlstate), "storage: " + std::string(step) + ": " + text};
}

expected<pq::result, db_error> database::impl::broken(std::string_view step) {
  const bool lost = !conn || PQstatus(conn.get()) == CONNECTION_BAD;
  std::string_view detail = conn ? PQerrorMessage(conn.get()) : "not connected";
  if (detail.empty()) detail = "connection lost";
  return unexpected{fail(step, lost ? db_error::kind::connection : db_error::kind::other, detail)};
}

expected<pq::result, db_error> database::impl::abandon(std::string_view step, std::chrono::milliseconds deadline) {
  // Closing the socket is all that helps against a hung backend: a cancel
  // request would be queued behind the same stopped process. Once it runs
  // again it sees the client gone and rolls back.
  conn.reset();
  return unexpected{fail(step, db_error::kind::connection,
                         "no answer from the server within " + std::to_string(deadline.count()) +
                             " ms; connection abandoned")};
}

expected<pq::result, db_error> database::impl::exec(std::string_view step, const char* sql,
                                                     const pq::params& params,
                                                     std::optional<std::chrono::milliseconds> deadline) {
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) return broken(step);
  const auto budget = deadline.value_or(options.answer_deadline);
  const auto until = clock::now() + budget;
  PGconn* c = conn.get();

  if (PQsendQueryParams(c, sql, params.size(), nullptr, params.values(), params.lengths(), params.formats(), 0) == 0) {
    return broken(step);
  }
  // Non-blocking mode: a large batch may not fit the socket buffer at once
  // (libpq: "Asynchronous Command Processing").
  for (;;) {
    const int flushed = PQflush(c);
    if (flushed == 0) break;
    if (flushed < 0) return broken(step);
    short revents = 0;
    const auto w = wait_socket(c, POLLIN | POLLOUT, until, revents, waiting_hook, waiting_every);
    if (w == wait_result::timed_out) return abandon(step, budget);
    if (w == wait_result::failed) return broken(step);
    if ((revents & POLLIN) != 0 && PQconsumeInput(c) == 0) return broken(step);
  }

  pq::result first_error;
  pq::result last;
  for (;;) {
    while (PQisBusy(c) != 0) {
      short revents = 0;
      const auto w = wait_socket(c, POLLIN, until, revents, waiting_hook, waiting_every);
      if (w == wait_result::timed_out) return abandon(step, budget);
      if (w == wait_result::failed || PQconsumeInput(c) == 0) return broken(step);
    }
    pq::result r{PQgetResult(c)};
    if (!r) break;
    if (failed_status(PQresultStatus(r.get()))) {
      if (!first_error) first_error = std::move(r);
    } else {
      last = std::move(r);
    }
  }

  if (first_error) {
    const PGresult* r = first_error.get();
    const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    std::string sqlstate = state != nullptr ? state : "";
    const char* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    std::string_view detail = primary != nullptr ? primary : PQresultErrorMessage(r);
    auto what = pq::classify(sqlstate);
    if (PQstatus(c) == CONNECTION_BAD) what = db_error::kind::connection;
    if (sqlstate.empty() && what == db_error::kind::other) return broken(step);
    return unexpected{fail(step, what, detail, std::move(sqlstate))};
  }
  if (!last) return broken(step);
  return last;
}

expected<void, db_error> database::impl::listen(const std::string& channel) {
  // LISTEN takes a channel name, an identifier: it cannot be a parameter,
  // so libpq quotes the name (PQescapeIdentifier) after this prefix.
  static constexpr const char* listen_sql = "LISTEN ";
  constexpr std::string_view step = "listen";
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    auto r = broken(step);
    return unexpected{r.error()};
  }
  std::unique_ptr<char, decltype(&PQfreemem)> quoted{
      PQescapeIdentifier(conn.get(), channel.data(), channel.size()), &PQfreemem};
  if (!quoted) return unexpected{fail(step, db_error::kind::other, PQerrorMessage(conn.get()))};
  const std::string sql = listen_sql + std::string(quoted.get());
  auto r = exec(step, sql.c_str());
  if (!r) return unexpected{r.error()};
  return {};
}

expected<bool, db_error> database::impl::wait_for_notification(std::chrono::milliseconds timeout) {
  constexpr std::string_view step = "wait for notification";
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    auto r = broken(step);
    return unexpected{r.error()};
  }
  PGconn* c = conn.get();
  // Every pending notification counts as one: they only say "look again".
  const auto drain = [c] {
    bool any = false;
    while (PGnotify* n = PQnotifies(c)) {
      PQfreemem(n);
      any = true;
    }
    return any;
  };
  bool arrived = std::exchange(missed_notifications, false);
  // Read what is already on the socket without waiting (non-blocking mode).
  if (PQconsumeInput(c) == 0) {
    auto r = broken(step);
    return unexpected{r.error()};
  }
  arrived = drain() || arrived;
  const auto until = clock::now() + timeout;
  while (!arrived) {
    short revents = 0;
    const auto w = wait_socket(c, POLLIN, until, revents, waiting_hook, waiting_every);
    if (w == wait_result::timed_out) return false;
    // An orderly close by the server (it was stopped, or the backend was
    // terminated) reads as input too: PQconsumeInput then fails or leaves
    // the connection bad.
    if (w == wait_result::failed || PQconsumeInput(c) == 0 || PQstatus(c) == CONNECTION_BAD) {
      auto r = broken(step);
      return unexpected{r.error()};
    }
    arrived = drain();
  }
  return true;
}

expected<void, db_error> commit_durably(database::impl& db, std::string_view step) {
  static constexpr const char* durable_sql = "SELECT set_config('synchronous_commit', 'on', true)";
  if (!db.options.asynchronous_commit || !db.options.durable_documents) return {};
  auto r = db.exec(step, durable_sql);
  if (!r) return unexpected{r.error()};
  return {};
}

expected<transaction, db_error> transaction::begin(database::impl& db, std::string_view step) {
  static constexpr const char* begin_sql = "BEGIN";
  auto r = db.exec(step, begin_sql);
  if (!r) return unexpected{r.error()};
  return transaction{db};
}

transaction::~transaction() { rollback(); }

void transaction::rollback() {
  static constexpr const char* rollback_sql = "ROLLBACK";
  if (db_ == nullptr) return;
  // A broken connection has lost the transaction already.
  if (db_->conn && PQstatus(db_->conn.get()) == CONNECTION_OK) (void)db_->exec("rollback", rollback_sql);
  db_ = nullptr;
}

expected<void, db_error> transaction::commit(std::string_view step) {
  static constexpr const char* commit_sql = "COMMIT";
  database::impl* db = db_;
  db_ = nullptr;
  // A lost answer leaves the outcome unknown: the caller retries the whole
  // transaction, which every writer here tolerates (ON CONFLICT, lease token).
  auto r = db->exec(step, commit_sql);
  if (!r) return unexpected{r.error()};
  return {};
}

}  // namespace feedd::storage
