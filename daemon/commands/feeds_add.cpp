// feeds add: normalize the URL, fetch it once, and add the feed it is or
// the feed (or feeds) the page it is names.
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <iostream>

#include "app.hpp"
#include "feed_output.hpp"
#include "discovery.hpp"
#include "feed_urls.hpp"
#include "feedd/parsers/discovery.hpp"
#include "feedd/parsers/url.hpp"
#include "feedd/storage/subscriptions.hpp"

namespace feedd::daemon {
namespace {

expected<std::optional<std::chrono::seconds>, int> interval_of(const std::string& text) {
  if (text.empty()) return std::optional<std::chrono::seconds>{};
  auto d = config::parse_duration(text);
  if (!d || d->count() < 1000) {
    std::cerr << "feeds add: --interval: expected a duration of at least 1s such as 15m, got \""
              << config::printable(text) << "\"\n";
    return unexpected{exit_usage};
  }
  return std::optional<std::chrono::seconds>{std::chrono::duration_cast<std::chrono::seconds>(*d)};
}

// The feeds of a page, normalized, each once; those that cannot be
// fetched are left out (find_feed_links keeps http(s) only, so none should be).
std::vector<found_feed> normalized(std::vector<found_feed> feeds) {
  std::vector<found_feed> out;
  for (auto& f : feeds) {
    auto url = parsers::normalize_feed_url(f.url);
    if (!url || std::any_of(out.begin(), out.end(), [&](const found_feed& o) { return o.url == *url; })) continue;
    out.push_back({std::move(*url), std::move(f.title), std::move(f.site_url)});
  }
  return out;
}

void list_numbered(const std::vector<found_feed>& feeds, std::ostream& out) {
  for (std::size_t i = 0; i < feeds.size(); ++i) {
    out << i + 1 << '\t' << shown_url(feeds[i].url) << '\t'
        << (feeds[i].title.empty() ? "-" : config::printable(feeds[i].title)) << '\n';
  }
}

// Several feeds and no --all: a person at a terminal picks one; a script
// is told what to pass (exit 64).
expected<std::vector<found_feed>, int> choose(std::vector<found_feed> feeds, const std::string& page) {
  if (::isatty(STDIN_FILENO) == 0 || ::isatty(STDERR_FILENO) == 0) {
    list_numbered(feeds, std::cout);
    std::cerr << "feeds add: " << shown_url(page) << " names " << feeds.size()
              << " feeds; pass one of their URLs, or --all to add every one\n";
    return unexpected{exit_usage};
  }
  list_numbered(feeds, std::cerr);
  std::cerr << "add which one? [1-" << feeds.size() << "] " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  std::size_t pick = 0;
  const auto digits = answer.substr(0, answer.find_last_not_of(" \t\r") + 1);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), pick);
  if (ec != std::errc{} || end != digits.data() + digits.size()) pick = 0;
  if (pick < 1 || pick > feeds.size()) {
    std::cerr << "feeds add: no feed chosen\n";
    return unexpected{exit_usage};
  }
  return std::vector<found_feed>{std::move(feeds[pick - 1])};
}

// What the URL yields, or the exit code after saying why it yields nothing.
expected<std::vector<found_feed>, int> feeds_of(const context& ctx, const feeds_add_options& o,
                                               const std::string& url) {
  if (!o.check) return std::vector<found_feed>{{url, {}, {}}};
  auto found = discover_feeds(ctx.settings.fetch, {url}, 1);
  if (!found) {
    std::cerr << "config: " << found.error() << '\n';
    return unexpected{exit_config};
  }
  auto& d = found->front();
  if (d.feeds.empty()) {
    std::cerr << "feeds add: " << shown_url(url) << ": " << config::printable(d.refusal) << '\n';
    return unexpected{exit_failure};
  }
  auto feeds = normalized(std::move(d.feeds));
  if (feeds.size() <= 1 || o.all) return feeds;
  return choose(std::move(feeds), url);
}

// 0 added, 1 present already or refused (said on stderr).
int add_one(storage::database& db, const found_feed& f, std::optional<std::chrono::seconds> every) {
  auto present = stored_feed(db, f.url);
  if (!present) {
    std::cerr << present.error().message << '\n';
    return exit_failure;
  }
  if (*present) {
    std::cerr << "feeds add: " << shown_url(f.url) << " already exists (id " << (*present)->id << ")\n";
    return exit_failure;
  }
  auto added = storage::add_subscription(db, {0, f.url, f.title, f.site_url, {}, every}, std::chrono::milliseconds(0));
  if (!added) {
    std::cerr << "feeds add: " << shown_url(f.url) << ": " << added.error().message << '\n';
    return exit_failure;
  }
  if (added->already_exists) {
    std::cerr << "feeds add: " << shown_url(f.url) << " already exists\n";
    return exit_failure;
  }
  std::cout << added->id << '\t' << shown_url(f.url) << '\n';
  return exit_ok;
}

}  // namespace

int run_feeds_add(const context& ctx, const feeds_add_options& o) {
  auto every = interval_of(o.interval);
  if (!every) return every.error();
  const auto url = parsers::normalize_feed_url(o.url);
  if (!url) {
    std::cerr << "feeds: " << shown_url(o.url) << ": not an absolute http or https URL\n";
    return exit_usage;
  }
  auto db = command_database(ctx);
  if (!db) return db.error();
  // Before any fetch: the URL itself, in whatever spelling, may be there.
  auto present = stored_feed(*db, *url);
  if (!present) {
    std::cerr << present.error().message << '\n';
    return exit_failure;
  }
  if (*present) {
    std::cerr << "feeds add: " << shown_url(o.url) << " already exists (id " << (*present)->id << ")\n";
    return exit_failure;
  }
  auto feeds = feeds_of(ctx, o, *url);
  if (!feeds) return feeds.error();
  int code = exit_ok;
  for (const auto& f : *feeds) code = std::max(code, add_one(*db, f, *every));
  return code;
}

}  // namespace feedd::daemon
