// feeds add and feeds import: is this URL a feed, or a page naming feeds?
#include "discovery.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>

#include "feedd/parsers/discovery.hpp"
#include "feedd/parsers/parse.hpp"
#include "fetcher.hpp"
#include "from_config.hpp"

namespace feedd::daemon {
namespace {

std::string refusal_of(const fetch_response& r) {
  if (r.what == fetch_response::outcome::http_error) return "HTTP " + std::to_string(r.status);
  return r.error.empty() ? std::string("fetch failed") : r.error;
}

// A page worth scanning for links: what servers label HTML, or what looks
// like it when the label is missing or wrong.
bool looks_like_html(const fetch_response& r) {
  if (r.content_type == "text/html" || r.content_type == "application/xhtml+xml") return true;
  const auto head = r.body.substr(0, 1024);
  for (const char* marker : {"<html", "<HTML", "<!DOCTYPE html", "<!doctype html", "<head", "<HEAD"}) {
    if (head.find(marker) != std::string::npos) return true;
  }
  return false;
}

// One URL's discovery: the page, then, when it names no feed, the
// fallbacks one after another until one is a feed.
class discovery_job : public std::enable_shared_from_this<discovery_job> {
 public:
  discovery_job(fetcher& client, std::string url, std::function<void(discovery)> done)
      : client_(client), url_(std::move(url)), done_(std::move(done)) {}

  void start() {
    client_.start({0, url_, {}, {}}, [self = shared_from_this()](fetch_response r) { self->on_page(std::move(r)); });
  }

 private:
  void on_page(fetch_response r) {
    if (r.what != fetch_response::outcome::ok) return finish({{}, refusal_of(r)});
    auto parsed = parsers::parse(r.body, {r.final_url, r.charset, r.content_type});
    if (parsed) return finish({{{url_, parsed->title, parsed->site_url}}, {}});
    if (!looks_like_html(r)) return finish({{}, "not a feed (" + parsed.error().message + ")"});
    discovery found;
    for (auto& link : parsers::find_feed_links(r.body, r.final_url)) {
      found.feeds.push_back({std::move(link.url), std::move(link.title), r.final_url});
    }
    if (!found.feeds.empty()) return finish(std::move(found));
    fallbacks_ = parsers::fallback_feed_urls(r.final_url);
    next_fallback();
  }

  void next_fallback() {
    if (next_ == fallbacks_.size()) {
      return finish({{}, "an HTML page with no feed links found, and none of /feed, /rss.xml, /atom.xml, "
                         "/index.xml is a feed"});
    }
    client_.start({0, fallbacks_[next_], {}, {}}, [self = shared_from_this()](fetch_response r) {
      self->on_fallback(std::move(r));
    });
  }

  void on_fallback(fetch_response r) {
    const auto& url = fallbacks_[next_++];
    if (r.what == fetch_response::outcome::ok) {
      if (auto parsed = parsers::parse(r.body, {r.final_url, r.charset, r.content_type})) {
        return finish({{{url, parsed->title, parsed->site_url}}, {}});
      }
    }
    next_fallback();
  }

  void finish(discovery d) { done_(std::move(d)); }

  fetcher& client_;
  std::string url_;
  std::function<void(discovery)> done_;
  std::vector<std::string> fallbacks_;
  std::size_t next_ = 0;
};

}  // namespace

expected<std::vector<discovery>, std::string> discover_feeds(
    const config::fetch_settings& settings, const std::vector<std::string>& urls, std::size_t concurrency,
    const std::function<void(std::size_t index, const discovery&)>& each) {
  std::vector<discovery> results(urls.size());
  if (urls.empty()) return results;
  boost::asio::io_context io(1);
  std::string error;
  auto client = fetcher::create(io, fetch_options_of(settings), error);
  if (!client) return unexpected{error};
  // Name lookups run on threads of their own; until every URL is done the
  // loop must not return for want of work.
  auto work = boost::asio::make_work_guard(io);
  std::size_t started = 0, finished = 0;
  std::function<void()> start_next = [&] {
    const std::size_t index = started++;
    std::make_shared<discovery_job>(*client, urls[index], [&, index](discovery d) {
      results[index] = std::move(d);
      if (each) each(index, results[index]);
      if (++finished == urls.size()) {
        work.reset();
        io.stop();  // idle keep-alive connections would hold it until they time out
        return;
      }
      if (started < urls.size()) start_next();
    })->start();
  };
  while (started < std::min(concurrency, urls.size())) start_next();
  io.run();
  return results;
}

}  // namespace feedd::daemon
