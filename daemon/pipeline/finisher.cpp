#include "finisher.hpp"

#include <random>

#include "feedd/parsers/parse.hpp"
#include "feedd/parsers/url.hpp"

namespace feedd::daemon {

namespace {

using std::chrono::seconds;
using outcome = fetch_response::outcome;

double jitter() {
  thread_local std::mt19937 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(-1.0, 1.0)(rng);
}

std::int64_t ms(std::chrono::milliseconds d) { return static_cast<std::int64_t>(d.count()); }

// The storage functions are overloaded (seconds or next_check); these name
// the one the finisher calls.
auto finish_fetched(storage::database& db, const storage::claim& c, const feed& parsed,
                    const storage::http_meta& meta, const storage::next_check& next) {
  return storage::finish_fetched(db, c, parsed, meta, next);
}
auto finish_not_modified(storage::database& db, const storage::claim& c, const storage::http_meta& meta,
                         const storage::next_check& next) {
  return storage::finish_not_modified(db, c, meta, next);
}

}  // namespace

bool is_gone(const fetch_response& r) { return r.status == 404 || r.status == 410 || r.no_such_host; }

finisher::finisher(database_retry& database, logger& log, run_counters& counters, clock_fn now)
    : database_(database), log_(log), counters_(counters), now_(std::move(now)) {
  if (!now_) now_ = [] { return std::chrono::floor<seconds>(std::chrono::system_clock::now()); };
}

void finisher::finish(const fetched& result, const schedule_limits& limits) {
  const job j{result.claim, result.response, parsers::redact_url(result.claim.url), limits};
  const auto& r = result.response;
  switch (r.what) {
    case outcome::cancelled: return cancelled(j);
    case outcome::not_modified: return not_modified(j);
    case outcome::ok: return parse_and_store(j);
    case outcome::http_error:
    case outcome::failed: break;
  }
  failed(j, {r.status != 0 ? std::optional<int>(r.status) : std::nullopt, r.error, r.retry_after, is_gone(r)});
}

// Given back untouched, still due: the next run fetches it.
void finisher::cancelled(const job& j) {
  database_("release", [](storage::database& db, const storage::claim& c) { return storage::release(db, c); }, j.claim);
  ++counters_.released;
  log_.info("fetch_cancelled", {{"feed", j.claim.feed_id}, {"url", j.url}});
}

void finisher::not_modified(const job& j) {
  const auto& c = j.claim;
  const auto next = next_check_of(j, std::nullopt, c.skip);
  const auto meta = meta_of(j);
  auto done = database_("finish", finish_not_modified, c, meta, next);
  not_modified_done(j, meta, done ? &*done : nullptr);
}

// Nothing changed: at volume (a warm cycle is almost all 304s) an info line
// per fetch cost more than the fetch, so it is debug (issue 12).
void finisher::not_modified_done(const job& j, const storage::http_meta& meta, const storage::store_stats* done) {
  const auto& c = j.claim;
  if (done) {
    if (done->lease_lost) log_.warning("lease_lost", {{"feed", c.feed_id}, {"url", j.url}});
    log_move(j, meta, *done);
  }
  ++counters_.not_modified;
  log_.debug("fetch", {{"feed", c.feed_id}, {"url", j.url}, {"status", 304}, {"ms", ms(j.response.elapsed)}});
}

seconds finisher::next_after(const job& j, const failure& f) const {
  return next_after_failure(j.limits, j.claim.interval, j.claim.error_count + 1, f.retry_after, jitter());
}

void finisher::failed(const job& j, const failure& f) {
  const seconds next = next_after(j, f);
  auto done = database_("finish", storage::finish_failed, j.claim, f.status, f.error, next, f.gone);
  failed_done(j, f, next, done ? &*done : nullptr);
}

void finisher::failed_done(const job& j, const failure& f, seconds next, const storage::store_stats* done) {
  const auto& c = j.claim;
  ++counters_.failed;
  const auto next_s = static_cast<std::int64_t>(next.count());
  const auto elapsed = ms(j.response.elapsed);
  if (f.status) {
    log_.warning("fetch", {{"feed", c.feed_id}, {"url", j.url}, {"status", *f.status}, {"ms", elapsed},
                           {"errors", c.error_count + 1}, {"next_s", next_s}, {"error", f.error}});
  } else {
    log_.warning("fetch", {{"feed", c.feed_id}, {"url", j.url}, {"ms", elapsed}, {"errors", c.error_count + 1},
                           {"next_s", next_s}, {"error", f.error}});
  }
  if (!done || !done->disabled) return;
  const auto days = std::chrono::duration_cast<std::chrono::days>(storage::disable_gone_after).count();
  const std::string reason = "answered only 404 or 410, or its host did not exist, for " + std::to_string(days) + " days";
  if (f.status) {
    log_.warning("feed_disabled", {{"feed", c.feed_id}, {"url", j.url}, {"status", *f.status}, {"reason", reason}});
  } else {
    log_.warning("feed_disabled", {{"feed", c.feed_id}, {"url", j.url}, {"error", f.error}, {"reason", reason}});
  }
}

expected<feed, std::string> finisher::parse(const job& j) const {
  const auto& r = j.response;
  auto parsed = parsers::parse(r.body, {r.final_url.empty() ? j.claim.url : r.final_url, r.charset, r.content_type});
  if (!parsed) return unexpected{parsed.error().message};
  return std::move(*parsed);
}

void finisher::parse_and_store(const job& j) {
  auto parsed = parse(j);
  if (!parsed) return failed(j, {j.response.status, parsed.error(), std::nullopt, false});
  store_parsed(j, *parsed);
}

void finisher::store_parsed(const job& j, const feed& parsed) {
  const auto next = next_check_of(j, parsed.ttl, parsed.skip);
  const auto meta = meta_of(j);
  auto done = database_("store", finish_fetched, j.claim, parsed, meta, next);
  if (!done && done.error().what == storage::db_error::kind::content) {
    // The database refused this feed's data (SQLSTATE 22xxx): mark the feed
    // failing rather than retrying the same bytes forever.
    return failed(j, {j.response.status, "store: the database refused this feed's entries", std::nullopt, false});
  }
  if (!done) return;  // given up on; the feed stays leased and is fetched again
  fetched_done(j, parsed, meta, *done);
}

void finisher::fetched_done(const job& j, const feed& parsed, const storage::http_meta& meta,
                            const storage::store_stats& done) {
  if (done.lease_lost) return log_.warning("lease_lost", {{"feed", j.claim.feed_id}, {"url", j.url}});
  log_move(j, meta, done);
  stored(j, parsed, done);
}

void finisher::stored(const job& j, const feed& parsed, const storage::store_stats& stats) {
  const auto& c = j.claim;
  const auto& r = j.response;
  ++counters_.fetched;
  if (stats.already_finished) {
    // The answer to COMMIT was lost and the retry found the feed finished
    // (RELIABILITY D4): the entries are stored, how many of them were new
    // went with the answer.
    log_.info("fetch", {{"feed", c.feed_id}, {"url", j.url}, {"status", r.status}, {"bytes", r.wire_bytes},
                        {"ms", ms(r.elapsed)}, {"entries", parsed.entries.size()}, {"stored", "earlier_try"},
                        {"warnings", parsed.warnings.size()}});
  } else {
    counters_.entries_new += stats.inserted;
    counters_.entries_updated += stats.updated;
    // A 200 that brought nothing new is as quiet as a 304 (issue 12).
    const auto level = stats.inserted + stats.updated > 0 ? log_level::info : log_level::debug;
    log_.write(level, "fetch", {{"feed", c.feed_id}, {"url", j.url}, {"status", r.status}, {"bytes", r.wire_bytes},
                        {"ms", ms(r.elapsed)}, {"entries", parsed.entries.size()}, {"new", stats.inserted},
                        {"updated", stats.updated}, {"warnings", parsed.warnings.size()}});
  }
  if (!parsed.warnings.empty()) log_.debug("parse_warnings", {{"feed", c.feed_id}, {"first", parsed.warnings.front()}});
}

// After a good fetch. With schedule.adaptive, for a feed without its own
// interval, the storage calls back with the feed's arrivals and the
// database's now() once it knows them; otherwise the interval is known now.
// Either way skipHours/skipDays come last: they move the check, clamped.
storage::next_check finisher::next_check_of(const job& j, std::optional<seconds> ttl, const skip_hints& skip) const {
  const auto& c = j.claim;
  const auto limits = j.limits;
  const auto max_age = j.response.max_age;
  const seconds fixed = next_after_success(limits, c.interval, ttl, max_age);
  if (!limits.adaptive || c.interval) {
    return {skip_to_allowed(fixed, skip, now_(), limits.max_interval), {}};
  }
  return {fixed, [limits, ttl, max_age, skip](const storage::arrivals& a) {
            const seconds adaptive = adaptive_interval(limits, limits.interval, a.times, a.now);
            const seconds next = next_after_success(limits, std::nullopt, ttl, max_age, adaptive);
            return skip_to_allowed(next, skip, a.now, limits.max_interval);
          }};
}

storage::http_meta finisher::meta_of(const job& j) const {
  const auto& r = j.response;
  storage::http_meta meta{r.status, r.etag, r.last_modified, r.final_url, {}};
  if (r.moved_permanently && r.final_url != j.claim.url) {
    // A URL with credentials stays: the target was fetched without them
    // once the chain left the origin, and storing it would drop them.
    const auto current = parsers::parse_http_url(j.claim.url);
    if (current && current->userinfo.empty()) meta.moved_to = r.final_url;
  }
  return meta;
}

// RELIABILITY S3: the URL follows a permanent redirect seen twice in a row,
// never onto another feed's URL (storage::finish_success_sql).
void finisher::log_move(const job& j, const storage::http_meta& meta, const storage::store_stats& stats) {
  if (stats.moved) {
    log_.info("feed_moved", {{"feed", j.claim.feed_id}, {"from", j.url}, {"to", parsers::redact_url(meta.moved_to)}});
  } else if (stats.move_refused) {
    log_.warning("feed_moved", {{"feed", j.claim.feed_id}, {"from", j.url}, {"to", parsers::redact_url(meta.moved_to)},
                                {"result", "kept: another feed has that URL"}});
  }
}

}  // namespace feedd::daemon
