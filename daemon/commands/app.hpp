#pragma once

#include <filesystem>
#include <string>

#include "feedd/config/config.hpp"
#include "log.hpp"
#include "version.hpp"

namespace feedd::daemon {

// Exit codes of SPEC.md.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_usage = 64;
inline constexpr int exit_not_a_feed = 65;
inline constexpr int exit_config = 78;

// What every command gets from the command line once the config is loaded.
struct context {
  config::config settings;
  std::filesystem::path config_path;
  bool config_found = false;  // false: the default path was absent, defaults in use
};

int run_daemon(const context& ctx, bool once, logger& log);
int run_migrate(const context& ctx, logger& log);
struct feeds_add_options {
  std::string url;
  std::string interval;  // as written; empty: schedule.interval
  bool check = true;     // fetch the URL first (discovery); false: --no-check
  bool all = false;      // add every feed a page names
};
int run_feeds_add(const context& ctx, const feeds_add_options& options);
struct list_options {
  bool json = false;     // JSON lines instead of a table / tab-separated lines
  bool failing = false;  // only feeds whose last fetch failed
};
int run_feeds_list(const context& ctx, const list_options& options);
int run_feeds_show(const context& ctx, const std::string& url_or_id, bool as_json);
int run_feeds_disable(const context& ctx, const std::string& url_or_id);
int run_feeds_set(const context& ctx, const std::string& url_or_id, const std::string& interval);
int run_feeds_remove(const context& ctx, const std::string& url_or_id);
int run_feeds_enable(const context& ctx, const std::string& url_or_id);
int run_feeds_import(const context& ctx, const std::filesystem::path& file, bool check);
int run_feeds_export(const context& ctx);
int run_purge(const context& ctx, bool dry_run);
int run_parse(const std::string& file, const std::string& base_url, const std::string& charset);

// The password of database.password_file (trailing newline removed), or an
// error naming the key; empty when no file is configured. Relative paths are
// looked up in $CREDENTIALS_DIRECTORY (systemd LoadCredential=).
expected<std::string, std::string> read_password(const config::database_settings& db);

int main(int argc, char** argv);

}  // namespace feedd::daemon
