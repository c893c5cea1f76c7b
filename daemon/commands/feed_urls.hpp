#pragma once

#include <optional>
#include <string>

#include "feedd/expected.hpp"
#include "feedd/storage/database.hpp"
#include "feedd/storage/subscriptions.hpp"

namespace feedd::daemon {

// The stored feed that is `normalized` (parsers::normalize_feed_url) once
// its own URL is normalized too: rows written before URLs were normalized
// are compared in that form, not rewritten. Reads the feeds of one host.
expected<std::optional<storage::stored_url>, storage::db_error> stored_feed(storage::database& db,
                                                                            const std::string& normalized);

// What `feeds remove|enable URL|ID` should look up: a URL naming a stored
// feed in another spelling becomes that feed's id; anything else is passed
// on as given.
expected<std::string, storage::db_error> feed_argument(storage::database& db, const std::string& url_or_id);

}  // namespace feedd::daemon
