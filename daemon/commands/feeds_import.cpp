// feeds import and feeds export: OPML in and out, keeping title, htmlUrl,
// folder and interval (README "Managing feeds").
#include <algorithm>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <unordered_set>

#include "app.hpp"
#include "feed_output.hpp"
#include "discovery.hpp"
#include "first_checks.hpp"
#include "import_progress.hpp"
#include "feedd/parsers/discovery.hpp"
#include "feedd/parsers/opml.hpp"
#include "feedd/parsers/url.hpp"
#include "feedd/storage/subscriptions.hpp"

namespace feedd::daemon {
namespace {

// Pages fetched at once by an import: enough to hide latency, few enough
// for any one site and for the machine running the command.
constexpr std::size_t discovery_concurrency = 16;

// The first checks of what an import adds are spread (first_checks.hpp),
// in the order of the file, each at a random point of its own slot.
class first_check_spreader {
 public:
  first_check_spreader(const config::schedule_settings& s, std::size_t count)
      : window_(first_check_window(s, count)), count_(count) {}
  std::chrono::milliseconds next() { return first_check_offset(window_, index_++, count_, unit_(random_)); }
  std::chrono::milliseconds window() const { return window_; }

 private:
  std::chrono::milliseconds window_;
  std::size_t count_;
  std::size_t index_ = 0;
  std::mt19937_64 random_{std::random_device{}()};
  std::uniform_real_distribution<double> unit_{0.0, 1.0};
};

// One outline on its way in; `refusal` set: it stays out, and why.
struct import_item {
  storage::subscription feed;
  std::string written;  // the URL as the file has it, for messages
  std::string refusal;
};

std::optional<std::chrono::seconds> interval_of(const parsers::opml_outline& o) {
  if (o.interval.empty()) return std::nullopt;
  auto d = config::parse_duration(o.interval);
  if (d && d->count() >= 1000) return std::chrono::duration_cast<std::chrono::seconds>(*d);
  std::cerr << "feeds import: " << shown_url(o.xml_url) << ": feedd:interval \"" << config::printable(o.interval)
            << "\" is not a duration of at least 1s; schedule.interval applies\n";
  return std::nullopt;
}

std::vector<import_item> items_of(const std::vector<parsers::opml_outline>& outlines) {
  std::vector<import_item> items;
  items.reserve(outlines.size());
  for (const auto& o : outlines) {
    import_item item{{0, o.xml_url, o.title, o.html_url, o.category, interval_of(o)}, o.xml_url, {}};
    if (auto url = parsers::normalize_feed_url(o.xml_url)) {
      item.feed.url = std::move(*url);
    } else {
      item.refusal = "not an absolute http or https URL";
    }
    items.push_back(std::move(item));
  }
  return items;
}

// Every stored URL in its normalized form: what "already present" means.
expected<std::unordered_set<std::string>, int> stored_set(storage::database& db) {
  auto rows = storage::stored_urls(db);
  if (!rows) {
    std::cerr << rows.error().message << '\n';
    return unexpected{exit_failure};
  }
  std::unordered_set<std::string> out;
  for (const auto& row : *rows) out.insert(parsers::normalize_feed_url(row.url).value_or(row.url));
  return out;
}

// Fetches each outline not present yet: a feed stays, a page gives way to
// the first feed it names, anything else is refused with the reason.
int check_items(const context& ctx, std::vector<import_item>& items, const std::unordered_set<std::string>& stored) {
  std::vector<std::size_t> which;
  std::vector<std::string> urls;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!items[i].refusal.empty() || stored.contains(items[i].feed.url)) continue;
    which.push_back(i);
    urls.push_back(items[i].feed.url);
  }
  import_progress progress(static_cast<std::int64_t>(urls.size()));
  std::int64_t done = 0, refused = 0;
  auto found = discover_feeds(ctx.settings.fetch, urls, discovery_concurrency, [&](std::size_t, const discovery& d) {
    refused += d.feeds.empty() ? 1 : 0;
    progress.step(++done, refused);
  });
  if (!found) {
    std::cerr << "config: " << found.error() << '\n';
    return exit_config;
  }
  for (std::size_t k = 0; k < which.size(); ++k) {
    auto& item = items[which[k]];
    auto& d = (*found)[k];
    if (d.feeds.empty()) {
      item.refusal = d.refusal;
      continue;
    }
    auto& first = d.feeds.front();
    if (auto url = parsers::normalize_feed_url(first.url)) item.feed.url = std::move(*url);
    if (item.feed.title.empty()) item.feed.title = first.title;
    if (item.feed.site_url.empty()) item.feed.site_url = first.site_url;
  }
  return exit_ok;
}

struct import_counts {
  int added = 0, present = 0, refused = 0;
};

void report_refusal(const import_item& item, import_counts& counts) {
  ++counts.refused;
  std::cerr << "feeds import: refused " << shown_url(item.written) << ": " << config::printable(item.refusal) << '\n';
}

// In file order, so that the spread of first checks follows it.
expected<import_counts, int> store_items(const context& ctx, storage::database& db, std::vector<import_item>& items,
                                         std::unordered_set<std::string>& seen) {
  import_counts counts;
  std::size_t to_add = 0;
  for (const auto& item : items) to_add += item.refusal.empty() && !seen.contains(item.feed.url) ? 1 : 0;
  first_check_spreader spread(ctx.settings.schedule, to_add);
  // Refused already (not http(s), no feed): said before the live line starts.
  for (const auto& item : items) {
    if (!item.refusal.empty()) report_refusal(item, counts);
  }
  const auto total = std::count_if(items.begin(), items.end(), [](const import_item& i) { return i.refusal.empty(); });
  {  // the live line goes before the summary is printed
    import_progress progress(static_cast<std::int64_t>(total));
    std::int64_t done = 0, refused_here = 0;
    for (auto& item : items) {
      if (!item.refusal.empty()) continue;
      if (seen.contains(item.feed.url)) {
        ++counts.present;
      } else {
        auto row = storage::add_subscription(db, item.feed, spread.next());
        if (!row && row.error().what != storage::db_error::kind::content) {
          std::cerr << row.error().message << '\n';
          return unexpected{exit_failure};
        }
        // A content error is this outline's data refused (an over-long URL,
        // say); the next one may go in.
        if (!row) item.refusal = row.error().message;
        if (row && row->already_exists) ++counts.present;
        if (row && !row->already_exists) ++counts.added;
        seen.insert(item.feed.url);
      }
      if (!item.refusal.empty()) {
        ++refused_here;
        report_refusal(item, counts);
      }
      progress.step(++done, refused_here);
    }
  }
  if (counts.added > 0 && spread.window().count() > 0) {
    std::cout << "imported " << counts.added << ", already present " << counts.present << ", refused "
              << counts.refused << '\n'
              << "first checks spread over " << config::format_duration(spread.window())
              << " (schedule.first_check_spread)\n";
  } else {
    std::cout << "imported " << counts.added << ", already present " << counts.present << ", refused "
              << counts.refused << '\n';
  }
  return counts;
}

}  // namespace

int run_feeds_import(const context& ctx, const std::filesystem::path& file, bool check) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) {
    std::cerr << "feeds import: cannot read " << config::printable(file.string()) << '\n';
    return exit_failure;
  }
  auto outlines = parsers::parse_opml(text.str());
  if (!outlines) {
    std::cerr << "feeds import: " << config::printable(file.string()) << ": " << outlines.error().message << '\n';
    return exit_failure;
  }
  auto items = items_of(*outlines);
  auto db = command_database(ctx);
  if (!db) return db.error();
  auto stored = stored_set(*db);
  if (!stored) return stored.error();
  if (check) {
    if (const int code = check_items(ctx, items, *stored); code != exit_ok) return code;
  }
  auto counts = store_items(ctx, *db, items, *stored);
  return counts ? exit_ok : counts.error();
}

int run_feeds_export(const context& ctx) {
  auto db = command_database(ctx);
  if (!db) return db.error();
  auto rows = storage::list_subscriptions(*db);
  if (!rows) {
    std::cerr << rows.error().message << '\n';
    return exit_failure;
  }
  std::vector<parsers::opml_outline> outlines;
  for (const auto& f : *rows) {
    outlines.push_back({f.url, f.title, f.site_url, f.category,
                        f.interval ? config::format_duration(*f.interval) : std::string()});
  }
  std::cout << parsers::write_opml(outlines, "feedd subscriptions");
  return exit_ok;
}

}  // namespace feedd::daemon
