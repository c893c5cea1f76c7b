// finisher::finish_batch: the results the store thread found waiting,
// finished with few round trips (issue 12). Releases, 304s and failures go
// each in one statement over arrays; the feeds that brought documents go
// in one transaction. Every result is counted and logged as finish() would.
#include <deque>

#include "feedd/parsers/url.hpp"
#include "feedd/storage/finish_batch.hpp"
#include "finisher.hpp"

namespace feedd::daemon {

namespace {

using outcome = fetch_response::outcome;
using kind = storage::db_error::kind;

// The database refused the batch's statement itself (a constraint, a value):
// its items are finished one by one, so that one bad feed costs no other.
// Anything else was retried by database_retry until it gave up (stopping),
// and the feeds stay leased, as after a single finish given up on.
bool refused(const storage::db_error& e) {
  return e.what != kind::connection && e.what != kind::transient && e.what != kind::schema;
}

}  // namespace

struct finisher::batch {
  explicit batch(std::size_t n) { jobs.reserve(n); }  // the lists below point into jobs

  std::vector<job> jobs;
  std::vector<storage::claim> cancelled;
  std::vector<const job*> cancelled_jobs;
  std::vector<const job*> not_modified_jobs;
  std::vector<storage::not_modified_finish> not_modified;
  std::vector<const job*> failed_jobs;
  std::vector<failure> failures;
  std::vector<storage::failed_finish> failed;
  std::vector<const job*> fetched_jobs;
  std::deque<feed> parsed;  // a deque: fetched points into it
  std::vector<storage::fetched_finish> fetched;

  void add_failure(const job& j, failure f, std::chrono::seconds next) {
    failed_jobs.push_back(&j);
    failed.push_back({&j.claim, f.status, f.error, next, f.gone});
    failures.push_back(std::move(f));
  }
};

void finisher::finish_batch(const std::vector<fetched>& results, const schedule_limits& limits) {
  if (results.size() == 1) return finish(results.front(), limits);
  batch b(results.size());
  for (const auto& r : results) {
    b.jobs.push_back(job{r.claim, r.response, parsers::redact_url(r.claim.url), limits});
    sort_into(b, b.jobs.back());
  }
  if (!b.cancelled.empty()) {
    database_(
        "release",
        [](storage::database& db, const std::vector<storage::claim>& claims) { return storage::release(db, claims); },
        b.cancelled);
    counters_.released += b.cancelled.size();
    for (const auto* j : b.cancelled_jobs) log_.info("fetch_cancelled", {{"feed", j->claim.feed_id}, {"url", j->url}});
  }
  batch_not_modified(b);
  batch_fetched(b);
  batch_failed(b);
}

// Parses what came with a document (parse cost is per feed whatever the
// batching) and files each result under its outcome. An adaptive 304 reads
// its feed's arrivals first, one by one: it is finished here.
void finisher::sort_into(batch& b, const job& j) {
  const auto& r = j.response;
  switch (r.what) {
    case outcome::cancelled:
      b.cancelled.push_back(j.claim);
      b.cancelled_jobs.push_back(&j);
      return;
    case outcome::not_modified:
      if (j.limits.adaptive && !j.claim.interval) return not_modified(j);
      b.not_modified_jobs.push_back(&j);
      b.not_modified.push_back({&j.claim, meta_of(j), next_check_of(j, std::nullopt, j.claim.skip).next_in});
      return;
    case outcome::ok: {
      auto parsed = parse(j);
      if (!parsed) {
        const failure f{r.status, parsed.error(), std::nullopt, false};
        return b.add_failure(j, f, next_after(j, f));
      }
      const feed& kept = b.parsed.emplace_back(std::move(*parsed));
      b.fetched_jobs.push_back(&j);
      b.fetched.push_back({&j.claim, &kept, meta_of(j), next_check_of(j, kept.ttl, kept.skip)});
      return;
    }
    case outcome::http_error:
    case outcome::failed: break;
  }
  const failure f{r.status != 0 ? std::optional<int>(r.status) : std::nullopt, r.error, r.retry_after, is_gone(r)};
  b.add_failure(j, f, next_after(j, f));
}

void finisher::batch_not_modified(batch& b) {
  if (b.not_modified.empty()) return;
  auto done = database_("finish", storage::finish_not_modified_batch, b.not_modified);
  if (!done && refused(done.error())) {
    for (const auto* j : b.not_modified_jobs) not_modified(*j);
    return;
  }
  for (std::size_t i = 0; i < b.not_modified.size(); ++i) {
    not_modified_done(*b.not_modified_jobs[i], b.not_modified[i].meta, done ? &(*done)[i] : nullptr);
  }
}

void finisher::batch_failed(batch& b) {
  if (b.failed.empty()) return;
  auto done = database_("finish", storage::finish_failed_batch, b.failed);
  if (!done && refused(done.error())) {
    for (std::size_t i = 0; i < b.failed.size(); ++i) failed(*b.failed_jobs[i], b.failures[i]);
    return;
  }
  for (std::size_t i = 0; i < b.failed.size(); ++i) {
    failed_done(*b.failed_jobs[i], b.failures[i], b.failed[i].next_in, done ? &(*done)[i] : nullptr);
  }
}

// One transaction for every feed that brought a document. Should the
// database refuse it (one feed's entry breaks a constraint), it is rolled
// back whole and each feed is stored on its own, as finish() would: the bad
// one is marked failing, the others stored.
void finisher::batch_fetched(batch& b) {
  if (b.fetched.empty()) return;
  auto done = database_("store", storage::finish_fetched_batch, b.fetched);
  if (!done && refused(done.error())) {
    log_.debug("store_batch_split", {{"feeds", b.fetched.size()}, {"error", done.error().message}});
    for (std::size_t i = 0; i < b.fetched.size(); ++i) store_parsed(*b.fetched_jobs[i], *b.fetched[i].parsed);
    return;
  }
  if (!done) return;  // given up on while stopping; the feeds stay leased and are fetched again
  for (std::size_t i = 0; i < b.fetched.size(); ++i) {
    fetched_done(*b.fetched_jobs[i], *b.fetched[i].parsed, b.fetched[i].meta, (*done)[i]);
  }
}

}  // namespace feedd::daemon
