#include "store_worker.hpp"

#include <algorithm>
#include <random>
#include <thread>

#include <unistd.h>

#include "feedd/parsers/parse.hpp"
#include "feedd/parsers/url.hpp"
#include "feedd/storage/claims.hpp"
#include "redirect_chain.hpp"
#include "schedule_policy.hpp"
#include "scheduler.hpp"

namespace feedd::daemon {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

constexpr milliseconds idle_poll{1000};
constexpr seconds summary_every{60};

seconds to_seconds(config::duration d) { return std::max(seconds(1), duration_cast<seconds>(d)); }

schedule_limits limits_of(const config::schedule_settings& s) {
  return {to_seconds(s.interval), to_seconds(s.min_interval), to_seconds(s.max_interval),
          to_seconds(s.error_backoff_max)};
}

double jitter() {
  thread_local std::mt19937 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(-1.0, 1.0)(rng);
}

std::string make_owner() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host) + ":" + std::to_string(::getpid());
}

std::int64_t ms(milliseconds d) { return static_cast<std::int64_t>(d.count()); }

}  // namespace

store_worker::store_worker(storage::database& db, bounded_queue<message>& queue, scheduler& fetch_side, logger& log,
                           const config::config& settings, bool once, hooks h)
    : db_(db),
      queue_(queue),
      fetch_side_(fetch_side),
      log_(log),
      settings_(settings),
      once_(once),
      hooks_(std::move(h)),
      owner_(make_owner()) {}

seconds store_worker::lease() const { return to_seconds(settings_.schedule.lease); }

int store_worker::run() {
  next_summary_ = steady_clock::now() + summary_every;
  for (;;) {
    if (hooks_.alive) hooks_.alive();
    claim_more();
    const bool finishing = draining_ || (once_ && exhausted_);
    if (finishing && outstanding_ == 0 && queue_.empty()) break;

    auto now = steady_clock::now();
    milliseconds wait = finishing ? milliseconds(200) : std::clamp(duration_cast<milliseconds>(next_claim_ - now), milliseconds(10), idle_poll);
    if (hooks_.alive_every.count() > 0) wait = std::min(wait, hooks_.alive_every);
    if (auto msg = queue_.pop_for(wait)) {
      if (auto* document = std::get_if<fetched>(&*msg)) {
        handle(*document);
      } else if (auto* given_back = std::get_if<deferred>(&*msg)) {
        give_back(*given_back);
      } else {
        apply_control(*msg);
      }
    }
    if (steady_clock::now() >= next_summary_) {
      log_summary("summary");
      next_summary_ = steady_clock::now() + summary_every;
    }
  }
  log_summary("stopped");
  return db_failed_ ? 1 : 0;
}

void store_worker::apply_control(const message& control) {
  std::visit(
      [this](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, drain_requested>) {
          begin_drain(m.at, false);
        } else if constexpr (std::is_same_v<T, cancel_requested>) {
          begin_drain(steady_clock::now(), true);
        } else if constexpr (std::is_same_v<T, reload_requested>) {
          settings_.schedule = m.next->schedule;
          settings_.log = m.next->log;
        }
      },
      control);
}

void store_worker::begin_drain(steady_clock::time_point signalled, bool cancel) {
  if (!draining_) drain_deadline_ = signalled + settings_.shutdown.drain_timeout;
  draining_ = true;
  cancelling_ = cancelling_ || cancel;
}

void store_worker::claim_more() {
  if (draining_ || (once_ && exhausted_) || wait_for_finish_) return;
  auto now = steady_clock::now();
  if (now < next_claim_) return;
  // Claims wait for a fetch slot while their lease runs, so hold no more
  // than can be in flight plus what the queue can take.
  const int max_outstanding = settings_.fetch.max_concurrent + settings_.queue.capacity;
  const int limit = std::min(settings_.schedule.claim_batch, max_outstanding - outstanding_);
  if (limit <= 0) return;

  std::vector<storage::claim> claims;
  bool ok = with_database(
      [&]() -> step_result {
        auto got = storage::claim_due(db_, limit, lease(), owner_);
        if (!got) return unexpected{got.error()};
        claims = std::move(*got);
        return true;
      },
      "claim");
  if (!ok) {
    next_claim_ = steady_clock::now() + idle_poll;
    return;
  }
  // A short batch means nothing else is due now: --once is done claiming,
  // the daemon polls again shortly.
  exhausted_ = static_cast<int>(claims.size()) < limit;
  next_claim_ = exhausted_ ? steady_clock::now() + idle_poll : steady_clock::now();
  if (claims.empty()) return;

  std::vector<storage::claim> kept;
  for (auto& c : claims) {
    if (host_key(c.url).empty()) {  // the URL cannot be fetched at all
      disable_unfetchable(c);
      continue;
    }
    kept.push_back(std::move(c));
  }
  log_.debug("claim", {{"feeds", kept.size()}, {"outstanding", outstanding_ + static_cast<int>(kept.size())}});
  if (kept.empty()) return;
  outstanding_ += static_cast<int>(kept.size());
  fetch_side_.submit(std::move(kept), lease());
}

// The daemon makes these feeds due one fetch timeout later, by when a wave
// of their host's fetches has ended: behind the feeds of other hosts due
// meanwhile, not starving them, and never waiting out a lease. --once must
// still fetch them, so it leaves them due and claims again only after a
// fetch has finished and freed room on some host.
void store_worker::give_back(const deferred& d) {
  const seconds later = once_ ? seconds(0) : to_seconds(settings_.fetch.timeout);
  with_database([&]() -> step_result {
    auto done = storage::defer(db_, d.claims, later);
    if (!done) return unexpected{done.error()};
    return true;
  }, "defer");
  if (once_) {
    exhausted_ = false;
    wait_for_finish_ = true;
  }
  next_claim_ = steady_clock::now();
  outstanding_ -= static_cast<int>(d.claims.size());
  log_.debug("deferred", {{"feeds", d.claims.size()}, {"due_in_s", static_cast<std::int64_t>(later.count())},
                          {"outstanding", outstanding_}});
  fetch_side_.slot_freed();
  if (hooks_.progress) hooks_.progress(counters_, queue_.size(), outstanding_);
}

// RELIABILITY G9: `feeds add` refuses such URLs, but a row written by hand
// or by another tool can hold one. Fetching it would fail the same way
// forever, so it is never fetched and the operator is told once.
void store_worker::disable_unfetchable(const storage::claim& c) {
  bool lost = true;
  with_database([&]() -> step_result {
    auto done = storage::disable_unfetchable(db_, c, unfetchable_url);
    if (!done) return unexpected{done.error()};
    lost = done->lease_lost;
    return true;
  }, "disable");
  if (lost) return;  // another instance holds the feed now (or the database is gone); it decides
  ++counters_.failed;
  log_.warning("feed_disabled", {{"feed", c.feed_id}, {"url", parsers::redact_url(c.url)}, {"reason", unfetchable_url}});
}

void store_worker::handle(fetched& result) {
  finish(result);
  --outstanding_;
  wait_for_finish_ = false;
  fetch_side_.slot_freed();
  if (hooks_.progress) hooks_.progress(counters_, queue_.size(), outstanding_);
}

void store_worker::finish(fetched& result) {
  const auto& c = result.claim;
  const auto& r = result.response;
  const std::string url = parsers::redact_url(c.url);
  const auto limits = limits_of(settings_.schedule);
  using outcome = fetch_response::outcome;

  if (r.what == outcome::cancelled) {
    with_database([&]() -> step_result {
      auto done = storage::release(db_, c);
      if (!done) return unexpected{done.error()};
      return true;
    }, "release");
    ++counters_.released;
    log_.info("fetch_cancelled", {{"feed", c.feed_id}, {"url", url}});
    return;
  }

  auto fail = [&](std::optional<int> status, const std::string& error, std::optional<seconds> retry_after) {
    const seconds next = next_after_failure(limits, c.interval, c.error_count + 1, retry_after, jitter());
    // RELIABILITY S9, N4: what says the feed is not there any more.
    const bool gone = (status && (*status == 404 || *status == 410)) || r.no_such_host;
    bool disabled = false;
    with_database([&]() -> step_result {
      auto done = storage::finish_failed(db_, c, status, error, next, gone);
      if (!done) return unexpected{done.error()};
      disabled = done->disabled;
      return true;
    }, "finish");
    ++counters_.failed;
    const auto next_s = static_cast<std::int64_t>(next.count());
    if (status) {
      log_.warning("fetch", {{"feed", c.feed_id}, {"url", url}, {"status", *status}, {"ms", ms(r.elapsed)},
                             {"errors", c.error_count + 1}, {"next_s", next_s}, {"error", error}});
    } else {
      log_.warning("fetch", {{"feed", c.feed_id}, {"url", url}, {"ms", ms(r.elapsed)}, {"errors", c.error_count + 1},
                             {"next_s", next_s}, {"error", error}});
    }
    if (disabled) {
      const auto days = std::chrono::duration_cast<std::chrono::days>(storage::disable_gone_after).count();
      const std::string reason = "answered only 404 or 410, or its host did not exist, for " + std::to_string(days) + " days";
      if (status) {
        log_.warning("feed_disabled", {{"feed", c.feed_id}, {"url", url}, {"status", *status}, {"reason", reason}});
      } else {
        log_.warning("feed_disabled", {{"feed", c.feed_id}, {"url", url}, {"error", error}, {"reason", reason}});
      }
    }
  };

  storage::http_meta meta{r.status, r.etag, r.last_modified, r.final_url, {}};
  if (r.moved_permanently && r.final_url != c.url) {
    // A URL with credentials stays: the target was fetched without them
    // once the chain left the origin, and storing it would drop them.
    const auto current = parsers::parse_http_url(c.url);
    if (current && current->userinfo.empty()) meta.moved_to = r.final_url;
  }
  // RELIABILITY S3: the URL follows a permanent redirect seen twice in a
  // row, never onto another feed's URL (storage::finish_success_sql).
  const auto log_move = [&](const storage::store_stats& stats) {
    if (stats.moved) {
      log_.info("feed_moved", {{"feed", c.feed_id}, {"from", url}, {"to", parsers::redact_url(meta.moved_to)}});
    } else if (stats.move_refused) {
      log_.warning("feed_moved", {{"feed", c.feed_id}, {"from", url}, {"to", parsers::redact_url(meta.moved_to)},
                                  {"result", "kept: another feed has that URL"}});
    }
  };
  if (r.what == outcome::not_modified) {
    const seconds next = next_after_success(limits, c.interval, std::nullopt, r.max_age);
    with_database([&]() -> step_result {
      auto done = storage::finish_not_modified(db_, c, meta, next);
      if (!done) return unexpected{done.error()};
      if (done->lease_lost) log_.warning("lease_lost", {{"feed", c.feed_id}, {"url", url}});
      log_move(*done);
      return true;
    }, "finish");
    ++counters_.not_modified;
    log_.info("fetch", {{"feed", c.feed_id}, {"url", url}, {"status", 304}, {"ms", ms(r.elapsed)}});
    return;
  }
  if (r.what != outcome::ok) {
    fail(r.status != 0 ? std::optional<int>(r.status) : std::nullopt, r.error, r.retry_after);
    return;
  }

  auto parsed = parsers::parse(r.body, {r.final_url.empty() ? c.url : r.final_url, r.charset, r.content_type});
  if (!parsed) {
    fail(r.status, parsed.error().message, std::nullopt);
    return;
  }
  const seconds next = next_after_success(limits, c.interval, parsed->ttl, r.max_age);
  storage::store_stats stats;
  bool stored = with_database([&]() -> step_result {
    auto done = storage::finish_fetched(db_, c, *parsed, meta, next);
    if (!done) {
      if (done.error().what != storage::db_error::kind::content) return unexpected{done.error()};
      // The database refused this feed's data: mark the feed failing rather
      // than retrying the same bytes forever (SQLSTATE 22xxx).
      return false;
    }
    stats = *done;
    return true;
  }, "store");
  if (!stored) {
    fail(r.status, "store: the database refused this feed's entries", std::nullopt);
    return;
  }
  if (stats.lease_lost) {
    log_.warning("lease_lost", {{"feed", c.feed_id}, {"url", url}});
    return;
  }
  log_move(stats);
  ++counters_.fetched;
  if (stats.already_finished) {
    // The answer to COMMIT was lost and the retry found the feed finished
    // (RELIABILITY D4): the entries are stored, how many of them were new
    // went with the answer.
    log_.info("fetch", {{"feed", c.feed_id}, {"url", url}, {"status", r.status}, {"bytes", r.wire_bytes},
                        {"ms", ms(r.elapsed)}, {"entries", parsed->entries.size()}, {"stored", "earlier_try"},
                        {"warnings", parsed->warnings.size()}});
  } else {
    counters_.entries_new += stats.inserted;
    counters_.entries_updated += stats.updated;
    log_.info("fetch", {{"feed", c.feed_id}, {"url", url}, {"status", r.status}, {"bytes", r.wire_bytes},
                        {"ms", ms(r.elapsed)}, {"entries", parsed->entries.size()}, {"new", stats.inserted},
                        {"updated", stats.updated}, {"warnings", parsed->warnings.size()}});
  }
  if (!parsed->warnings.empty())
    log_.debug("parse_warnings", {{"feed", c.feed_id}, {"first", parsed->warnings.front()}});
}

// Runs one database step, reconnecting and retrying on connection loss and
// transient errors with capped exponential backoff. While running normally
// it retries until the database comes back (the pipeline stalls and
// backpressure holds the fetchers); while draining it gives up once
// drain_timeout has passed since the drain began (one budget for the whole
// queue, not one per document, so that a drain into a database that is
// down ends when systemd expects it to), and at once after a second
// signal. A step given up on leaves its feed leased: the lease expires and
// the feed is fetched again, so nothing is lost. `attempt` returns its own
// verdict or the error.
bool store_worker::with_database(const std::function<step_result()>& attempt, std::string_view step) {
  milliseconds backoff{500};
  for (int tries = 1;; ++tries) {
    auto result = attempt();
    if (result) return *result;
    const auto& e = result.error();
    ++counters_.database_errors;
    const bool retryable = e.what == storage::db_error::kind::connection || e.what == storage::db_error::kind::transient;
    log_.error("database", {{"step", step}, {"try", tries}, {"sqlstate", e.sqlstate}, {"error", e.message}});
    if (!retryable) {
      db_failed_ = db_failed_ || e.what == storage::db_error::kind::schema;
      return false;
    }
    while (auto control = queue_.take_control()) apply_control(*control);
    if (cancelling_ || (draining_ && steady_clock::now() >= drain_deadline_)) {
      log_.error("database", {{"step", step}, {"error", "giving up while stopping; the feed stays leased and will be fetched again"}});
      db_failed_ = true;
      return false;
    }
    wait_out(backoff);
    backoff = std::min(backoff * 2, milliseconds(30'000));
    if (!db_.healthy()) {
      auto re = db_.reconnect();
      if (re) log_.info("database_reconnected", {{"step", step}});
    }
    if (hooks_.alive) hooks_.alive();
  }
}

// Waits out a database backoff of `length`, calling alive() at least every
// hooks_.alive_every. A signal is heard at once: the wait ends at a second
// one and does not outlast a drain's deadline, which starts when the first
// arrives rather than when this wait would have ended.
void store_worker::wait_out(milliseconds length) {
  const auto until = steady_clock::now() + length;
  for (;;) {
    const auto now = steady_clock::now();
    const auto end = draining_ ? std::min(until, drain_deadline_) : until;
    if (cancelling_ || now >= end) return;
    auto step = duration_cast<milliseconds>(end - now) + milliseconds(1);
    if (hooks_.alive_every.count() > 0) step = std::min(step, hooks_.alive_every);
    if (auto control = queue_.take_control_for(step)) apply_control(*control);
    if (hooks_.alive) hooks_.alive();
  }
}

void store_worker::log_summary(std::string_view event) {
  log_.info(event, {{"fetched", counters_.fetched}, {"not_modified", counters_.not_modified},
                    {"failed", counters_.failed}, {"released", counters_.released},
                    {"entries_new", counters_.entries_new}, {"entries_updated", counters_.entries_updated},
                    {"queue", queue_.size()}, {"outstanding", outstanding_}});
  if (hooks_.status) {
    hooks_.status("fetched " + std::to_string(counters_.fetched) + ", not modified " +
                  std::to_string(counters_.not_modified) + ", failed " + std::to_string(counters_.failed) +
                  ", new entries " + std::to_string(counters_.entries_new) + ", queue " +
                  std::to_string(queue_.size()));
  }
}

}  // namespace feedd::daemon
