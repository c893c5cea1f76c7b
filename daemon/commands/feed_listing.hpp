#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "feedd/config/config.hpp"
#include "feedd/storage/feed_views.hpp"

// How `feeds list` and `feeds show` print a feed: an aligned table for a
// person at a terminal, tab-separated lines for scripts, JSON lines with
// --json. Every URL redacted, feed-supplied text escaped (feed_output.hpp).
namespace feedd::daemon {

// The feed's own interval, else schedule.interval marked "(default)", or
// "adaptive" when schedule.adaptive decides it.
std::string interval_text(const storage::feed_state& f, const config::schedule_settings& s);
// "in 4m05s", "now", or "-" for a disabled feed or none.
std::string next_check_text(const storage::feed_state& f);

void print_feed_table(std::ostream& out, const std::vector<storage::feed_state>& feeds,
                      const config::schedule_settings& s, std::size_t columns);
void print_feed_tsv(std::ostream& out, const std::vector<storage::feed_state>& feeds,
                    const config::schedule_settings& s);
// One JSON object per line; field names are README's ("feeds list --json").
std::string feed_json(const storage::feed_state& f);

}  // namespace feedd::daemon
