#include "store_worker.hpp"

#include <algorithm>

#include <unistd.h>

#include "feedd/parsers/url.hpp"
#include "feedd/storage/claims.hpp"
#include "feedd/storage/feeds.hpp"
#include "feedd/storage/hosts.hpp"
#include "first_checks.hpp"
#include "redirect_chain.hpp"

namespace feedd::daemon {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

// How often an idle daemon looks for due feeds when no notification says
// one was added or made due sooner (LISTEN feedd_feeds): the fallback for a
// lost notification, and for feeds that simply come due.
constexpr milliseconds idle_poll{5000};
// While idle, the store thread waits on the database's socket in slices
// this long, and looks at the queue (signals) between them.
constexpr milliseconds listen_slice{100};
// After a fetch finishes, the next claim waits this long so that the
// finishes of a busy moment share one claim rather than each making its own.
constexpr milliseconds claim_after_finish{100};
constexpr seconds summary_every{60};

seconds to_seconds(config::duration d) { return std::max(seconds(1), duration_cast<seconds>(d)); }

schedule_limits limits_of(const config::schedule_settings& s) {
  return {to_seconds(s.interval), to_seconds(s.min_interval), to_seconds(s.max_interval),
          to_seconds(s.error_backoff_max), s.adaptive};
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
      finisher_(database_, log, counters_, hooks_.now),
      owner_(make_owner()) {}

seconds store_worker::lease() const { return to_seconds(settings_.schedule.lease); }

schedule_limits store_worker::limits() const { return limits_of(settings_.schedule); }

int store_worker::run() {
  next_summary_ = steady_clock::now() + summary_every;
  if (!once_) spread_overdue();
  listening_ = !once_ && listen();
  for (;;) {
    if (hooks_.alive) hooks_.alive();
    claim_more();
    extend_leases();
    feed_states_.refresh_if_due(database_);
    if (drain_.finishing() && outstanding_ == 0 && queue_.empty()) break;
    wait_for_work();
    if (steady_clock::now() >= next_summary_) {
      log_summary("summary");
      next_summary_ = steady_clock::now() + summary_every;
    }
  }
  log_summary("stopped");
  return database_.failed() ? 1 : 0;
}

// Feeds that came due while no daemon ran (all of them, after a long stop)
// would otherwise all be claimed in the first seconds, and come due again
// together an interval later, cycle after cycle. --once spreads nothing:
// it is to fetch what is due now, and exit.
void store_worker::spread_overdue() {
  auto spread = database_("spread overdue", storage::spread_overdue, first_check_bound(settings_.schedule),
                          first_check_step);
  if (!spread || spread->feeds == 0) return;
  log_.info("first_checks_spread", {{"feeds", spread->feeds}, {"window_ms", static_cast<std::int64_t>(spread->window.count())}});
}

// A feed added, enabled, or made due sooner by anyone but the daemon is
// announced on feeds_changed_channel, so that an idle daemon claims it at
// once rather than at its next poll.
bool store_worker::listen() {
  auto done = database_("listen", [](storage::database& db) { return db.listen(storage::feeds_changed_channel); });
  if (!done) log_.warning("listen", {{"channel", storage::feeds_changed_channel}, {"error", done.error().message}});
  return done.has_value();
}

bool store_worker::notified(milliseconds wait) {
  auto arrived = database_("wait for notification",
                           [wait](storage::database& db) { return db.wait_for_notification(wait); });
  return arrived && *arrived;
}

// Idle (waiting to claim, nothing outstanding, nothing queued), the wait is
// on the database's socket, in slices of listen_slice so that a signal,
// which arrives through the queue, is heard within one. Otherwise it is on
// the queue, and a notification that came meanwhile is picked up after.
void store_worker::wait_for_work() {
  const auto wait = next_wait();
  const bool waiting_to_claim = listening_ && drain_.may_claim() && steady_clock::now() < next_claim_;
  if (waiting_to_claim && outstanding_ == 0 && queue_.empty()) {
    if (notified(std::min(wait, listen_slice))) next_claim_ = steady_clock::now();
    if (auto msg = queue_.pop_for(milliseconds(0))) take(std::move(*msg));
    return;
  }
  if (auto msg = queue_.pop_for(wait)) take(std::move(*msg));
  if (waiting_to_claim && notified(milliseconds(0))) next_claim_ = steady_clock::now();
}

void store_worker::take(message m) {
  if (auto* result = std::get_if<fetched>(&m)) {
    take_results(std::move(*result));
  } else if (const auto* held_back = std::get_if<held>(&m)) {
    give_back(*held_back);
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

// A host's cap is twice what it may fetch at once (max_per_host in flight
// and as many waiting behind them, so that when one fetch ends the next
// starts at once and the store thread has a whole fetch's time to claim a
// replacement) plus the queue's capacity: a claim counts until its result
// is stored, and when the store thread is the bottleneck a host's results
// wait for it in the queue or in the scheduler's overflow, where the
// store thread cannot tell them from claims still waiting on the host.
// Without that room a 50 ms host with 2,000 feeds got 5 of its 40 feeds/s
// while 100 small hosts filled the queue (bench/README.md). A claim that
// waits longer than a third of its lease is renewed, so it
// never waits its lease out (extend_leases; RELIABILITY N10, C7).
//
// With fetch.host_delay the host starts one fetch per delay at best, so the
// last of `cap` claims waits about cap × delay: the cap is also held to a
// third of the lease's worth of starts (the renewal period), at least one.
// The config keeps host_delay below the lease, so even that one claim
// starts before its lease would end without renewal.
int store_worker::per_host_cap() const {
  const int cap = std::max(1, settings_.fetch.max_per_host * 2 + settings_.queue.capacity);
  const auto delay = settings_.fetch.host_delay;
  if (delay.count() <= 0) return cap;
  const auto starts_in_a_third = duration_cast<milliseconds>(lease()) / 3 / delay;
  return static_cast<int>(std::clamp<std::int64_t>(starts_in_a_third, 1, cap));
}

// What each host holds on the fetch side (waiting or in flight): the
// outstanding claims less the results already in the queue. A result there
// no longer waits on its host, and counting it starved a busy host while
// the queue was full of other hosts' results (bench/README.md, the
// lopsided cycle: 5 instead of 40 feeds/s from the big host).
std::map<std::string, int> store_worker::held_by_fetch_side() const {
  auto held = outstanding_per_host_;
  queue_.look_at_each([&held](const message& m) {
    const auto* f = std::get_if<fetched>(&m);
    if (f == nullptr || f->claim.host.empty()) return;
    if (const auto it = held.find(f->claim.host); it != held.end()) --it->second;
  });
  std::erase_if(held, [](const auto& h) { return h.second <= 0; });
  return held;
}

void store_worker::claim_more() {
  auto now = steady_clock::now();
  if (!drain_.may_claim() || now < next_claim_) return;
  // Claims wait for a fetch slot while their lease runs, so hold no more
  // than can be in flight plus what the queue can take.
  const int max_outstanding = settings_.fetch.max_concurrent + settings_.queue.capacity;
  const int limit = std::min(settings_.schedule.claim_batch, max_outstanding - outstanding_);
  if (limit <= 0) return;

  const storage::claim_request request{limit, per_host_cap(), lease(), owner_};
  auto at_hosts = held_by_fetch_side();
  auto claims = database_(
      "claim",
      [](storage::database& db, const storage::claim_request& r, const std::map<std::string, int>& held) {
        return storage::claim_due(db, r, held);
      },
      request, at_hosts);
  now = steady_clock::now();
  if (!claims) {
    next_claim_ = now + idle_poll;
    return;
  }
  const bool short_batch = static_cast<int>(claims->size()) < limit;
  auto kept = fetchable(std::move(*claims));
  for (const auto& c : kept) {
    ++outstanding_per_host_[c.host];
    ++at_hosts[c.host];  // the cap check below is on what hosts hold now
    held_[c.feed_id] = c;
  }
  if (!kept.empty() && held_.size() == kept.size()) next_extend_ = now + extend_every();
  outstanding_ += static_cast<int>(kept.size());
  // A short batch means nothing more can be claimed now: nothing else is
  // due, or the hosts that have more are at their cap. While a host is at
  // its cap, a finish there may make room for more of its feeds, so --once
  // claims again after one; with no host at its cap, nothing more is due
  // and --once is done (claiming again would take back feeds it released).
  // The daemon polls again shortly (sooner after a finish).
  if (short_batch) {
    const bool capped = std::any_of(at_hosts.begin(), at_hosts.end(),
                                    [&](const auto& h) { return !h.first.empty() && h.second >= request.per_host; });
    if (capped) {
      drain_.host_busy();
    } else {
      drain_.nothing_due();
    }
  }
  next_claim_ = now;
  if (short_batch) next_claim_ += (outstanding_ == 0 && !once_) ? until_next_due() : idle_poll;
  log_.debug("claim", {{"feeds", kept.size()}, {"outstanding", outstanding_}});
  if (kept.empty()) return;
  fetch_side_.submit(std::move(kept));
}

// An idle daemon claims again when the database says something comes due:
// a feed's next check, a host's pause ending, or a lease running out (an
// instance that died: no notification says so). Without it, a dead
// instance's feeds waited for the idle poll on top of the lease. Never
// sooner than a quarter second (a feed locked by another instance's claim
// reads as due now), never later than the idle poll.
milliseconds store_worker::until_next_due() {
  auto due = database_("next due", storage::next_due_in);
  if (!due || !*due) return idle_poll;
  return std::clamp(duration_cast<milliseconds>(**due), milliseconds(250), idle_poll);
}

std::vector<storage::claim> store_worker::fetchable(std::vector<storage::claim> claims) {
  std::erase_if(claims, [this](const storage::claim& c) {
    if (!c.host.empty() && parsers::parse_http_url(c.url)) return false;
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

// A 429 or 503 with Retry-After pauses the feed's host for every instance
// for that long, clamped to [min_interval, max_interval]: its other due
// feeds are not claimed meanwhile, while other hosts go on. The scheduler
// gives back the host's claims it had waiting (give_back).
void store_worker::pause_if_asked(const fetched& f) {
  const auto& r = f.response;
  if ((r.status != 429 && r.status != 503) || !r.retry_after || f.claim.host.empty()) return;
  const auto limits = limits_of(settings_.schedule);
  const seconds pause = std::clamp(*r.retry_after, limits.min_interval, limits.max_interval);
  if (!database_("pause host", storage::pause_host, f.claim.host, pause)) return;
  log_.info("host_paused", {{"host", f.claim.host}, {"status", r.status}, {"pause_s", static_cast<std::int64_t>(pause.count())}});
}

void store_worker::give_back(const held& h) {
  database_(
      "release held",
      [](storage::database& db, const std::vector<storage::claim>& claims) { return storage::release(db, claims); },
      h.claims);
  counters_.released += h.claims.size();
  log_.info("claims_held", {{"host", h.host}, {"feeds", h.claims.size()}});
  for (const auto& c : h.claims) returned(c);
}

void store_worker::returned(const storage::claim& c) {
  let_go(c);
  if (hooks_.progress) hooks_.progress(counters_, queue_.size(), outstanding_);
}

void store_worker::let_go(const storage::claim& c) {
  --outstanding_;
  if (auto it = held_.find(c.feed_id); it != held_.end() && it->second.lease_token == c.lease_token) held_.erase(it);
  bool was_capped = false;
  if (auto it = outstanding_per_host_.find(c.host); it != outstanding_per_host_.end()) {
    was_capped = !c.host.empty() && it->second >= per_host_cap();
    if (--it->second <= 0) outstanding_per_host_.erase(it);
  }
  // Room on the claim's host: claim again soon, whatever the last batch was.
  // A host that was at its cap may have more due feeds, and its queue holds
  // only about one fetch's worth: waiting claim_after_finish there would
  // leave a fast host's connections idle most of the time (50 ms answers
  // reached 25 feeds/s of the 40 two connections can take), so it claims at
  // once.
  next_claim_ = std::min(next_claim_, steady_clock::now() + (was_capped ? milliseconds(0) : claim_after_finish));
  fetch_side_.slot_freed();
}

// Every third of a lease, the leases of the claims still outstanding
// (waiting for their host, or in flight) are renewed, so that none runs out
// while its claim waits (RELIABILITY C7): another instance would take the
// feed and both would fetch it.
milliseconds store_worker::extend_every() const { return std::max(milliseconds(1000), duration_cast<milliseconds>(lease()) / 3); }

void store_worker::extend_leases() {
  const auto now = steady_clock::now();
  if (held_.empty() || now < next_extend_) return;
  next_extend_ = now + extend_every();
  std::vector<storage::claim> claims;
  claims.reserve(held_.size());
  for (const auto& [id, c] : held_) claims.push_back(c);
  auto still = database_("extend leases", storage::extend_leases, claims, lease());
  if (!still) return;  // tried again at the next third; the lease has two left
  std::sort(still->begin(), still->end());
  // Taken over by another instance (it found the lease run out): the
  // result of this claim, when it comes, is dropped by the lease-token
  // guard of the finish; the claim is no longer renewed.
  for (const auto& c : claims) {
    if (std::binary_search(still->begin(), still->end(), c.feed_id)) continue;
    log_.warning("lease_lost", {{"feed", c.feed_id}, {"url", parsers::redact_url(c.url)}});
    held_.erase(c.feed_id);
  }
  log_.debug("leases_extended", {{"feeds", still->size()}});
}

milliseconds store_worker::next_wait() const {
  // Not claiming, the loop only waits for what comes back.
  milliseconds wait = drain_.may_claim()
                          ? std::clamp(duration_cast<milliseconds>(next_claim_ - steady_clock::now()), milliseconds(10), idle_poll)
                          : idle_poll;
  if (!held_.empty()) {
    wait = std::min(wait, std::max(milliseconds(10), duration_cast<milliseconds>(next_extend_ - steady_clock::now())));
  }
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
