#pragma once

#include <string>
#include <string_view>

#include "app.hpp"
#include "feedd/expected.hpp"
#include "feedd/storage/database.hpp"

// What every `feeds` command prints of a feed goes through these, so that no
// command shows a URL's credentials (RELIABILITY X6) or puts feed-supplied
// bytes raw on a terminal.
namespace feedd::daemon {

// The URL as commands print it: user info and query replaced by "***"
// (parsers::redact_url), control characters escaped. For every echo of a
// feed URL, `feeds add`'s and `feeds import`'s included.
std::string shown_url(std::string_view url);
// Feed-supplied text (titles, errors, ETags) on one line: control
// characters, tabs included, escaped.
std::string shown_text(std::string_view text);

// The database for a one-shot command, schema checked or migrated; the exit
// code after printing why not. `application` names the session in
// pg_stat_activity.
expected<storage::database, int> command_database(const context& ctx, std::string_view application = "feedd-cli");

}  // namespace feedd::daemon
