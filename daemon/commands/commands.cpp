// The one-shot commands: migrate and feeds remove|enable (list, show,
// disable, set: feeds_manage.cpp; add: feeds_add.cpp; import, export:
// feeds_import.cpp).
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "app.hpp"
#include "feed_output.hpp"
#include "feed_urls.hpp"
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

// `feeds VERB URL|ID`; a URL or id that names no feed is a failure (exit 1).
int on_one_feed(const context& ctx, std::string_view verb, const std::string& url_or_id,
                expected<bool, storage::db_error> (*change)(storage::database&, std::string_view)) {
  auto db = command_database(ctx);
  if (!db) return db.error();
  auto which = feed_argument(*db, url_or_id);  // the URL in any spelling
  if (!which) {
    std::cerr << which.error().message << '\n';
    return exit_failure;
  }
  auto changed = change(*db, *which);
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

int run_feeds_remove(const context& ctx, const std::string& url_or_id) {
  return on_one_feed(ctx, "remove", url_or_id, storage::remove_feed);
}

int run_feeds_enable(const context& ctx, const std::string& url_or_id) {
  return on_one_feed(ctx, "enable", url_or_id, storage::enable_feed);
}

}  // namespace feedd::daemon
