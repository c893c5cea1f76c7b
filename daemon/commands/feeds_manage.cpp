// feeds list|show|disable|set: what an operator looks at and changes of
// feeds already there (add, import, export: commands.cpp).
#include <iostream>

#include <sys/ioctl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "app.hpp"
#include "feed_listing.hpp"
#include "feed_output.hpp"
#include "feedd/storage/feed_views.hpp"
#include "progress_line.hpp"

namespace feedd::daemon {

namespace {

using json = nlohmann::json;

constexpr int recent_shown = 10;

std::size_t terminal_columns() {
  winsize size{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

int db_failed(const storage::db_error& e) {
  std::cerr << e.message << '\n';
  return exit_failure;
}

int no_feed(std::string_view verb, std::string_view url_or_id) {
  std::cerr << "feeds " << verb << ": no feed " << shown_url(url_or_id) << '\n';
  return exit_failure;
}

std::string when(const std::optional<std::string>& at, const std::optional<std::int64_t>& seconds_ago) {
  if (!at) return "never";
  return *at + (seconds_ago ? " (" + format_eta(std::chrono::seconds(*seconds_ago)) + " ago)" : "");
}

void print_show_text(const storage::feed_state& f, const storage::entry_totals& totals,
                     const std::vector<storage::recent_entry>& recent, const config::schedule_settings& s) {
  auto& out = std::cout;
  out << "id:            " << f.id << '\n'
      << "url:           " << shown_url(f.url) << '\n'
      << "title:         " << (f.title.empty() ? "-" : shown_text(f.title)) << '\n'
      << "site:          " << (f.site_url.empty() ? "-" : shown_url(f.site_url)) << '\n'
      << "status:        " << storage::status_of(f) << '\n'
      << "interval:      " << interval_text(f, s) << '\n'
      << "next check:    " << (f.disabled ? "-" : f.next_check_at.value_or("-") + " (" + next_check_text(f) + ")") << '\n'
      << "last check:    " << when(f.last_checked_at, f.last_checked_ago_s) << '\n'
      << "last status:   " << (f.last_status ? std::to_string(*f.last_status) : "-") << '\n'
      << "last error:    " << (f.last_error.empty() ? "-" : shown_text(f.last_error)) << '\n'
      << "failures:      " << f.error_count << " in a row\n"
      << "etag:          " << (f.etag.empty() ? "-" : shown_text(f.etag)) << '\n'
      << "last-modified: " << (f.last_modified.empty() ? "-" : shown_text(f.last_modified)) << '\n';
  if (f.claimed_by) out << "claimed by:    " << shown_text(*f.claimed_by) << " until " << f.lease_until.value_or("-") << '\n';
  if (f.gone_since) out << "gone since:    " << *f.gone_since << " (404/410 or no such host)\n";
  if (!f.moved_to.empty()) out << "moving to:     " << shown_url(f.moved_to) << " (one more permanent redirect)\n";
  out << "entries:       " << totals.count;
  if (totals.last_seen_at) out << ", newest first seen " << *totals.last_seen_at;
  out << '\n';
  if (!recent.empty()) out << "recent entries (first seen, published, title):\n";
  for (const auto& e : recent) {
    out << "  " << e.first_seen_at << "  " << e.published_at.value_or("-") << "  " << shown_text(e.title) << '\n';
  }
}

std::string show_json(const storage::feed_state& f, const storage::entry_totals& totals,
                      const std::vector<storage::recent_entry>& recent) {
  json j = json::parse(feed_json(f));
  j["etag"] = f.etag.empty() ? json(nullptr) : json(f.etag);
  j["last_modified"] = f.last_modified.empty() ? json(nullptr) : json(f.last_modified);
  j["gone_since"] = f.gone_since ? json(*f.gone_since) : json(nullptr);
  j["entries_total"] = totals.count;
  json entries = json::array();
  for (const auto& e : recent) {
    entries.push_back({{"title", e.title},
                       {"published_at", e.published_at ? json(*e.published_at) : json(nullptr)},
                       {"first_seen_at", e.first_seen_at}});
  }
  j["recent_entries"] = std::move(entries);
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

int run_feeds_list(const context& ctx, const list_options& options) {
  auto db = command_database(ctx);
  if (!db) return db.error();
  auto feeds = storage::feed_states(*db, options.failing);
  if (!feeds) return db_failed(feeds.error());
  if (options.json) {
    for (const auto& f : *feeds) std::cout << feed_json(f) << '\n';
  } else if (::isatty(STDOUT_FILENO) == 1) {
    print_feed_table(std::cout, *feeds, ctx.settings.schedule, terminal_columns());
  } else {
    print_feed_tsv(std::cout, *feeds, ctx.settings.schedule);
  }
  return exit_ok;
}

int run_feeds_show(const context& ctx, const std::string& url_or_id, bool as_json) {
  auto db = command_database(ctx);
  if (!db) return db.error();
  auto found = storage::find_feed_state(*db, url_or_id);
  if (!found) return db_failed(found.error());
  if (!*found) return no_feed("show", url_or_id);
  const auto& f = **found;
  auto totals = storage::entries_of(*db, f.id);
  if (!totals) return db_failed(totals.error());
  auto recent = storage::recent_entries(*db, f.id, recent_shown);
  if (!recent) return db_failed(recent.error());
  if (as_json) {
    std::cout << show_json(f, *totals, *recent) << '\n';
  } else {
    print_show_text(f, *totals, *recent, ctx.settings.schedule);
  }
  return exit_ok;
}

int run_feeds_disable(const context& ctx, const std::string& url_or_id) {
  auto db = command_database(ctx);
  if (!db) return db.error();
  auto changed = storage::disable_feed(*db, url_or_id);
  if (!changed) return db_failed(changed.error());
  return *changed ? exit_ok : no_feed("disable", url_or_id);
}

// Refused, not clamped, outside [min_interval, max_interval]: the operator
// asked for a number, and a silently different one would surprise.
int run_feeds_set(const context& ctx, const std::string& url_or_id, const std::string& interval) {
  const auto& s = ctx.settings.schedule;
  const auto d = config::parse_duration(interval);
  if (!d || *d < s.min_interval || *d > s.max_interval || d->count() % 1000 != 0) {
    std::cerr << "feeds set: --interval: expected whole seconds from schedule.min_interval ("
              << config::format_duration(s.min_interval) << ") to schedule.max_interval ("
              << config::format_duration(s.max_interval) << "), got \"" << shown_text(interval) << "\"\n";
    return exit_usage;
  }
  auto db = command_database(ctx);
  if (!db) return db.error();
  auto set = storage::set_feed_interval(*db, url_or_id, std::chrono::duration_cast<std::chrono::seconds>(*d));
  if (!set) return db_failed(set.error());
  if (!*set) return no_feed("set", url_or_id);
  const auto& f = **set;
  std::cout << f.id << '\t' << shown_url(f.url) << "\tinterval " << interval_text(f, s) << "\tnext check "
            << (f.disabled ? "- (disabled)" : f.next_check_at.value_or("-")) << '\n';
  return exit_ok;
}

}  // namespace feedd::daemon
