#include "feed_output.hpp"

#include <iostream>

#include "feedd/parsers/url.hpp"
#include "open_database.hpp"

namespace feedd::daemon {

std::string shown_url(std::string_view url) { return config::printable(parsers::redact_url(url)); }

std::string shown_text(std::string_view text) { return config::printable(text); }

// Connects once and fails fast: an operator at a terminal wants the error
// now, not a retry loop.
expected<storage::database, int> command_database(const context& ctx, std::string_view application) {
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

}  // namespace feedd::daemon
