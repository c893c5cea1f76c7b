// `feedd entries [--feed URL|ID] [--since D|T] [--after CURSOR] [--limit N] [--json] [--follow]`.
#include "entries_command.hpp"

#include <chrono>
#include <csignal>
#include <iostream>
#include <thread>

#include <poll.h>
#include <unistd.h>

#include "entries_output.hpp"
#include "feed_output.hpp"
#include "feedd/parsers/url.hpp"
#include "feedd/storage/database.hpp"
#include "open_database.hpp"

namespace feedd::daemon {

namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;
using storage::db_error;

volatile std::sig_atomic_t stop_requested = 0;

void on_stop_signal(int) { stop_requested = 1; }

// SIGINT/SIGTERM end --follow within a wait slice; a closed stdout shows
// as EPIPE on the next write (SIGPIPE ignored), not as a killed process.
void install_signals() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

// The reader of our pipe went away (`| head -3`): nothing more to print,
// even while no entry arrives to find out by writing.
bool stdout_gone() {
  pollfd p{STDOUT_FILENO, 0, 0};
  return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0;
}

void sleep_unless_stopped(std::chrono::milliseconds d) {
  for (auto end = clock::now() + d; stop_requested == 0 && clock::now() < end;) std::this_thread::sleep_for(50ms);
}

// Until connected again (true) or asked to stop (false); with backoff, as
// the server may be restarting. reconnect() LISTENs again.
bool reconnect(storage::database& db, const db_error& lost) {
  std::cerr << "entries: " << lost.message << "; reconnecting\n";
  auto backoff = 100ms;
  while (stop_requested == 0) {
    sleep_unless_stopped(backoff);
    if (stop_requested != 0) break;
    if (auto r = db.reconnect(); r) {
      std::cerr << "entries: reconnected\n";
      return true;
    }
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, 5s);
  }
  return false;
}

bool retry_later(const db_error& e) {
  return e.what == db_error::kind::connection || e.what == db_error::kind::transient;
}

struct follow_state {
  storage::entry_cursor cursor;
  bool held_back = false;
};

// Reads and prints everything past the cursor, in pages. false: stop
// (stdout gone); an error is returned for the caller to reconnect on.
expected<bool, db_error> read_on(storage::database& db, const storage::entry_filter& filter, follow_state& at,
                                 entries_printer& out) {
  constexpr int page_rows = 500;
  for (int page = 0; page < 1000 && stop_requested == 0; ++page) {
    auto read = storage::entries_after(db, at.cursor, filter, page_rows);
    if (!read) return unexpected{read.error()};
    if (!out.print(read->items)) return false;
    at.cursor = read->next;
    at.held_back = read->held_back;
    if (static_cast<int>(read->items.size()) < page_rows) break;
  }
  return true;
}

// LISTEN feedd_entries, then read by cursor whenever a notification comes,
// after a reconnect (what was sent meanwhile is lost, the cursor is not),
// every 500 ms while a transaction in flight holds changes back, and every
// 10 s regardless.
int follow(storage::database& db, const storage::entry_filter& filter, follow_state at, entries_printer& out) {
  auto last_read = clock::now();
  bool listening = false;
  while (stop_requested == 0 && !stdout_gone()) {
    bool read_now = false;
    if (!listening) {
      if (auto r = db.listen(storage::entries_changed_channel); !r) {
        if (!retry_later(r.error()) || !reconnect(db, r.error())) break;
        continue;
      }
      // From now on reconnect() listens again. What was stored between
      // the first read and the LISTEN sent nothing we could hear.
      listening = true;
      read_now = true;
    }
    auto woke = db.wait_for_notification(read_now ? 0ms : 250ms);
    if (!woke) {
      if (!retry_later(woke.error()) || !reconnect(db, woke.error())) break;
      continue;
    }
    const auto since_read = clock::now() - last_read;
    if (!read_now && !*woke && !(at.held_back && since_read >= 500ms) && since_read < 10s) continue;
    auto r = read_on(db, filter, at, out);
    if (!r && retry_later(r.error())) {
      if (!reconnect(db, r.error())) break;
      continue;
    }
    if (!r) {
      std::cerr << r.error().message << '\n';
      return exit_failure;
    }
    if (!*r) break;
    last_read = clock::now();
  }
  return exit_ok;
}

// The filter of the options; the exit code after a message when they are
// not usable.
expected<storage::entry_filter, int> make_filter(storage::database& db, const entries_options& o) {
  storage::entry_filter filter;
  if (!o.since.empty()) {
    if (auto d = config::parse_duration(o.since)) {
      filter.since_seconds = std::chrono::duration_cast<std::chrono::seconds>(*d).count();
    } else {
      filter.since_time = o.since;
    }
  }
  if (o.feed.empty()) return filter;
  auto id = storage::find_feed(db, o.feed);
  if (!id) {
    std::cerr << id.error().message << '\n';
    return unexpected{exit_failure};
  }
  if (!*id) {
    std::cerr << "entries: no feed " << config::printable(parsers::redact_url(o.feed)) << '\n';
    return unexpected{exit_failure};
  }
  filter.feed_id = **id;
  return filter;
}

}  // namespace

int run_entries(const context& ctx, const entries_options& o) {
  std::optional<storage::entry_cursor> after;
  if (!o.after.empty() && !(after = storage::parse_cursor(o.after))) {
    std::cerr << "entries: --after: expected a cursor such as 7301:52 (an entry's \"cursor\"), got \""
              << config::printable(o.after) << "\"\n";
    return exit_usage;
  }
  install_signals();
  auto db = command_database(ctx, "feedd-entries");
  if (!db) return db.error();
  auto filter = make_filter(*db, o);
  if (!filter) return filter.error();
  auto first = after ? storage::entries_after(*db, *after, *filter, o.limit) : storage::latest_entries(*db, *filter, o.limit);
  if (!first) {
    if (first.error().what == db_error::kind::content) {
      std::cerr << "entries: --since: expected a duration such as 2h or a timestamp such as 2026-12-06T08:00:00Z, got \""
                << config::printable(o.since) << "\"\n";
      return exit_usage;
    }
    std::cerr << first.error().message << '\n';
    return exit_failure;
  }
  entries_printer out(o.json);
  if (!out.print(first->items) || !o.follow) return exit_ok;
  return follow(*db, *filter, {first->next, first->held_back}, out);
}

}  // namespace feedd::daemon
