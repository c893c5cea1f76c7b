// The one-shot commands: migrate and feeds add|remove|enable|import|export
// (list, show, disable, set: feeds_manage.cpp).
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <random>
#include <sstream>

#include "app.hpp"
#include "feed_output.hpp"
#include "first_checks.hpp"
#include "import_progress.hpp"
#include "feedd/parsers/opml.hpp"
#include "feedd/parsers/url.hpp"
#include "feedd/storage/database.hpp"
#include "feedd/storage/feeds.hpp"
#include "open_database.hpp"

namespace feedd::daemon {

namespace {

std::string slurp(const std::filesystem::path& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Commands connect once and fail fast: an operator at a terminal wants the
// error now, not a retry loop.
expected<storage::database, int> connect(const context& ctx, std::string_view application) {
  auto db = open_database(ctx.settings.database, application);
  if (!db) {
    std::cerr << db.error().message << '\n';
    if (db.error().what == open_error::kind::credentials) std::cerr << "config: " << refused_credentials << '\n';
    return unexpected{db.error().exit_code()};
  }
  if (auto version = prepare_schema(*db, ctx.settings.database); !version) {
    std::cerr << version.error().message << '\n';
    return unexpected{exit_failure};
  }
  return std::move(*db);
}

// Every feed row, or the exit code after the error was printed.
expected<std::vector<storage::feed_row>, int> all_feeds(const context& ctx) {
  auto db = connect(ctx, "feedd-cli");
  if (!db) return unexpected{db.error()};
  auto rows = storage::list_feeds(*db);
  if (!rows) {
    std::cerr << rows.error().message << '\n';
    return unexpected{exit_failure};
  }
  return std::move(*rows);
}

// `feeds VERB URL|ID`; a URL or id that names no feed is a failure (exit 1).
int on_one_feed(const context& ctx, std::string_view verb, const std::string& url_or_id,
                expected<bool, storage::db_error> (*change)(storage::database&, std::string_view)) {
  auto db = connect(ctx, "feedd-cli");
  if (!db) return db.error();
  auto changed = change(*db, url_or_id);
  if (!changed) {
    std::cerr << changed.error().message << '\n';
    return exit_failure;
  }
  if (!*changed) {
    std::cerr << "feeds " << verb << ": no feed " << shown_url(url_or_id) << '\n';
    return exit_failure;
  }
  return exit_ok;
}

// Feed URLs are fetched by us: only absolute http(s) URLs without control
// characters or spaces may enter the table (file:, exec:, ... never do).
bool check_url(const std::string& url) {
  if (parsers::parse_http_url(url)) return true;
  std::cerr << "feeds: " << parsers::redact_url(url) << ": not an absolute http or https URL\n";
  return false;
}

}  // namespace

expected<std::string, std::string> read_password(const config::database_settings& db) {
  if (db.password_file.empty()) return std::string();
  std::filesystem::path path = db.password_file;
  if (path.is_relative()) {
    if (const char* creds = std::getenv("CREDENTIALS_DIRECTORY"); creds != nullptr && *creds != '\0') path = std::filesystem::path(creds) / path;
  }
  const std::string shown = config::printable(path.string());
  // Opening a FIFO would block; the loader checks absolute paths, this the
  // ones resolved only here.
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec)) {
    return unexpected{"config: database.password_file: " + shown + " is not a regular file"};
  }
  bool ok = false;
  std::string secret = slurp(path, ok);
  if (!ok) return unexpected{"config: database.password_file: cannot read " + shown};
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.empty()) return unexpected{"config: database.password_file: " + shown + " is empty"};
  return secret;
}

int run_migrate(const context& ctx, logger& log) {
  auto db = open_database(ctx.settings.database, "feedd-migrate");
  if (!db) {
    log_open_error(log, db.error());
    return db.error().exit_code();
  }
  auto v = storage::migrate(*db);
  if (!v) {
    log.error("migrate", {{"error", v.error().message}});
    return exit_failure;
  }
  log.info("migrate", {{"schema_version", *v}});
  return exit_ok;
}

int run_feeds_add(const context& ctx, const std::string& url, const std::string& interval) {
  std::optional<std::chrono::seconds> every;
  if (!interval.empty()) {
    auto d = config::parse_duration(interval);
    if (!d || d->count() < 1000) {
      std::cerr << "feeds add: --interval: expected a duration of at least 1s such as 15m, got \"" << interval << "\"\n";
      return exit_usage;
    }
    every = std::chrono::duration_cast<std::chrono::seconds>(*d);
  }
  if (!check_url(url)) return exit_usage;
  auto db = connect(ctx, "feedd-cli");
  if (!db) return db.error();
  auto added = storage::add_feed(*db, url, every);
  if (!added) {
    std::cerr << added.error().message << '\n';
    return exit_failure;
  }
  if (added->already_exists) {
    std::cerr << "feeds add: " << parsers::redact_url(url) << " already exists\n";
    return exit_failure;
  }
  std::cout << added->row.id << '\t' << shown_url(added->row.url) << '\n';
  return exit_ok;
}

int run_feeds_remove(const context& ctx, const std::string& url_or_id) {
  return on_one_feed(ctx, "remove", url_or_id, storage::remove_feed);
}

int run_feeds_enable(const context& ctx, const std::string& url_or_id) {
  return on_one_feed(ctx, "enable", url_or_id, storage::enable_feed);
}

namespace {

// The first checks of what an import adds are spread (first_checks.hpp),
// in the order of the file, each at a random point of its own slot.
class first_check_spreader {
 public:
  first_check_spreader(const config::schedule_settings& s, std::size_t count)
      : window_(first_check_window(s, count)), count_(count) {}
  std::chrono::milliseconds next() { return first_check_offset(window_, index_++, count_, unit_(random_)); }
  std::chrono::milliseconds window() const { return window_; }

 private:
  std::chrono::milliseconds window_;
  std::size_t count_;
  std::size_t index_ = 0;
  std::mt19937_64 random_{std::random_device{}()};
  std::uniform_real_distribution<double> unit_{0.0, 1.0};
};

}  // namespace

int run_feeds_import(const context& ctx, const std::filesystem::path& file) {
  bool ok = false;
  std::string text = slurp(file, ok);
  if (!ok) {
    std::cerr << "feeds import: cannot read " << file.string() << '\n';
    return exit_failure;
  }
  auto outlines = parsers::parse_opml(text);
  if (!outlines) {
    std::cerr << "feeds import: " << file.string() << ": " << outlines.error().message << '\n';
    return exit_failure;
  }
  const auto unfetchable = std::erase_if(*outlines, [](const parsers::opml_outline& o) {
    if (parsers::parse_http_url(o.xml_url)) return false;
    std::cerr << "feeds import: skipped " << parsers::redact_url(o.xml_url) << ": not an absolute http or https URL\n";
    return true;
  });
  int added = 0, present = 0, refused = static_cast<int>(unfetchable);
  auto db = connect(ctx, "feedd-cli");
  if (!db) return db.error();
  first_check_spreader spread(ctx.settings.schedule, outlines->size());
  import_progress progress(static_cast<std::int64_t>(outlines->size()));
  for (const auto& o : *outlines) {
    auto row = storage::add_feed(*db, o.xml_url, std::nullopt, o.title, spread.next());
    if (!row && row.error().what == storage::db_error::kind::content) {
      // This outline's data was refused (an over-long URL, say); the next
      // one may go in.
      std::cerr << "feeds import: skipped " << parsers::redact_url(o.xml_url) << ": " << row.error().message << '\n';
      ++refused;
    } else if (!row) {
      std::cerr << row.error().message << '\n';
      return exit_failure;
    } else if (row->already_exists) {
      ++present;
    } else {
      ++added;
    }
    progress.step(added + present + refused - static_cast<int>(unfetchable), refused);
  }
  std::cout << "imported " << added << ", already present " << present << ", refused " << refused << '\n';
  if (added > 0 && spread.window().count() > 0) {
    std::cout << "first checks spread over " << config::format_duration(spread.window())
              << " (schedule.first_check_spread)\n";
  }
  return exit_ok;
}

int run_feeds_export(const context& ctx) {
  auto rows = all_feeds(ctx);
  if (!rows) return rows.error();
  std::vector<parsers::opml_outline> outlines;
  for (const auto& f : *rows) outlines.push_back({f.url, f.title, f.site_url});
  std::cout << parsers::write_opml(outlines, "feedd subscriptions");
  return exit_ok;
}

}  // namespace feedd::daemon
