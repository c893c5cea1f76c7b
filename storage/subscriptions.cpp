#include "feedd/storage/subscriptions.hpp"

#include <algorithm>

#include "session.hpp"

namespace feedd::storage {

namespace {

constexpr const char* add_subscription_sql =
    "INSERT INTO feeds (url, \"interval\", title, site_url, category, next_check_at)"
    " VALUES ($1, $2::float8 * interval '1 second', $3, $4, $5, now() + $6::float8 * interval '1 millisecond') "
    "ON CONFLICT (url) DO NOTHING RETURNING id";

constexpr const char* list_subscriptions_sql =
    "SELECT id, url, coalesce(title, ''), coalesce(site_url, ''), coalesce(category, ''),"
    " extract(epoch FROM \"interval\")::bigint FROM feeds ORDER BY id";

constexpr const char* urls_of_host_sql = "SELECT id, url FROM feeds WHERE host = $1 ORDER BY id";
constexpr const char* all_urls_sql = "SELECT id, url FROM feeds ORDER BY id";

}  // namespace

expected<subscribe_result, db_error> add_subscription(database& db, const subscription& s,
                                                      std::chrono::milliseconds due_in) {
  pq::params p;
  p.text(s.url);
  if (s.interval) {
    p.integer(s.interval->count());
  } else {
    p.null();
  }
  p.text_or_null(s.title).text_or_null(s.site_url).text_or_null(s.category);
  p.integer(std::max<std::int64_t>(due_in.count(), 0));
  auto r = db.internals().exec("add feed", add_subscription_sql, p);
  if (!r) return unexpected{r.error()};
  // ON CONFLICT DO NOTHING returns no row for a URL already there.
  if (pq::rows(r->get()) == 0) return subscribe_result{true, 0};
  return subscribe_result{false, pq::integer(r->get(), 0, 0)};
}

expected<std::vector<subscription>, db_error> list_subscriptions(database& db) {
  auto r = db.internals().exec("list subscriptions", list_subscriptions_sql);
  if (!r) return unexpected{r.error()};
  std::vector<subscription> out;
  for (int row = 0; row < pq::rows(r->get()); ++row) {
    subscription s;
    s.id = pq::integer(r->get(), row, 0);
    s.url = pq::text(r->get(), row, 1);
    s.title = pq::text(r->get(), row, 2);
    s.site_url = pq::text(r->get(), row, 3);
    s.category = pq::text(r->get(), row, 4);
    if (auto seconds = pq::optional_integer(r->get(), row, 5)) s.interval = std::chrono::seconds(*seconds);
    out.push_back(std::move(s));
  }
  return out;
}

expected<std::vector<stored_url>, db_error> stored_urls(database& db, std::string_view host_key) {
  pq::params p;
  if (!host_key.empty()) p.text(std::string(host_key));
  auto r = host_key.empty() ? db.internals().exec("list feed urls", all_urls_sql)
                            : db.internals().exec("list feed urls", urls_of_host_sql, p);
  if (!r) return unexpected{r.error()};
  std::vector<stored_url> out;
  out.reserve(static_cast<std::size_t>(pq::rows(r->get())));
  for (int row = 0; row < pq::rows(r->get()); ++row) {
    out.push_back(stored_url{pq::integer(r->get(), row, 0), std::string(pq::text(r->get(), row, 1))});
  }
  return out;
}

}  // namespace feedd::storage
