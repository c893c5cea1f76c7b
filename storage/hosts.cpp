#include "feedd/storage/hosts.hpp"

#include <algorithm>
#include <string>

#include "session.hpp"

namespace feedd::storage {

namespace {

// The host has a row once any of its feeds was enabled; the bound now() is
// a safe one for a row created here (it only makes a claim look).
constexpr const char* pause_host_sql =
    "INSERT INTO feed_hosts AS h (host, next_due_at, paused_until) "
    "VALUES ($1, now(), now() + $2::float8 * interval '1 second') "
    "ON CONFLICT (host) DO UPDATE SET paused_until = greatest(h.paused_until, excluded.paused_until)";

}  // namespace

expected<void, db_error> pause_host(database& db, std::string_view host, std::chrono::seconds pause) {
  pq::params p;
  p.text(std::string(host)).integer(std::max<std::int64_t>(pause.count(), 0));
  auto r = db.internals().exec("pause host", pause_host_sql, p);
  if (!r) return unexpected{r.error()};
  return {};
}

}  // namespace feedd::storage
