#include "store_worker.hpp"

#include <algorithm>

#include <unistd.h>

#include "feedd/parsers/url.hpp"
#include "feedd/storage/claims.hpp"
#include "redirect_chain.hpp"

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

std::string make_owner() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host) + ":" + std::to_string(::getpid());
}

}  // namespace

store_worker::store_worker(storage::database& db, bounded_queue<message>& queue, scheduler& fetch_side, logger& log,
                           const config::config& settings, bool once, hooks h)
    : queue_(queue),
      fetch_side_(fetch_side),
      log_(log),
      settings_(settings),
      once_(once),
      hooks_(std::move(h)),
      drain_(once, settings.shutdown.drain_timeout),
      database_(db, drain_, log, counters_,
                {queue, [this](const message& m) { apply_control(m); }, hooks_.alive, hooks_.alive_every}),
      finisher_(database_, log, counters_),
      owner_(make_owner()) {}

seconds store_worker::lease() const { return to_seconds(settings_.schedule.lease); }

int store_worker::run() {
  next_summary_ = steady_clock::now() + summary_every;
  for (;;) {
    if (hooks_.alive) hooks_.alive();
    claim_more();
    if (drain_.finishing() && outstanding_ == 0 && queue_.empty()) break;
    if (auto msg = queue_.pop_for(next_wait())) take(*msg);
    if (steady_clock::now() >= next_summary_) {
      log_summary("summary");
      next_summary_ = steady_clock::now() + summary_every;
    }
  }
  log_summary("stopped");
  return database_.failed() ? 1 : 0;
}

void store_worker::take(const message& m) {
  if (const auto* result = std::get_if<fetched>(&m)) {
    finisher_.finish(*result, limits_of(settings_.schedule));
    drain_.fetch_finished();
    returned(1);
  } else if (const auto* given_back = std::get_if<deferred>(&m)) {
    give_back(*given_back);
  } else {
    apply_control(m);
  }
}

void store_worker::apply_control(const message& control) {
  if (const auto* drain = std::get_if<drain_requested>(&control)) {
    drain_.drain(drain->at);
  } else if (std::holds_alternative<cancel_requested>(control)) {
    drain_.cancel();
  } else if (const auto* reload = std::get_if<reload_requested>(&control)) {
    settings_.schedule = reload->next->schedule;
    settings_.log = reload->next->log;
  }
}

void store_worker::claim_more() {
  auto now = steady_clock::now();
  if (!drain_.may_claim() || now < next_claim_) return;
  // Claims wait for a fetch slot while their lease runs, so hold no more
  // than can be in flight plus what the queue can take.
  const int max_outstanding = settings_.fetch.max_concurrent + settings_.queue.capacity;
  const int limit = std::min(settings_.schedule.claim_batch, max_outstanding - outstanding_);
  if (limit <= 0) return;

  auto claims = database_("claim", storage::claim_due, limit, lease(), owner_);
  now = steady_clock::now();
  if (!claims) {
    next_claim_ = now + idle_poll;
    return;
  }
  // A short batch means nothing else is due now: --once is done claiming,
  // the daemon polls again shortly.
  const bool short_batch = static_cast<int>(claims->size()) < limit;
  if (short_batch) drain_.nothing_due();
  next_claim_ = short_batch ? now + idle_poll : now;
  auto kept = fetchable(std::move(*claims));
  log_.debug("claim", {{"feeds", kept.size()}, {"outstanding", outstanding_ + static_cast<int>(kept.size())}});
  if (kept.empty()) return;
  outstanding_ += static_cast<int>(kept.size());
  fetch_side_.submit(std::move(kept), lease());
}

std::vector<storage::claim> store_worker::fetchable(std::vector<storage::claim> claims) {
  std::erase_if(claims, [this](const storage::claim& c) {
    if (parsers::parse_http_url(c.url)) return false;
    disable_unfetchable(c);
    return true;
  });
  return claims;
}

// RELIABILITY G9: `feeds add` refuses such URLs, but a row written by hand
// or by another tool can hold one. Fetching it would fail the same way
// forever, so it is never fetched and the operator is told once.
void store_worker::disable_unfetchable(const storage::claim& c) {
  auto done = database_("disable", storage::disable_unfetchable, c, unfetchable_url);
  if (!done || done->lease_lost) return;  // another instance holds the feed now (or the database is gone); it decides
  ++counters_.failed;
  log_.warning("feed_disabled", {{"feed", c.feed_id}, {"url", parsers::redact_url(c.url)}, {"reason", unfetchable_url}});
}

// The daemon makes these feeds due one fetch timeout later, by when a wave
// of their host's fetches has ended: behind the feeds of other hosts due
// meanwhile, not starving them, and never waiting out a lease. --once must
// still fetch them, so it leaves them due and claims again only after a
// fetch has finished and freed room on some host.
void store_worker::give_back(const deferred& d) {
  const seconds later = once_ ? seconds(0) : to_seconds(settings_.fetch.timeout);
  database_("defer", storage::defer, d.claims, later);
  drain_.host_busy();
  next_claim_ = steady_clock::now();
  log_.debug("deferred", {{"feeds", d.claims.size()}, {"due_in_s", static_cast<std::int64_t>(later.count())},
                          {"outstanding", outstanding_ - static_cast<int>(d.claims.size())}});
  returned(d.claims.size());
}

void store_worker::returned(std::size_t claims) {
  outstanding_ -= static_cast<int>(claims);
  fetch_side_.slot_freed();
  if (hooks_.progress) hooks_.progress(counters_, queue_.size(), outstanding_);
}

milliseconds store_worker::next_wait() const {
  // Not claiming, the loop only waits for what comes back.
  milliseconds wait = drain_.may_claim()
                          ? std::clamp(duration_cast<milliseconds>(next_claim_ - steady_clock::now()), milliseconds(10), idle_poll)
                          : idle_poll;
  if (hooks_.alive_every.count() > 0) wait = std::min(wait, hooks_.alive_every);
  return wait;
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
