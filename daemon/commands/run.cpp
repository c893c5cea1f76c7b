// `feedd run`: connect, migrate, wire the fetch side (I/O threads) to the
// store side (this thread) through the bounded queue, handle signals in the
// event loop, drain, exit.
#include <csignal>
#include <functional>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "app.hpp"
#include "bounded_queue.hpp"
#include "from_config.hpp"
#include "io_while_connecting.hpp"
#include "metrics.hpp"
#include "notify.hpp"
#include "open_database.hpp"
#include "feedd/storage/feed_views.hpp"
#include "retention_thread.hpp"
#include "run_progress.hpp"
#include "scheduler.hpp"
#include "store_worker.hpp"

namespace feedd::daemon {

namespace net = boost::asio;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

namespace {

void log_start(const context& ctx, bool once, logger& log) {
  const auto& settings = ctx.settings;
  log.info("start", {{"version", version()}, {"config", ctx.config_path.string()},
                     {"config_found", ctx.config_found ? "yes" : "no (defaults)"}, {"once", once ? "yes" : "no"},
                     {"threads", settings.fetch.threads}, {"max_concurrent", settings.fetch.max_concurrent},
                     {"queue", settings.queue.capacity}});
  if (!settings.fetch.block_private_addresses)
    log.warning("config", {{"note", "fetch.block_private_addresses is false: feeds may reach private and loopback addresses"}});
  if (!settings.fetch.tls_verify)
    log.warning("config", {{"note", "fetch.tls_verify is false: TLS certificates are not checked"}});
  const auto fetch = fetch_options_of(settings.fetch);
  if (!fetch.http_proxy.empty() || !fetch.https_proxy.empty()) {
    log.info("proxy", {{"http", config::mask_credentials(fetch.http_proxy)},
                       {"https", config::mask_credentials(fetch.https_proxy)},
                       {"no_proxy", fetch.no_proxy},
                       {"from", settings.fetch.proxy.empty() ? "environment" : "fetch.proxy"}});
  }
}

// The signals the event loop handles. They stay blocked until it owns them,
// so a SIGTERM during start-up is seen by signalled_within() instead of
// killing us mid-migration.
sigset_t handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

// Waits up to `delay` for SIGTERM/SIGINT; true if one came. Used before the
// event loop exists (database not reachable yet at start-up).
bool signalled_within(milliseconds delay) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  timespec ts{static_cast<time_t>(delay.count() / 1000), static_cast<long>((delay.count() % 1000) * 1'000'000)};
  return sigtimedwait(&set, nullptr, &ts) > 0;
}

// D1: at start-up the database may not be up yet. The daemon waits for it
// with capped backoff (not READY meanwhile, so systemd sees a slow start,
// not a restart storm); --once fails at once. Refused credentials are a
// configuration error (D9).
expected<storage::database, int> connect_at_start(const context& ctx, bool once, logger& log) {
  milliseconds backoff{500};
  for (int attempt = 1;; ++attempt) {
    // Claims and finishes that store no document commit asynchronously;
    // stored documents wait for their WAL unless the operator opts out.
    auto db = open_database(ctx.settings.database, "feedd-store", true, ctx.settings.database.synchronous_commit);
    if (db && attempt > 1) notify_status("database connected");
    if (db) return std::move(*db);
    const auto& e = db.error();
    log_open_error(log, e, attempt);
    if (once || e.what != open_error::kind::unreachable) return unexpected{e.exit_code()};
    announce_database_wait(log, e, attempt, backoff);
    if (signalled_within(backoff)) return unexpected{exit_ok};
    backoff = std::min(backoff * 2, milliseconds(30'000));
  }
}

// The database, connected and with a schema this binary can use, or the
// exit code.
expected<storage::database, int> database_at_start(const context& ctx, bool once, logger& log) {
  auto db = connect_at_start(ctx, once, log);
  if (!db) return db;
  auto version = prepare_schema(*db, ctx.settings.database);
  if (!version) {
    log.error(ctx.settings.database.migrate ? "migrate" : "schema", {{"error", version.error().message}});
    return unexpected{exit_failure};
  }
  if (ctx.settings.database.migrate) log.info("schema", {{"version", *version}});
  return db;
}

// SIGTERM/SIGINT and SIGHUP, handled on a strand of their own in the event
// loop (pgbouncer); handlers only post to the scheduler and push to the
// queue. The first stop signal drains, the second cancels (SPEC).
class signal_handler {
 public:
  signal_handler(net::io_context& io, const context& ctx, logger& log, scheduler& fetch_side,
                 bounded_queue<message>& queue)
      : strand_(net::make_strand(io)),
        signals_(strand_, SIGTERM, SIGINT, SIGHUP),
        drain_timer_(strand_),
        ctx_(ctx),
        log_(log),
        fetch_side_(fetch_side),
        queue_(queue),
        current_(std::make_shared<const config::config>(ctx.settings)) {}

  void wait() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signo) { on_signal(ec, signo); });
  }

  // At exit, from any thread.
  void stop() {
    net::post(strand_, [this] {
      boost::system::error_code ignored;
      signals_.cancel(ignored);
      drain_timer_.cancel();
    });
  }

 private:
  static const char* name(int signo) { return signo == SIGTERM ? "SIGTERM" : "SIGINT"; }

  void on_signal(const boost::system::error_code& ec, int signo) {
    if (ec) return;  // operation_aborted: the set was cancelled at exit
    if (signo == SIGHUP) {
      reload();
    } else if (++stop_signals_ == 1) {
      drain(signo);
    } else {
      cancel(signo);
    }
    wait();
  }

  // RELIABILITY P6: a file that does not load keeps the running config.
  void reload() {
    notify_reloading();
    auto next = config::load_file(ctx_.config_path, version());
    if (!next) {
      for (const auto& p : next.error()) log_.error("reload", {{"error", config::to_string(p)}});
      log_.error("reload", {{"result", "kept the previous configuration"}});
    } else {
      auto changes = config::describe_changes(*current_, *next);
      for (const auto& c : changes) log_.info("reload", {{"change", c}});
      if (changes.empty()) log_.info("reload", {{"change", "none"}});
      log_.info("reload", {{"note", "log.* and schedule.* apply now; other changes need a restart"}});
      log_.set_level(log_level_of(next->log.level));
      current_ = std::make_shared<const config::config>(std::move(*next));
      queue_.push_control(reload_requested{current_});
    }
    notify_ready();
  }

  // Fetches in flight get drain_timeout, then are cancelled too.
  void drain(int signo) {
    const auto timeout = ctx_.settings.shutdown.drain_timeout;
    log_.info("shutdown", {{"signal", name(signo)}, {"step", "draining"},
                           {"drain_timeout_ms", static_cast<std::int64_t>(timeout.count())}});
    notify_stopping();
    fetch_side_.stop_starting();
    queue_.push_control(drain_requested{});
    drain_timer_.expires_after(timeout);
    drain_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      log_.warning("shutdown", {{"step", "drain timeout: cancelling fetches still in flight"}});
      fetch_side_.cancel_in_flight();
    });
  }

  void cancel(int signo) {
    log_.warning("shutdown", {{"signal", name(signo)}, {"step", "cancelling fetches now"}});
    fetch_side_.cancel_in_flight();
    queue_.push_control(cancel_requested{});
  }

  net::strand<net::io_context::executor_type> strand_;
  net::signal_set signals_;
  net::steady_timer drain_timer_;
  const context& ctx_;
  logger& log_;
  scheduler& fetch_side_;
  bounded_queue<message>& queue_;
  std::shared_ptr<const config::config> current_;
  int stop_signals_ = 0;
};

// /metrics, when metrics.listen is set: the store thread's counters as of
// the last claim that came back.
class metrics_wiring {
 public:
  // exit_ok, or the exit code (logged) when the address cannot be listened
  // on: 1 when that may clear (the port in use, the address not assigned
  // yet), so that systemd's Restart=on-failure tries again; 78 otherwise.
  int start(net::io_context& io, const config::config& settings, logger& log) {
    snapshot_.queue_capacity = settings.queue.capacity;
    snapshot_.started_at_unix =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    if (!settings.metrics.listen) return exit_ok;
    metrics_server::failure why;
    server_ = metrics_server::start(io, *settings.metrics.listen, why);
    if (!server_) {
      log.error("metrics", {{"error", why.message}, {"exit", why.may_clear ? "1: may clear, restart" : "78: configuration"}});
      return why.may_clear ? exit_failure : exit_config;
    }
    server_->publish(snapshot_);
    log.info("metrics", {{"listen", config::to_string(*settings.metrics.listen)}, {"port", static_cast<int>(server_->port())},
                         {"path", "/metrics"}});
    return exit_ok;
  }

  void publish(const run_counters& c, std::size_t queue_depth, int outstanding) {
    if (!server_) return;
    snapshot_.counters = c;
    snapshot_.queue_depth = static_cast<std::int64_t>(queue_depth);
    snapshot_.outstanding = outstanding;
    server_->publish(snapshot_);
  }

  void stop() {
    if (server_) server_->stop();
  }

 private:
  std::unique_ptr<metrics_server> server_;
  metrics_snapshot snapshot_;
};

// WATCHDOG=1 pings from the store thread. The interval is half of
// WatchdogSec; the store loop comes around at least twice in that time and
// pings when half of it has passed, so that the pings are at most about
// half of WatchdogSec apart however the wake-ups fall.
class watchdog_pings {
 public:
  bool on() const { return interval_.count() > 0; }
  milliseconds every() const { return std::chrono::duration_cast<milliseconds>(interval_ / 2); }
  void operator()() {
    if (!on()) return;
    const auto now = steady_clock::now();
    if (now - last_ < interval_ / 2) return;
    notify_watchdog();
    last_ = now;
  }

 private:
  std::chrono::microseconds interval_ = watchdog_interval();
  steady_clock::time_point last_ = steady_clock::now();
};

// fetch.threads threads running the event loop until destroyed.
class io_threads {
 public:
  io_threads(net::io_context& io, int count, logger& log) : io_(io), work_(net::make_work_guard(io)) {
    for (int i = 0; i < count; ++i) {
      threads_.emplace_back([&io, &log] {
        try {
          io.run();
        } catch (const std::exception& e) {
          // A bug: nothing in the loop is meant to throw.
          log.error("internal", {{"thread", "io"}, {"error", e.what()}});
          std::abort();
        }
      });
    }
  }
  ~io_threads() {
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
  }

 private:
  net::io_context& io_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
};

// What a `run --once` starting now will fetch, for its progress line's
// total and ETA; nullopt when it cannot be counted (the run goes on).
std::optional<std::int64_t> due_at_start(storage::database& db) {
  auto due = storage::count_due(db);
  return due ? std::optional<std::int64_t>(*due) : std::nullopt;
}

// Runs the store thread (this one) against the fetch side until it drains.
int store_until_drained(storage::database& db, bounded_queue<message>& queue, scheduler& fetch_side,
                        metrics_wiring& metrics, const context& ctx, bool once, logger& log) {
  watchdog_pings watchdog;
  // The live line is for a person watching `run --once`; a daemon's stderr
  // is a log, and its progress goes to STATUS= alone.
  const bool live = once && terminal_line::wanted();
  run_progress progress(log, live, live ? due_at_start(db) : std::nullopt);
  store_worker::hooks hooks{[&](const std::string&) { progress.send_status(); }, std::ref(watchdog),
                            [&](const run_counters& c, std::size_t depth, int outstanding) {
                              metrics.publish(c, depth, outstanding);
                              progress.update(c, depth, outstanding);
                            },
                            {},
                            {}};
  hooks.alive_every = watchdog.every();
  // A statement waits up to its answer deadline (45 s), which is longer
  // than half a WatchdogSec of 60 s: the wait itself keeps the pings going,
  // and a backend that never answers is the store's to abandon, not
  // systemd's reason to kill the daemon.
  if (watchdog.on()) db.while_waiting(hooks.alive, hooks.alive_every / 2);
  notify_ready();
  store_worker worker(db, queue, fetch_side, log, ctx.settings, once, hooks);
  const int code = worker.run();
  db.while_waiting({}, milliseconds(0));  // the pings end with this function
  return code;
}

}  // namespace

int run_daemon(const context& ctx, bool once, logger& log) {
  const auto& settings = ctx.settings;
  // RELIABILITY P7: a log reader that goes away (a pipe to a collector that
  // crashed, `feedd run | head`) must not kill a daemon holding fetched
  // documents; a failed write to stderr is dropped instead. systemd ignores
  // SIGPIPE for its services already; other supervisors may not. Sockets
  // never raise it (Asio sends with MSG_NOSIGNAL, libpq guards its own).
  std::signal(SIGPIPE, SIG_IGN);
  log_start(ctx, once, log);
  const sigset_t blocked = handled_signals();
  pthread_sigmask(SIG_BLOCK, &blocked, nullptr);

  net::io_context io(settings.fetch.threads);
  metrics_wiring metrics;
  if (const int failed = metrics.start(io, settings, log); failed != exit_ok) return failed;
  auto db = [&] {
    io_while_connecting serving(io);
    return database_at_start(ctx, once, log);
  }();
  if (!db) return db.error();
  if (signalled_within(milliseconds(0))) return exit_ok;

  std::string tls_error;
  auto client = fetcher::create(io, fetch_options_of(settings.fetch), tls_error);
  if (!client) {
    log.error("config", {{"error", tls_error}});
    return exit_config;
  }
  bounded_queue<message> queue(static_cast<std::size_t>(settings.queue.capacity));
  scheduler fetch_side(io, *client, queue, scheduler_limits_of(settings.fetch));
  signal_handler signals(io, ctx, log, fetch_side, queue);
  signals.wait();
  pthread_sigmask(SIG_UNBLOCK, &blocked, nullptr);

  int code = exit_ok;
  {
    io_threads threads(io, settings.fetch.threads, log);
    // run --once fetches and exits; purging is the daemon's, or `feedd purge`'s.
    std::optional<retention_thread> retention;
    if (!once) retention.emplace(ctx, log);
    code = store_until_drained(*db, queue, fetch_side, metrics, ctx, once, log);
    metrics.stop();
    signals.stop();
  }
  log.info("exit", {{"code", code}});
  return code;
}

}  // namespace feedd::daemon
