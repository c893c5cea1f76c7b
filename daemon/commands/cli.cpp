#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>

#include "app.hpp"
#include "entries_command.hpp"
#include "from_config.hpp"

namespace feedd::daemon {

namespace {

constexpr const char* default_config_path = "/etc/feedd/feedd.yaml";

// --config, else $FEEDD_CONFIG, else the default path, which alone may be
// absent (then every key takes its default).
expected<context, int> load_context(const std::string& flag_path) {
  context ctx;
  bool explicit_path = true;
  if (!flag_path.empty()) {
    ctx.config_path = flag_path;
  } else if (const char* env = std::getenv("FEEDD_CONFIG"); env != nullptr && *env != '\0') {
    ctx.config_path = env;
  } else {
    ctx.config_path = default_config_path;
    explicit_path = false;
  }
  std::error_code ec;
  if (!explicit_path && !std::filesystem::exists(ctx.config_path, ec)) {
    ctx.settings = *config::load_string("", version());
    return ctx;
  }
  auto loaded = config::load_file(ctx.config_path, version());
  if (!loaded) {
    for (const auto& p : loaded.error()) std::cerr << config::to_string(p) << '\n';
    return unexpected{exit_config};
  }
  ctx.settings = std::move(*loaded);
  ctx.config_found = true;
  return ctx;
}

// What the command line asked for: each option's value, and each command
// to ask whether it was given.
struct arguments {
  std::string config_path;
  bool once = false;
  feeds_add_options add_options;
  bool add_no_check = false, import_no_check = false;
  std::string remove_what, enable_what, import_file;
  std::string parse_file, parse_url, parse_charset;
  list_options list_how;
  std::string show_what, disable_what, set_what, set_interval;
  bool show_json = false;
  CLI::App* run = nullptr;
  CLI::App* check = nullptr;
  CLI::App* migrate = nullptr;
  CLI::App* add = nullptr;
  CLI::App* list = nullptr;
  CLI::App* remove = nullptr;
  CLI::App* enable = nullptr;
  CLI::App* import = nullptr;
  CLI::App* export_ = nullptr;
  CLI::App* show = nullptr;
  CLI::App* disable = nullptr;
  CLI::App* set = nullptr;
  CLI::App* parse = nullptr;
  CLI::App* purge = nullptr;
  bool purge_dry_run = false;
  entries_options entries_opts;
  CLI::App* entries = nullptr;
};

void add_feeds_commands(CLI::App& app, arguments& a) {
  auto* feeds = app.add_subcommand("feeds", "manage the feed list");
  feeds->require_subcommand(1);
  a.add = feeds->add_subcommand("add", "add a feed");
  a.add->add_option("URL", a.add_options.url, "feed or page URL")->required();
  a.add->add_option("--interval", a.add_options.interval, "refresh interval, e.g. 15m (default: schedule.interval)");
  a.add->add_flag("--no-check", a.add_no_check, "add the URL as given, without fetching it");
  a.add->add_flag("--all", a.add_options.all, "add every feed the page names");
  a.list = feeds->add_subcommand("list", "list feeds: status, interval, next check, claims, last error");
  a.list->add_flag("--json", a.list_how.json, "one JSON object per feed and line");
  a.list->add_flag("--failing", a.list_how.failing, "only feeds whose last fetch failed");
  a.show = feeds->add_subcommand("show", "one feed's state, last fetch and recent entries");
  a.show->add_option("URL_OR_ID", a.show_what, "feed URL or numeric id")->required();
  a.show->add_flag("--json", a.show_json, "one JSON object");
  a.disable = feeds->add_subcommand("disable", "stop polling a feed (feeds enable resumes)");
  a.disable->add_option("URL_OR_ID", a.disable_what, "feed URL or numeric id")->required();
  a.set = feeds->add_subcommand("set", "change a feed's settings");
  a.set->add_option("URL_OR_ID", a.set_what, "feed URL or numeric id")->required();
  a.set->add_option("--interval", a.set_interval, "refresh interval within schedule.min_interval..max_interval, e.g. 15m")
      ->required();
  a.remove = feeds->add_subcommand("remove", "remove a feed and its entries");
  a.remove->add_option("URL_OR_ID", a.remove_what, "feed URL or numeric id")->required();
  a.enable = feeds->add_subcommand("enable", "poll a disabled feed again, from now");
  a.enable->add_option("URL_OR_ID", a.enable_what, "feed URL or numeric id")->required();
  a.import = feeds->add_subcommand("import", "add every feed of an OPML file");
  a.import->add_option("FILE", a.import_file, "OPML file")->required();
  a.import->add_flag("--no-check", a.import_no_check, "add the URLs as given, without fetching them");
  a.export_ = feeds->add_subcommand("export", "print the feed list as OPML 2.0");
}

void add_entries_command(CLI::App& app, arguments& a) {
  auto& o = a.entries_opts;
  a.entries = app.add_subcommand("entries", "list stored entries, newest last; --follow prints them as they are stored");
  a.entries->add_option("--feed", o.feed, "only this feed (URL or numeric id)");
  a.entries->add_option("--since", o.since, "only entries stored or changed since, e.g. 2h or 2026-12-06T08:00:00Z");
  a.entries->add_option("--after", o.after, "page on after this cursor (an entry's \"cursor\", e.g. 7301:52)");
  a.entries->add_option("--limit", o.limit, "at most this many at first (default 50; 0 with --follow: only what comes)")->check(CLI::Range(0, 100000));
  a.entries->add_flag("--json", o.json, "one JSON object a line");
  a.entries->add_flag("--follow", o.follow, "then print entries as they are stored, until SIGINT/SIGTERM");
}

void add_commands(CLI::App& app, arguments& a) {
  app.set_version_flag("--version", std::string(version()));
  // Global options are accepted after the command too (feedd run --config
  // X): every subcommand created below passes what it does not know up.
  app.fallthrough();
  app.add_option("--config", a.config_path, "configuration file (default: $FEEDD_CONFIG, else /etc/feedd/feedd.yaml)");
  // run is the default command, so its --once stands alone (feedd --once).
  app.add_flag("--once", a.once, "with run or no command: claim every due feed, fetch, store, drain and exit");
  app.require_subcommand(0, 1);
  a.run = app.add_subcommand("run", "run the daemon (the default command)");
  a.run->add_flag("--once", a.once, "claim every due feed, fetch, store, drain and exit");
  a.check = app.add_subcommand("check-config", "validate the configuration and exit 0 or 78");
  a.migrate = app.add_subcommand("migrate", "create or upgrade the database schema, then exit");
  add_feeds_commands(app, a);
  a.purge = app.add_subcommand("purge", "apply retention.* once now: delete what is over the limits");
  a.purge->add_flag("--dry-run", a.purge_dry_run, "print per feed what would be purged, and the total; delete nothing");
  add_entries_command(app, a);
  a.parse = app.add_subcommand("parse", "parse one document as the daemon would; print JSON");
  a.parse->add_option("--url", a.parse_url, "document URL: base for relative links");
  a.parse->add_option("--charset", a.parse_charset, "charset as an HTTP Content-Type would give it");
  a.parse->add_option("FILE", a.parse_file, "document, or - for standard input")->required();
}

int check_config(const context& ctx) {
  std::cout << "config: " << config::printable(ctx.config_path.string()) << (ctx.config_found ? ": ok" : ": absent, defaults ok") << '\n';
  if (auto password = read_password(ctx.settings.database); !password) {
    std::cerr << password.error() << '\n';
    return exit_config;
  }
  return exit_ok;
}

// Every command but parse, which needs no configuration.
int run_command(const arguments& a, const context& ctx) {
  if (a.check->parsed()) return check_config(ctx);
  if (a.migrate->parsed()) {
    logger log(log_level::info, pick_style("auto"));
    return run_migrate(ctx, log);
  }
  if (a.add->parsed()) {
    auto options = a.add_options;
    options.check = !a.add_no_check;
    return run_feeds_add(ctx, options);
  }
  if (a.list->parsed()) return run_feeds_list(ctx, a.list_how);
  if (a.show->parsed()) return run_feeds_show(ctx, a.show_what, a.show_json);
  if (a.disable->parsed()) return run_feeds_disable(ctx, a.disable_what);
  if (a.set->parsed()) return run_feeds_set(ctx, a.set_what, a.set_interval);
  if (a.remove->parsed()) return run_feeds_remove(ctx, a.remove_what);
  if (a.enable->parsed()) return run_feeds_enable(ctx, a.enable_what);
  if (a.import->parsed()) return run_feeds_import(ctx, a.import_file, !a.import_no_check);
  if (a.export_->parsed()) return run_feeds_export(ctx);
  if (a.purge->parsed()) return run_purge(ctx, a.purge_dry_run);
  if (a.entries->parsed()) return run_entries(ctx, a.entries_opts);
  logger log = logger_of(ctx.settings.log);
  return run_daemon(ctx, a.once, log);
}

}  // namespace

// CLI11's own message, made safe for the terminal (it echoes the arguments),
// with where the parts of a command line go.
int usage_error(std::string_view what) {
  std::cerr << "feedd: " << config::printable(what) << '\n'
            << "usage: feedd [--config PATH] [COMMAND] [OPTIONS]; 'feedd --help' lists the commands, "
               "'feedd COMMAND --help' their options\n";
  return exit_usage;
}

// --once reaches every command through fallthrough; only run has a use for it.
bool once_misplaced(const CLI::App& app, const arguments& a) {
  if (!a.once) return false;
  const auto given = app.get_subcommands();
  return !given.empty() && given.front() != a.run;
}

int main(int argc, char** argv) {
  CLI::App app{"feedd: RSS/Atom feed aggregation daemon", "feedd"};
  arguments args;
  add_commands(app, args);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return usage_error(e.what());
  }
  if (once_misplaced(app, args)) {
    return usage_error("--once belongs to run: feedd [--config PATH] [run] --once");
  }
  if (args.parse->parsed()) return run_parse(args.parse_file, args.parse_url, args.parse_charset);
  auto ctx = load_context(args.config_path);
  if (!ctx) return ctx.error();
  return run_command(args, *ctx);
}

}  // namespace feedd::daemon
