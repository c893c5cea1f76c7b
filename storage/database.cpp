#include "feedd/storage/database.hpp"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "session.hpp"

namespace feedd::storage {

namespace {

// libpq prints NOTICEs (e.g. "relation already exists, skipping") on stderr,
// which would break the one-event-per-line log.
void ignore_notice(void*, const char*) {}

// The password as written in a URI's userinfo (still percent-encoded): a
// parse error may echo that raw text rather than the decoded value.
std::string uri_password(std::string_view conninfo) {
  for (std::string_view scheme : {"postgresql://", "postgres://"}) {
    if (!conninfo.starts_with(scheme)) continue;
    std::string_view rest = conninfo.substr(scheme.size());
    rest = rest.substr(0, rest.find_first_of("/?"));
    const auto at = rest.rfind('@');
    if (at == std::string_view::npos) return {};
    rest = rest.substr(0, at);
    const auto colon = rest.find(':');
    return colon == std::string_view::npos ? std::string{} : std::string(rest.substr(colon + 1));
  }
  return {};
}

// libpq's conninfo syntax errors quote the offending text, which may be a
// password written in the wrong place: quoted fragments are masked.
std::string mask_quoted(std::string_view message) {
  std::string out;
  bool inside = false;
  for (char c : message) {
    if (c == '"') {
      out += c;
      if (!inside) out += "...";
      inside = !inside;
    } else if (!inside) {
      out += c;
    }
  }
  return out;
}

// Session settings that bound how long a statement, a lock wait or an
// abandoned transaction may hold anything; timestamps are read as UTC.
constexpr const char* session_sql =
    "SELECT set_config('statement_timeout', $1, false), set_config('lock_timeout', $3, false), "
    "set_config('idle_in_transaction_session_timeout', '60s', false), set_config('TimeZone', 'UTC', false), "
    "set_config('synchronous_commit', $2, false)";

// The keywords the operator set in the conninfo (their values win over our
// defaults); any password among them joins `secrets`.
expected<std::set<std::string, std::less<>>, std::string> given_keywords(const std::string& conninfo,
                                                                         std::vector<std::string>& secrets) {
  std::set<std::string, std::less<>> given;
  if (conninfo.empty()) return given;
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &error);
  if (parsed == nullptr) {
    std::string detail = error != nullptr ? mask_quoted(error) : "out of memory";
    PQfreemem(error);
    return unexpected{"invalid connection string: " + detail};
  }
  for (const PQconninfoOption* o = parsed; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    given.emplace(o->keyword);
    if (std::string_view(o->keyword) == "password") secrets.emplace_back(o->val);
  }
  PQconninfoFree(parsed);
  return given;
}

// PQconnectdbParams' keywords and values, null-terminated; they point into
// `options`, which must outlive them.
struct connect_params {
  std::vector<const char*> keys;
  std::vector<const char*> values;
  void add(const char* key, const char* value) {
    keys.push_back(key);
    values.push_back(value);
  }
};

// With expand_dbname only the first "dbname" is expanded and every later
// keyword overrides what it set, so defaults go in only when absent.
connect_params params_for(const connect_options& options, const std::set<std::string, std::less<>>& given) {
  connect_params p;
  if (!options.conninfo.empty()) p.add("dbname", options.conninfo.c_str());
  if (!options.password.empty()) p.add("password", options.password.c_str());
  if (!options.application_name.empty()) p.add("fallback_application_name", options.application_name.c_str());
  if (!given.contains("connect_timeout") && std::getenv("PGCONNECT_TIMEOUT") == nullptr) p.add("connect_timeout", "10");
  if (!given.contains("keepalives")) p.add("keepalives", "1");
  // Unacknowledged writes fail after 30 s instead of the kernel's ~15 min.
  if (!given.contains("tcp_user_timeout")) p.add("tcp_user_timeout", "30000");
  // Every string we bind is UTF-8, whatever the server or PGCLIENTENCODING say.
  p.add("client_encoding", "UTF8");
  p.add(nullptr, nullptr);
  return p;
}

}  // namespace

expected<void, db_error> database::impl::connect() {
  conn.reset();
  secrets = {options.password, uri_password(options.conninfo)};
  auto given = given_keywords(options.conninfo, secrets);
  if (!given) return unexpected{fail("connect", db_error::kind::other, given.error())};
  const auto params = params_for(options, *given);
  conn.reset(PQconnectdbParams(params.keys.data(), params.values.data(), 1));
  if (!conn) return unexpected{fail("connect", db_error::kind::connection, "out of memory")};
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    // libpq tells these apart without parsing the (translated) message: the
    // server demanded a password and got none, or took one and still refused
    // (a wrong one, or a database that does not exist behind it). Waiting
    // does not fix either; the other failures may pass.
    const bool refused = PQconnectionNeedsPassword(conn.get()) != 0 || PQconnectionUsedPassword(conn.get()) != 0;
    auto error = fail("connect", refused ? db_error::kind::credentials : db_error::kind::connection,
                      PQerrorMessage(conn.get()));
    conn.reset();
    return unexpected{std::move(error)};
  }
  PQsetNoticeProcessor(conn.get(), ignore_notice, nullptr);
  if (PQsetnonblocking(conn.get(), 1) != 0) {
    auto error = fail("connect", db_error::kind::other, PQerrorMessage(conn.get()));
    conn.reset();
    return unexpected{std::move(error)};
  }
  pq::params p;
  p.text(std::to_string(options.statement_timeout.count()));
  p.text(options.asynchronous_commit ? "off" : "on");
  p.text(std::to_string(options.lock_timeout.count()));
  if (auto r = exec("session settings", session_sql, p); !r) {
    conn.reset();
    return unexpected{r.error()};
  }
  // A new session listens on nothing: listen again, and let the next wait
  // report what may have been sent while no session listened.
  for (const auto& channel : channels) {
    if (auto r = listen(channel); !r) {
      conn.reset();
      return unexpected{r.error()};
    }
  }
  missed_notifications = !channels.empty();
  return {};
}

expected<database, db_error> database::open(const connect_options& options) {
  auto state = std::make_unique<impl>();
  state->options = options;
  if (auto r = state->connect(); !r) return unexpected{r.error()};
  return database{std::move(state)};
}

database::database(std::unique_ptr<impl> state) : impl_(std::move(state)) {}
database::database(database&&) noexcept = default;
database& database::operator=(database&&) noexcept = default;
database::~database() = default;

bool database::healthy() const { return impl_ && impl_->conn && PQstatus(impl_->conn.get()) == CONNECTION_OK; }

void database::while_waiting(std::function<void()> hook, std::chrono::milliseconds every) {
  if (!impl_) return;
  impl_->waiting_hook = std::move(hook);
  impl_->waiting_every = every;
}

expected<void, db_error> database::listen(std::string_view channel) {
  if (!impl_) return unexpected{db_error{db_error::kind::other, {}, "storage: listen: moved-from database"}};
  const std::string name(channel);
  if (auto r = impl_->listen(name); !r) return r;
  if (std::find(impl_->channels.begin(), impl_->channels.end(), name) == impl_->channels.end()) {
    impl_->channels.push_back(name);
  }
  return {};
}

expected<bool, db_error> database::wait_for_notification(std::chrono::milliseconds timeout) {
  if (!impl_) return unexpected{db_error{db_error::kind::other, {}, "storage: wait for notification: moved-from database"}};
  return impl_->wait_for_notification(timeout);
}

expected<void, db_error> database::reconnect() {
  if (!impl_) return unexpected{db_error{db_error::kind::other, {}, "storage: reconnect: moved-from database"}};
  return impl_->connect();
}

}  // namespace feedd::storage
