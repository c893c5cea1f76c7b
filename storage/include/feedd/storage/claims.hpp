#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "feedd/expected.hpp"
#include "feedd/model.hpp"
#include "feedd/storage/database.hpp"

namespace feedd::storage {

// A feed this instance holds a lease on. The lease token is the epoch that
// every finishing statement checks: if another instance took the feed after
// our lease expired, our late result changes nothing (0 rows -> rollback).
struct claim {
  std::int64_t feed_id = 0;
  std::int64_t lease_token = 0;
  std::string url;
  std::string etag;
  std::string last_modified;
  std::optional<std::chrono::seconds> interval;  // per-feed override
  int error_count = 0;
  // feeds.host: "host:port" as per-host limits count it (the daemon's
  // host_key of url), "" when url is not an absolute http(s) URL.
  std::string host;
  // The publisher's skipHours/skipDays as of the last 200 (feeds.skip_hours,
  // feeds.skip_days): a 304 carries no document to read them from.
  skip_hints skip;
};

struct claim_request {
  int limit = 0;     // claims in all
  int per_host = 0;  // claims this instance may hold on one host at once
  std::chrono::seconds lease{300};
  std::string owner;  // claimed_by, e.g. "hostname:pid"
};

// Claims due feeds (next_check_at <= now(), not disabled, no live lease,
// host not paused) in one statement, at most request.limit in all and at
// most request.per_host - outstanding[host] from one host: `outstanding` is
// what this instance already holds per host (claims handed to the fetch
// side and not yet finished), keyed like claim::host. Hosts are taken in
// the order they became due, each host's feeds oldest first, so that one
// host with thousands of due feeds gets its share and the hosts behind it
// get theirs in the same batch. Feeds of host "" (URLs that cannot be
// fetched, to be disabled at once) are not capped. Rows not claimed are
// not written. Returned oldest first. Lease arithmetic uses the server's
// now(), never this machine's clock. One transaction: the claiming
// statement, and when it came upon hosts with nothing due any more, a
// second that moves their feed_hosts bound forward (host_claims.cpp).
//
// A short batch means nothing more is claimable now *for this caller*:
// hosts at their cap may have more due feeds, claimable after a finish.
expected<std::vector<claim>, db_error> claim_due(database& db, const claim_request& request,
                                                 const std::map<std::string, int>& outstanding = {});

// Renews the lease of claims still queued on the fetch side (a busy or
// paused host) to `lease` from now, so that no claim waits out its lease
// (another instance would take the feed, RELIABILITY C7). One statement.
// Returns the feed ids still held; the others were taken over (another
// token) or finished, and must be dropped unfetched.
expected<std::vector<std::int64_t>, db_error> extend_leases(database& db, const std::vector<claim>& claims,
                                                            std::chrono::seconds lease);

// Gives the feed back untouched (cancelled fetch at shutdown): it stays due.
expected<void, db_error> release(database& db, const claim& c);
// The same for many claims in one statement, e.g. the queue of a host that
// was just paused. Claims no longer held (another token) are left alone.
expected<void, db_error> release(database& db, const std::vector<claim>& claims);

// Seconds until the earliest feed can be claimed (0 if one can now: due, no
// live lease, host not paused), nullopt when there are no enabled feeds.
// Index-driven: reads feed_hosts and the feeds of hosts due now.
expected<std::optional<std::chrono::seconds>, db_error> next_due_in(database& db);

struct http_meta {
  int status = 200;
  std::string etag;           // from the response; empty: keep none
  std::string last_modified;  // from the response; empty: keep none
  std::string final_url;      // after redirects (for logs)
  // final_url when 301 and 308 redirects alone led there, else empty: the
  // feed has moved once two fetches in a row say so (RELIABILITY S3).
  std::string moved_to;
};

struct store_stats {
  int inserted = 0;
  int updated = 0;
  int unchanged = 0;
  bool lease_lost = false;  // nothing was written: another instance owns the feed now
  // A retry found this claim already finished: the first attempt's COMMIT
  // landed although its answer was lost. Nothing was written twice (counts
  // are zero); treat it as success.
  bool already_finished = false;
  bool disabled = false;  // finish_failed: the feed is gone for good and is no longer claimed
  // A second fetch in a row was led to meta.moved_to: the feed's URL is
  // now that (moved), or stays because another feed has it (move_refused).
  bool moved = false;
  bool move_refused = false;
};

// A feed that is gone (finish_failed) for this long is disabled (RELIABILITY
// S9, N4): it is not polled again until enable_feed (feeds.hpp, `feedd feeds
// enable`) turns it back on.
inline constexpr std::chrono::days disable_gone_after{30};

// When a feed's fetches brought it new entries: the distinct first_seen_at
// of its newest entries, newest first, at most arrivals_kept of them, and
// the server's now(), the first_seen_at this finish's new entries get.
struct arrivals {
  timestamp now;
  std::vector<timestamp> times;
};
inline constexpr int arrivals_kept = 16;

// How a finish sets next_check_at: now() + next_in; or, when adapt is set,
// now() + adapt(arrivals) with the feed's arrivals as of this finish (its
// new entries included), read in the finish's transaction by one index
// scan more (entries_feed_first_seen_idx, at most arrivals_kept probes).
struct next_check {
  std::chrono::seconds next_in{0};
  std::function<std::chrono::seconds(const arrivals&)> adapt;
};

// One transaction: upsert every entry (one multi-row statement; an entry whose
// stored fields are identical is not rewritten), replace the enclosures of
// inserted/updated entries, set title/site_url/etag/last_modified, last_status,
// last_checked_at = now(), error_count = 0, last_error = NULL,
// skip_hours/skip_days from parsed.skip, next_check_at = now() + next_in
// (or as `next` says), and clear the lease -- all guarded by the lease token.
expected<store_stats, db_error> finish_fetched(database& db, const claim& c, const feed& parsed,
                                               const http_meta& meta, const next_check& next);
inline expected<store_stats, db_error> finish_fetched(database& db, const claim& c, const feed& parsed,
                                                      const http_meta& meta, std::chrono::seconds next_in) {
  return finish_fetched(db, c, parsed, meta, next_check{next_in, {}});
}

// 304: no entry touched; bookkeeping as above (etag/last_modified updated when
// the response carried new ones). Both successes remember meta.moved_to, and
// move the feed there when the previous fetch was led to the same URL and no
// other feed has it.
expected<store_stats, db_error> finish_not_modified(database& db, const claim& c, const http_meta& meta,
                                                    const next_check& next);
inline expected<store_stats, db_error> finish_not_modified(database& db, const claim& c, const http_meta& meta,
                                                           std::chrono::seconds next_in) {
  return finish_not_modified(db, c, meta, next_check{next_in, {}});
}

// Failure: last_status (nullopt for network errors), last_error, error_count
// + 1, last_checked_at = now(), next_check_at = now() + next_in, lease cleared.
// `gone` (the caller's verdict: the feed is not there any more, RELIABILITY
// S9, N4) starts or continues gone_since, anything else clears it; the feed
// is disabled once gone_since is disable_gone_after old.
expected<store_stats, db_error> finish_failed(database& db, const claim& c, std::optional<int> status,
                                              std::string_view error, std::chrono::seconds next_in, bool gone);

// A claimed feed whose URL can never be fetched (RELIABILITY G9: a row
// written by hand or by another tool with a file:, exec: or relative URL;
// `feeds add` refuses those): disabled at once with `error` as last_error,
// error_count + 1, last_status NULL, lease cleared. enable_feed turns it back
// on, to be disabled again at its next claim unless its URL was corrected.
expected<store_stats, db_error> disable_unfetchable(database& db, const claim& c, std::string_view error);

}  // namespace feedd::storage
