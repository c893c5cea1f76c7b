#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace feedd::parsers {

// The form a feed URL is stored and compared in, so that one feed spelled
// two ways is subscribed once: scheme and host in lower case, the scheme's
// default port dropped (http 80, https 443), the fragment dropped (never
// sent to the server), an empty path made "/", and percent-encoding and dot
// segments as Boost.URL normalizes them (RFC 3986 §6.2.2). Userinfo, path
// case and the query stay: servers may tell them apart. nullopt when the
// URL is not an absolute http/https URL parse_http_url accepts.
std::optional<std::string> normalize_feed_url(std::string_view url);

// A feed an HTML page announces with <link rel="alternate" type="...">.
struct feed_link {
  std::string url;    // absolute: resolved against <base href> and the page URL
  std::string type;   // application/rss+xml, application/atom+xml, application/feed+json, application/json
  std::string title;  // the link's title attribute, may be empty
};

// The feed links of an HTML page, in document order, without repeats. A
// tolerant scan of our own rather than an XML parser: pages are rarely
// well-formed. Comments, <script> and <style> bodies are skipped.
std::vector<feed_link> find_feed_links(std::string_view html, std::string_view page_url);

// Where sites without links commonly serve their feed, resolved against
// the page URL's origin: /feed, /rss.xml, /atom.xml, /index.xml.
std::vector<std::string> fallback_feed_urls(std::string_view page_url);

}  // namespace feedd::parsers
