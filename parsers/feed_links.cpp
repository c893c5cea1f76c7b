#include <algorithm>

#include "ascii.hpp"
#include "feedd/parsers/discovery.hpp"
#include "feedd/parsers/url.hpp"

namespace feedd::parsers {
namespace {

namespace ascii = detail::ascii;

struct attribute {
  std::string name;  // lower case
  std::string value;
};

struct tag {
  std::string name;  // lower case; empty for a closing tag or markup we skip
  std::vector<attribute> attributes;
  std::size_t end = std::string_view::npos;  // one past '>'
};

bool is_name_char(char c) { return ascii::is_alpha(c) || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == ':'; }

// The references hrefs and titles use; anything else stays as written
// (a URL with a stray '&' is common and must survive).
std::string decode_attribute(std::string_view raw) {
  static constexpr std::pair<std::string_view, char> refs[] = {
      {"&amp;", '&'}, {"&quot;", '"'}, {"&#39;", '\''}, {"&apos;", '\''}, {"&lt;", '<'}, {"&gt;", '>'}, {"&#38;", '&'}};
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const auto match = std::find_if(std::begin(refs), std::end(refs), [&](const auto& r) {
      return ascii::starts_with_ignoring_case(raw.substr(i), r.first);
    });
    if (raw[i] == '&' && match != std::end(refs)) {
      out += match->second;
      i += match->first.size() - 1;
    } else {
      out += raw[i];
    }
  }
  return out;
}

// The attributes of a start tag whose name ends at `at`, up to its '>'.
std::size_t read_attributes(std::string_view html, std::size_t at, std::vector<attribute>& out) {
  while (at < html.size()) {
    while (at < html.size() && (ascii::is_html_space(html[at]) || html[at] == '/')) ++at;
    if (at >= html.size() || html[at] == '>') break;
    const std::size_t name_start = at;
    while (at < html.size() && !ascii::is_html_space(html[at]) && html[at] != '=' && html[at] != '>') ++at;
    attribute a{ascii::lowered(html.substr(name_start, at - name_start)), {}};
    while (at < html.size() && ascii::is_html_space(html[at])) ++at;
    if (at < html.size() && html[at] == '=') {
      ++at;
      while (at < html.size() && ascii::is_html_space(html[at])) ++at;
      std::size_t value_start = at, value_end = at;
      if (at < html.size() && (html[at] == '"' || html[at] == '\'')) {
        const auto close = html.find(html[at], at + 1);
        value_start = at + 1;
        value_end = close == std::string_view::npos ? html.size() : close;
        at = value_end == html.size() ? value_end : value_end + 1;
      } else {
        while (at < html.size() && !ascii::is_html_space(html[at]) && html[at] != '>') ++at;
        value_end = at;
      }
      a.value = decode_attribute(html.substr(value_start, value_end - value_start));
    }
    out.push_back(std::move(a));
  }
  return at < html.size() ? at + 1 : html.size();
}

// The next start tag at or after `from`, skipping comments, declarations
// and the bodies of <script> and <style>, whose text may hold "<link".
tag next_tag(std::string_view html, std::size_t from) {
  tag t;
  auto lt = html.find('<', from);
  while (lt != std::string_view::npos) {
    if (html.substr(lt).starts_with("<!--")) {
      const auto close = html.find("-->", lt + 4);
      if (close == std::string_view::npos) return t;
      lt = html.find('<', close + 3);
      continue;
    }
    std::size_t at = lt + 1;
    while (at < html.size() && is_name_char(html[at])) ++at;
    if (at == lt + 1) {  // "</x", "<!DOCTYPE", "<?xml", a stray '<'
      lt = html.find('<', lt + 1);
      continue;
    }
    t.name = ascii::lowered(html.substr(lt + 1, at - lt - 1));
    t.end = read_attributes(html, at, t.attributes);
    if (t.name == "script" || t.name == "style") {
      const std::string close = "</" + t.name;
      auto it = std::search(html.begin() + static_cast<std::ptrdiff_t>(t.end), html.end(), close.begin(), close.end(),
                            [](char a, char b) { return ascii::lower(a) == b; });
      t.end = static_cast<std::size_t>(it - html.begin());
      t.attributes.clear();
    }
    return t;
  }
  return t;
}

std::string value_of(const tag& t, std::string_view name) {
  for (const auto& a : t.attributes) {
    if (a.name == name) return a.value;
  }
  return {};
}

bool is_alternate(std::string_view rel) {
  std::size_t at = 0;
  while (at < rel.size()) {
    while (at < rel.size() && ascii::is_html_space(rel[at])) ++at;
    std::size_t end = at;
    while (end < rel.size() && !ascii::is_html_space(rel[end])) ++end;
    if (end > at && ascii::iequals(rel.substr(at, end - at), "alternate")) return true;
    at = end;
  }
  return false;
}

// The media type without parameters, lower case, when it names a feed.
std::string feed_type(std::string_view type) {
  type = type.substr(0, type.find(';'));
  std::string t = ascii::lowered(ascii::trim(type, ascii::is_html_space));
  for (const std::string_view known : {"application/rss+xml", "application/atom+xml", "application/feed+json",
                                       "application/json"}) {
    if (t == known) return t;
  }
  return {};
}

}  // namespace

std::vector<feed_link> find_feed_links(std::string_view html, std::string_view page_url) {
  std::vector<feed_link> links;
  std::string base(page_url);
  bool base_seen = false;
  for (auto t = next_tag(html, 0); !t.name.empty() && t.end != std::string_view::npos; t = next_tag(html, t.end)) {
    if (t.name == "base" && !base_seen) {
      // Only the first <base href> counts (HTML §4.2.3), relative to the page.
      const auto href = value_of(t, "href");
      if (!href.empty()) {
        base = resolve_url(page_url, href);
        base_seen = true;
      }
      continue;
    }
    if (t.name != "link" || !is_alternate(value_of(t, "rel"))) continue;
    auto type = feed_type(value_of(t, "type"));
    const auto href = value_of(t, "href");
    if (type.empty() || ascii::trim(href, ascii::is_html_space).empty()) continue;
    auto url = resolve_url(base, href);
    if (!parse_http_url(url)) continue;
    if (std::any_of(links.begin(), links.end(), [&](const feed_link& l) { return l.url == url; })) continue;
    links.push_back({std::move(url), std::move(type), value_of(t, "title")});
  }
  return links;
}

std::vector<std::string> fallback_feed_urls(std::string_view page_url) {
  std::vector<std::string> out;
  if (!parse_http_url(page_url)) return out;
  for (const std::string_view path : {"/feed", "/rss.xml", "/atom.xml", "/index.xml"}) {
    out.push_back(resolve_url(page_url, path));
  }
  return out;
}

}  // namespace feedd::parsers
