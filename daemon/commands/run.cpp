// `feedd run`: connect, migrate, wire the fetch side (I/O threads) to the
// store side (this thread) through the bounded queue, handle signals in the
// event loop, drain, exit.
#include <csignal>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "app.hpp"
#include "bounded_queue.hpp"
#include "feedd/storage/database.hpp"
#include "metrics.hpp"
#include "notify.hpp"
#include "scheduler.hpp"
#include "store_worker.hpp"

namespace feedd::daemon {

namespace net = boost::asio;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

fetch_options fetch_options_of(const config::fetch_settings& f) {
  fetch_options o;
  o.connect_timeout = f.connect_timeout;
  o.timeout = f.timeout;
  o.max_body = f.max_body;
  o.max_redirects = f.max_redirects;
  o.user_agent = f.user_agent;
  o.tls_verify = f.tls_verify;
  o.ca_file = f.ca_file;
  o.block_private_addresses = f.block_private_addresses;
  // A lookup thread per fetch that may wait on one, but a handful is plenty
  // for names that answer; more only help with many hanging at once.
  o.lookup_threads = static_cast<std::size_t>(std::clamp(f.max_concurrent, 2, 16));
  return o;
}

log_level level_of(config::log_level l) {
  switch (l) {
    case config::log_level::debug: return log_level::debug;
    case config::log_level::info: return log_level::info;
    case config::log_level::warning: return log_level::warning;
    case config::log_level::error: return log_level::error;
  }
  return log_level::info;
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
// configuration error (D9, exit 78: systemd does not restart into them).
expected<storage::database, int> connect_at_start(const context& ctx, bool once, logger& log) {
  auto password = read_password(ctx.settings.database);
  if (!password) {
    log.error("config", {{"error", password.error()}});
    return unexpected{exit_config};
  }
  milliseconds backoff{500};
  for (int attempt = 1;; ++attempt) {
    storage::connect_options options{ctx.settings.database.url, *password, "feedd-store"};
    options.asynchronous_commit = true;
    auto db = storage::database::open(options);
    if (db) return std::move(*db);
    log.error("database", {{"step", "connect"}, {"try", attempt}, {"error", db.error().message}});
    if (db.error().what == storage::db_error::kind::credentials) {
      log.error("config", {{"error", "the database refused the credentials of database.url / database.password_file"}});
      return unexpected{exit_config};
    }
    if (once || db.error().what != storage::db_error::kind::connection) return unexpected{exit_failure};
    if (signalled_within(backoff)) return unexpected{exit_ok};
    backoff = std::min(backoff * 2, milliseconds(30'000));
  }
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
  log.info("start", {{"version", version()}, {"config", ctx.config_path.string()},
                     {"config_found", ctx.config_found ? "yes" : "no (defaults)"}, {"once", once ? "yes" : "no"},
                     {"threads", settings.fetch.threads}, {"max_concurrent", settings.fetch.max_concurrent},
                     {"queue", settings.queue.capacity}});
  if (!settings.fetch.block_private_addresses)
    log.warning("config", {{"note", "fetch.block_private_addresses is false: feeds may reach private and loopback addresses"}});
  if (!settings.fetch.tls_verify)
    log.warning("config", {{"note", "fetch.tls_verify is false: TLS certificates are not checked"}});

  // Signals stay blocked until the event loop owns them, so a SIGTERM during
  // start-up is seen by signalled_within() instead of killing us mid-migration.
  sigset_t blocked;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGTERM);
  sigaddset(&blocked, SIGINT);
  sigaddset(&blocked, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &blocked, nullptr);

  auto db = connect_at_start(ctx, once, log);
  if (!db) return db.error();
  if (settings.database.migrate) {
    auto v = storage::migrate(*db);
    if (!v) {
      log.error("migrate", {{"error", v.error().message}});
      return exit_failure;
    }
    log.info("schema", {{"version", *v}});
  } else if (auto v = storage::check_schema(*db); !v) {
    log.error("schema", {{"error", v.error().message}});
    return exit_failure;
  }
  if (signalled_within(milliseconds(0))) return exit_ok;

  net::io_context io(settings.fetch.threads);
  std::string tls_error;
  auto client = fetcher::create(io, fetch_options_of(settings.fetch), tls_error);
  if (!client) {
    log.error("config", {{"error", tls_error}});
    return exit_config;
  }
  bounded_queue<message> queue(static_cast<std::size_t>(settings.queue.capacity));
  scheduler fetch_side(io, *client, queue, {settings.fetch.max_concurrent, settings.fetch.max_per_host, settings.fetch.timeout});

  // Signal state lives on one strand; handlers only post and push.
  auto signal_strand = net::make_strand(io);
  net::signal_set signals(signal_strand, SIGTERM, SIGINT, SIGHUP);
  net::steady_timer drain_timer(signal_strand);
  int stop_signals = 0;
  auto current = std::make_shared<const config::config>(settings);
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int signo) {
        if (ec) return;  // operation_aborted: the set was cancelled at exit
        if (signo == SIGHUP) {
          notify_reloading();
          auto next = config::load_file(ctx.config_path, version());
          if (!next) {
            for (const auto& p : next.error()) log.error("reload", {{"error", config::to_string(p)}});
            log.error("reload", {{"result", "kept the previous configuration"}});
          } else {
            auto changes = config::describe_changes(*current, *next);
            for (const auto& c : changes) log.info("reload", {{"change", c}});
            if (changes.empty()) log.info("reload", {{"change", "none"}});
            log.info("reload", {{"note", "log.* and schedule.* apply now; other changes need a restart"}});
            log.set_level(level_of(next->log.level));
            current = std::make_shared<const config::config>(std::move(*next));
            queue.push_control(reload_requested{current});
          }
          notify_ready();
        } else if (++stop_signals == 1) {
          log.info("shutdown", {{"signal", signo == SIGTERM ? "SIGTERM" : "SIGINT"}, {"step", "draining"},
                                {"drain_timeout_ms", static_cast<std::int64_t>(settings.shutdown.drain_timeout.count())}});
          notify_stopping();
          fetch_side.stop_starting();
          queue.push_control(drain_requested{});
          drain_timer.expires_after(settings.shutdown.drain_timeout);
          drain_timer.async_wait([&](const boost::system::error_code& timer_ec) {
            if (timer_ec) return;
            log.warning("shutdown", {{"step", "drain timeout: cancelling fetches still in flight"}});
            fetch_side.cancel_in_flight();
          });
        } else {
          log.warning("shutdown", {{"signal", signo == SIGTERM ? "SIGTERM" : "SIGINT"}, {"step", "cancelling fetches now"}});
          fetch_side.cancel_in_flight();
          queue.push_control(cancel_requested{});
        }
        signals.async_wait(on_signal);
      };
  signals.async_wait(on_signal);
  pthread_sigmask(SIG_UNBLOCK, &blocked, nullptr);

  std::unique_ptr<metrics_server> metrics;
  metrics_snapshot snapshot;
  snapshot.queue_capacity = settings.queue.capacity;
  snapshot.started_at_unix =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  if (!settings.metrics.listen.empty()) {
    std::string metrics_error;
    metrics = metrics_server::start(io, settings.metrics.listen, metrics_error);
    if (!metrics) {
      log.error("metrics", {{"error", metrics_error}});
      return exit_config;
    }
    metrics->publish(snapshot);
    log.info("metrics", {{"listen", settings.metrics.listen}, {"port", static_cast<int>(metrics->port())},
                         {"path", "/metrics"}});
  }

  auto work = net::make_work_guard(io);
  std::vector<std::thread> threads;
  for (int i = 0; i < settings.fetch.threads; ++i) {
    threads.emplace_back([&io, &log] {
      try {
        io.run();
      } catch (const std::exception& e) {
        // A bug: nothing in the loop is meant to throw.
        log.error("internal", {{"thread", "io"}, {"error", e.what()}});
        std::abort();
      }
    });
  }

  // Half of WatchdogSec; the store loop comes around at least twice in
  // that time and pings when half of it has passed, so that the pings are
  // at most about half of WatchdogSec apart however the wake-ups fall.
  const auto watchdog = watchdog_interval();
  auto last_ping = std::chrono::steady_clock::now();
  store_worker::hooks hooks{
      [](const std::string& status) { notify_status(status); },
      [&] {
        if (watchdog.count() == 0) return;
        auto now = std::chrono::steady_clock::now();
        if (now - last_ping >= watchdog / 2) {
          notify_watchdog();
          last_ping = now;
        }
      },
      [&](const run_counters& c, std::size_t queue_depth, int outstanding) {
        if (!metrics) return;
        snapshot.counters = c;
        snapshot.queue_depth = static_cast<std::int64_t>(queue_depth);
        snapshot.outstanding = outstanding;
        metrics->publish(snapshot);
      }};
  hooks.alive_every = std::chrono::duration_cast<std::chrono::milliseconds>(watchdog / 2);
  // A statement waits up to its answer deadline (45 s), which is longer
  // than half a WatchdogSec of 60 s: the wait itself keeps the pings going,
  // and a backend that never answers is the store's to abandon, not
  // systemd's reason to kill the daemon.
  if (watchdog.count() > 0) db->while_waiting(hooks.alive, hooks.alive_every / 2);
  notify_ready();
  store_worker worker(*db, queue, fetch_side, log, settings, once, hooks);
  int code = worker.run();

  if (metrics) metrics->stop();
  net::post(signal_strand, [&] {
    boost::system::error_code ignored;
    signals.cancel(ignored);
    drain_timer.cancel();
  });
  work.reset();
  io.stop();
  for (auto& t : threads) t.join();
  log.info("exit", {{"code", code}});
  return code;
}

}  // namespace feedd::daemon
