#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>

#include "app.hpp"

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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"feedd: RSS/Atom feed aggregation daemon", "feedd"};
  app.set_version_flag("--version", std::string(version()));
  std::string config_path;
  app.add_option("--config", config_path, "configuration file (default: $FEEDD_CONFIG, else /etc/feedd/feedd.yaml)");
  app.require_subcommand(0, 1);

  auto* run = app.add_subcommand("run", "run the daemon (the default command)");
  bool once = false;
  run->add_flag("--once", once, "claim every due feed, fetch, store, drain and exit");
  auto* check = app.add_subcommand("check-config", "validate the configuration and exit 0 or 78");
  auto* migrate = app.add_subcommand("migrate", "create or upgrade the database schema, then exit");

  auto* feeds = app.add_subcommand("feeds", "manage the feed list");
  feeds->require_subcommand(1);
  std::string add_url, add_interval, remove_what, enable_what, import_file;
  auto* add = feeds->add_subcommand("add", "add a feed");
  add->add_option("URL", add_url, "feed URL")->required();
  add->add_option("--interval", add_interval, "refresh interval, e.g. 15m (default: schedule.interval)");
  auto* list = feeds->add_subcommand("list", "list feeds");
  auto* remove = feeds->add_subcommand("remove", "remove a feed and its entries");
  remove->add_option("URL_OR_ID", remove_what, "feed URL or numeric id")->required();
  auto* enable = feeds->add_subcommand("enable", "poll a disabled feed again, from now");
  enable->add_option("URL_OR_ID", enable_what, "feed URL or numeric id")->required();
  auto* import = feeds->add_subcommand("import", "add every feed of an OPML file");
  import->add_option("FILE", import_file, "OPML file")->required();
  auto* export_ = feeds->add_subcommand("export", "print the feed list as OPML 2.0");

  auto* parse = app.add_subcommand("parse", "parse one document as the daemon would; print JSON");
  std::string parse_file, parse_url, parse_charset;
  parse->add_option("--url", parse_url, "document URL: base for relative links");
  parse->add_option("--charset", parse_charset, "charset as an HTTP Content-Type would give it");
  parse->add_option("FILE", parse_file, "document, or - for standard input")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return exit_usage;
  }

  if (parse->parsed()) return run_parse(parse_file, parse_url, parse_charset);

  auto ctx = load_context(config_path);
  if (!ctx) return ctx.error();
  if (check->parsed()) {
    std::cout << "config: " << ctx->config_path.string() << (ctx->config_found ? ": ok" : ": absent, defaults ok") << '\n';
    if (auto password = read_password(ctx->settings.database); !password) {
      std::cerr << password.error() << '\n';
      return exit_config;
    }
    return exit_ok;
  }
  if (migrate->parsed()) {
    logger log(log_level::info, pick_style("auto"));
    return run_migrate(*ctx, log);
  }
  if (add->parsed()) return run_feeds_add(*ctx, add_url, add_interval);
  if (list->parsed()) return run_feeds_list(*ctx);
  if (remove->parsed()) return run_feeds_remove(*ctx, remove_what);
  if (enable->parsed()) return run_feeds_enable(*ctx, enable_what);
  if (import->parsed()) return run_feeds_import(*ctx, import_file);
  if (export_->parsed()) return run_feeds_export(*ctx);

  const auto& log_settings = ctx->settings.log;
  log_level level = static_cast<log_level>(static_cast<int>(log_settings.level));
  const char* format = log_settings.format == config::log_format::json   ? "json"
                       : log_settings.format == config::log_format::text ? "text"
                                                                          : "auto";
  logger log(level, pick_style(format));
  return run_daemon(*ctx, once, log);
}

}  // namespace feedd::daemon
