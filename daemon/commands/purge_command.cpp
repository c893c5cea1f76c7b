// `feedd purge [--dry-run]`: one retention pass now (README "Retention").
#include <iostream>

#include "app.hpp"
#include "feed_output.hpp"
#include "feedd/parsers/url.hpp"
#include "feedd/storage/retention.hpp"
#include "open_database.hpp"
#include "retention_pass.hpp"

namespace feedd::daemon {

namespace {

// "(retention.max_age: 90d, retention.max_entries_per_feed: 1000)"
std::string rules_text(const config::retention_settings& r) {
  if (r.max_age.count() == 0 && r.max_entries_per_feed == 0) {
    return "(retention is off: retention.max_age and retention.max_entries_per_feed are 0)";
  }
  std::string out = "(";
  if (r.max_age.count() > 0) out += "retention.max_age: " + config::format_duration(r.max_age);
  if (r.max_age.count() > 0 && r.max_entries_per_feed > 0) out += ", ";
  if (r.max_entries_per_feed > 0) out += "retention.max_entries_per_feed: " + std::to_string(r.max_entries_per_feed);
  return out + ")";
}

// One line per feed that would lose entries (id, URL redacted as in `feeds
// list`, count), then the total. Reads only.
int dry_run(storage::database& db, const context& ctx) {
  const auto rules = rules_of(ctx.settings.retention);
  std::int64_t entries = 0, feeds = 0, after = 0;
  for (int page_no = 0; rules.any() && page_no < 1'000'000; ++page_no) {
    auto page = storage::purge_candidates(db, rules, after, 1000);
    if (!page) {
      std::cerr << page.error().message << '\n';
      return exit_failure;
    }
    for (const auto& f : page->feeds) {
      if (f.entries == 0) continue;
      std::cout << f.feed_id << '\t' << parsers::redact_url(f.url) << '\t' << f.entries << '\n';
      entries += f.entries;
      ++feeds;
    }
    if (page->done) break;
    after = page->last_id;
  }
  std::cout << "would purge " << entries << " entries of " << feeds << " feeds " << rules_text(ctx.settings.retention)
            << '\n';
  return exit_ok;
}

}  // namespace

int run_purge(const context& ctx, bool dry) {
  auto db = command_database(ctx, "feedd-purge");
  if (!db) return db.error();
  if (dry) return dry_run(*db, ctx);
  pass_result done;
  auto pass = purge_pass(*db, rules_of(ctx.settings.retention), [] { return false; }, done);
  std::cout << "purged " << done.entries << " entries of " << done.feeds << " feeds "
            << rules_text(ctx.settings.retention) << "; dropped " << done.tombstones << " tombstones\n";
  if (done.busy_feeds > 0) {
    std::cout << done.busy_feeds << " feeds were being stored throughout and are left for the next pass\n";
  }
  if (!pass) {
    std::cerr << pass.error().message << '\n';
    return exit_failure;
  }
  return exit_ok;
}

}  // namespace feedd::daemon
