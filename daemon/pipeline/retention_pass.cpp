#include "retention_pass.hpp"

#include <chrono>
#include <thread>
#include <vector>

namespace feedd::daemon {

namespace {

using namespace std::chrono_literals;

// Feeds looked at per read-only statement (each costs an index probe or two).
constexpr int feeds_per_page = 1000;
// A feed being stored is tried again this often, this far apart, at the end
// of the pass: a store holds its row for milliseconds.
constexpr int busy_retries = 3;
constexpr auto busy_pause = 200ms;
// Bounds every loop: a feed of 100 million entries is 200,000 batches.
constexpr int max_batches_per_feed = 1'000'000;

enum class feed_outcome { done, busy, stopped };

// Batches on one feed until it has nothing over the rules left.
expected<feed_outcome, storage::db_error> purge_one(storage::database& db, const storage::retention_rules& rules,
                                                    std::int64_t feed_id, const std::function<bool()>& between_batches,
                                                    pass_result& done) {
  bool counted = false;
  for (int batch = 0; batch < max_batches_per_feed; ++batch) {
    if (between_batches()) return feed_outcome::stopped;
    auto n = storage::purge_feed(db, rules, feed_id);
    if (!n) return unexpected{n.error()};
    if (!n->has_value()) return feed_outcome::busy;
    done.entries += **n;
    if (**n > 0 && !counted) {
      ++done.feeds;
      counted = true;
    }
    if (**n < storage::purge_batch) return feed_outcome::done;
  }
  return feed_outcome::done;
}

// Every feed with something to purge, page by page; the busy ones in `busy`.
expected<bool, storage::db_error> purge_feeds(storage::database& db, const storage::retention_rules& rules,
                                              const std::function<bool()>& between_batches, pass_result& done,
                                              std::vector<std::int64_t>& busy) {
  std::int64_t after = 0;
  for (int page_no = 0; page_no < max_batches_per_feed; ++page_no) {
    auto page = storage::purge_candidates(db, rules, after, feeds_per_page);
    if (!page) return unexpected{page.error()};
    for (const auto& feed : page->feeds) {
      if (feed.entries == 0) continue;
      auto outcome = purge_one(db, rules, feed.feed_id, between_batches, done);
      if (!outcome) return unexpected{outcome.error()};
      if (*outcome == feed_outcome::stopped) return false;
      if (*outcome == feed_outcome::busy) busy.push_back(feed.feed_id);
    }
    if (page->done) break;
    after = page->last_id;
  }
  return true;
}

}  // namespace

storage::retention_rules rules_of(const config::retention_settings& settings) {
  storage::retention_rules rules;
  if (settings.max_age.count() > 0) {
    rules.max_age = std::chrono::duration_cast<std::chrono::seconds>(settings.max_age);
    if (rules.max_age->count() == 0) rules.max_age = 1s;  // under a second: a second
  }
  if (settings.max_entries_per_feed > 0) rules.max_entries_per_feed = settings.max_entries_per_feed;
  return rules;
}

expected<pass_result, storage::db_error> purge_pass(storage::database& db, const storage::retention_rules& rules,
                                                    const std::function<bool()>& between_batches, pass_result& done) {
  std::vector<std::int64_t> busy;
  if (rules.any()) {
    auto finished = purge_feeds(db, rules, between_batches, done, busy);
    if (!finished) return unexpected{finished.error()};
    if (!*finished) return done;
  }
  for (int retry = 0; retry < busy_retries && !busy.empty(); ++retry) {
    std::this_thread::sleep_for(busy_pause);
    std::vector<std::int64_t> still;
    for (auto id : busy) {
      auto outcome = purge_one(db, rules, id, between_batches, done);
      if (!outcome) return unexpected{outcome.error()};
      if (*outcome == feed_outcome::stopped) return done;
      if (*outcome == feed_outcome::busy) still.push_back(id);
    }
    busy = std::move(still);
  }
  done.busy_feeds = static_cast<std::int64_t>(busy.size());
  for (int batch = 0; batch < max_batches_per_feed && !between_batches(); ++batch) {
    auto n = storage::drop_unseen_tombstones(db);
    if (!n) return unexpected{n.error()};
    done.tombstones += *n;
    if (*n < storage::purge_batch) break;
  }
  return done;
}

}  // namespace feedd::daemon
