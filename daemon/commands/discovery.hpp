#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "feedd/config/config.hpp"
#include "feedd/expected.hpp"

namespace feedd::daemon {

// A feed discovery found: the feed's URL and what it says of itself.
struct found_feed {
  std::string url;
  std::string title;
  std::string site_url;
};

// What one URL yielded: the URL itself when it is a feed; else, for an HTML
// page, the feeds its <link rel="alternate"> name, else the first of the
// common fallbacks (/feed, /rss.xml, /atom.xml, /index.xml) that is one.
// `refusal` says why nothing came out ("HTTP 404", "not a feed: ...",
// "no feed links found ..."), empty when `feeds` is not.
struct discovery {
  std::vector<found_feed> feeds;
  std::string refusal;
};

// Discovers every URL, at most `concurrency` at once, with the daemon's
// fetch settings (timeouts, address policy, proxies, TLS) on one
// io_context run by the calling thread, which also runs `each` after every
// URL (index into urls, for progress or early printing). Results in the
// order of `urls`; an error when the fetcher cannot be set up (ca_file).
expected<std::vector<discovery>, std::string> discover_feeds(
    const config::fetch_settings& settings, const std::vector<std::string>& urls, std::size_t concurrency,
    const std::function<void(std::size_t index, const discovery&)>& each = {});

}  // namespace feedd::daemon
