#include "host_claims.hpp"

#include <nlohmann/json.hpp>

#include "feedd/storage/claims.hpp"
#include "session.hpp"

namespace feedd::storage {

namespace {

// The next host to look at after (due_at, host) in feed_hosts_due_idx order
// (host_after) and up to `allowance` of its claimable feeds, oldest first
// (feeds_of), locked with SKIP LOCKED so that instances claiming side by
// side never wait on each other. $1 limit, $2 per-host cap, $5 what this
// instance holds per host ({"host:port": n}); the allowance of host "" is
// the limit alone. Hosts at their cap and paused hosts are passed over
// inside the index scan.
constexpr const char* allowance_of_h =
    "CASE WHEN h.host = '' THEN $1::int ELSE $2::int - coalesce(($5::jsonb ->> h.host)::int, 0) END";

std::string host_after(const std::string& after) {
  return "SELECT h.host, h.next_due_at FROM feed_hosts h"
         " WHERE " + after + "h.next_due_at <= now() AND (h.paused_until IS NULL OR h.paused_until <= now())"
         " AND " + allowance_of_h + " > 0"
         " ORDER BY h.next_due_at, h.host LIMIT 1";
}

std::string feeds_of(const std::string& left) {
  return "SELECT array_agg(id) AS ids FROM ("
         "SELECT f.id FROM feeds f"
         " WHERE f.host = h.host AND NOT f.disabled AND f.next_check_at <= now()"
         " AND (f.lease_until IS NULL OR f.lease_until < now())"
         " ORDER BY f.next_check_at, f.id"
         " LIMIT least(" + left + ", " + allowance_of_h + ")"
         " FOR UPDATE SKIP LOCKED) x";
}

// One statement, one round trip:
//  walk     visits hosts whose next_due_at has come, in that order (the
//           longest-waiting host first), taking each one's allowance, until
//           $1 feeds are taken or no host is left: one index probe on
//           feed_hosts and one on feeds_host_due_idx per host, whatever the
//           number of due feeds. A recursive CTE so that it stops there.
//  claimed  leases what walk took, found by primary key (= ANY of an array
//           keeps the planner from hashing the whole table when it cannot
//           tell how many walk took); no other feeds row is written.
//  stale    locks the rows of visited hosts that have no due feed at all
//           (their feeds were finished, deleted or disabled): the claim
//           raises their next_due_at next (raise_bounds_sql), so that later
//           claims pass them by.
// Claims come first, oldest first; rows with a NULL id name stale hosts.
const std::string claim_sql =
    "WITH RECURSIVE walk (host, due_at, ids, got, total) AS ("
    "(SELECT h.host, h.next_due_at, c.ids, coalesce(cardinality(c.ids), 0), coalesce(cardinality(c.ids), 0)"
    " FROM (" + host_after("") + ") h"
    " CROSS JOIN LATERAL (" + feeds_of("$1::int") + ") c)"
    " UNION ALL "
    "(SELECT h.host, h.next_due_at, c.ids, coalesce(cardinality(c.ids), 0), w.total + coalesce(cardinality(c.ids), 0)"
    " FROM walk w"
    " CROSS JOIN LATERAL (" + host_after("(h.next_due_at, h.host) > (w.due_at, w.host) AND ") + ") h"
    " CROSS JOIN LATERAL (" + feeds_of("$1::int - w.total") + ") c"
    " WHERE w.total < $1::int)), "
    "claimed AS ("
    " UPDATE feeds f SET lease_until = now() + $3::float8 * interval '1 second',"
    " lease_token = nextval('feeds_lease_token_seq'), claimed_by = $4"
    " WHERE f.id = ANY (ARRAY(SELECT unnest(ids) FROM walk))"
    " RETURNING f.id, f.lease_token, f.url, f.etag, f.last_modified, f.\"interval\", f.error_count, f.host,"
    " f.next_check_at, f.skip_hours, f.skip_days), "
    "stale AS ("
    " SELECT h.host FROM feed_hosts h"
    " WHERE h.host = ANY (ARRAY(SELECT w.host FROM walk w WHERE w.got = 0 AND NOT EXISTS ("
    "SELECT 1 FROM feeds f WHERE f.host = w.host AND NOT f.disabled AND f.next_check_at <= now())))"
    " ORDER BY h.host FOR UPDATE SKIP LOCKED) "
    "SELECT id, lease_token, url, coalesce(etag, ''), coalesce(last_modified, ''),"
    " extract(epoch FROM \"interval\")::bigint, error_count, host, next_check_at, skip_hours, skip_days FROM claimed "
    "UNION ALL "
    "SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, host, NULL, NULL, NULL FROM stale "
    "ORDER BY 9 NULLS LAST, 1";

// Run after claim_sql in its transaction, on the hosts it locked: a new
// statement, so its snapshot includes every feed committed before the lock
// was taken; feedd_feed_due_sooner (migrations.cpp) takes the same lock
// before it lowers a bound. next_due_at becomes the first next_check_at of
// the host's enabled feeds (leased ones included: a lease that runs out
// makes its feed claimable again), or infinity when there is none. A host
// that has a due feed by now keeps its bound.
constexpr const char* raise_bounds_sql =
    "UPDATE feed_hosts h SET next_due_at = coalesce(m.first_due, 'infinity') "
    "FROM (SELECT s.host, (SELECT min(f.next_check_at) FROM feeds f WHERE f.host = s.host AND NOT f.disabled)"
    " AS first_due FROM unnest($1::text[]) AS s(host)) m "
    "WHERE h.host = m.host AND (m.first_due IS NULL OR m.first_due > now())";

// {"host:port": n, ...}: looked up per host by the server (jsonb ->>).
std::string outstanding_json(const std::map<std::string, int>& outstanding) {
  nlohmann::json object = nlohmann::json::object();
  for (const auto& [host, n] : outstanding) {
    if (n > 0) object[host] = n;
  }
  return object.dump();
}

}  // namespace

const std::string& host_claim_sql() { return claim_sql; }

expected<std::vector<claim>, db_error> claim_due(database& db, const claim_request& request,
                                                 const std::map<std::string, int>& outstanding) {
  constexpr std::string_view step = "claim due feeds";
  std::vector<claim> out;
  if (request.limit <= 0) return out;
  auto& state = db.internals();
  auto tx = transaction::begin(state, step);
  if (!tx) return unexpected{tx.error()};

  pq::params p;
  p.integer(request.limit).integer(request.per_host).integer(request.lease.count()).text(request.owner);
  p.text(outstanding_json(outstanding));
  auto r = state.exec(step, claim_sql.c_str(), p);
  if (!r) return unexpected{r.error()};
  const PGresult* res = r->get();
  std::vector<std::string> stale;
  for (int row = 0; row < pq::rows(res); ++row) {
    if (pq::is_null(res, row, 0)) {
      stale.emplace_back(pq::text(res, row, 7));
      continue;
    }
    claim c;
    c.feed_id = pq::integer(res, row, 0);
    c.lease_token = pq::integer(res, row, 1);
    c.url = pq::text(res, row, 2);
    c.etag = pq::text(res, row, 3);
    c.last_modified = pq::text(res, row, 4);
    if (auto seconds = pq::optional_integer(res, row, 5)) c.interval = std::chrono::seconds(*seconds);
    c.error_count = static_cast<int>(pq::integer(res, row, 6));
    c.host = pq::text(res, row, 7);
    c.skip.hours = static_cast<std::uint32_t>(pq::integer(res, row, 9));
    c.skip.days = static_cast<std::uint8_t>(pq::integer(res, row, 10));
    out.push_back(std::move(c));
  }
  if (!stale.empty()) {
    pq::params hosts;
    hosts.text(pq::text_array(stale));
    if (auto raised = state.exec(step, raise_bounds_sql, hosts); !raised) return unexpected{raised.error()};
  }
  if (auto done = tx->commit(step); !done) return unexpected{done.error()};
  return out;
}

}  // namespace feedd::storage
