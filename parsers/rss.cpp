#include "rss.hpp"

#include <limits>
#include <string>
#include <vector>

#include "ascii.hpp"
#include "authors.hpp"
#include "xhtml.hpp"
#include "xml.hpp"
#include "xml_scope.hpp"
#include "xml_text.hpp"

namespace feedd::parsers::detail {
namespace {

// RSS 2.0 elements are in no namespace; some feeds put a default namespace
// on <rss> anyway, so the root's namespace counts as RSS too.
struct rss_names {
  const xml_scope& scope;
  std::string_view uri;

  bool is(const expanded_name& name, std::string_view local) const {
    if (name.local != local) return false;
    // An undeclared prefix of unknown meaning is not RSS.
    if (name.uri.empty()) return !name.prefixed;
    return name.uri == uri;
  }

  bool is(pugi::xml_node node, std::string_view local) const { return is(scope.name_of(node), local); }
};

bool starts_with_http(std::string_view text) {
  text = ascii::trim(text);
  return ascii::starts_with_ignoring_case(text, "http://") || ascii::starts_with_ignoring_case(text, "https://");
}

bool is_alternate_link(pugi::xml_node link) {
  const auto rel = attribute(link, "rel");
  return rel.empty() || rel == "alternate";
}

// One field fed by several elements (RSS, Dublin Core, Atom, iTunes): the
// most preferred non-blank one wins, whatever the document order.
struct ranked {
  std::string_view value;
  int rank = std::numeric_limits<int>::max();

  void offer(int candidate_rank, std::string_view candidate) {
    if (candidate_rank >= rank || ascii::is_blank(candidate)) return;
    value = candidate;
    rank = candidate_rank;
  }
};

struct ranked_url {
  raw_url value;
  int rank = std::numeric_limits<int>::max();

  void offer(int candidate_rank, raw_url candidate) {
    if (candidate_rank >= rank || ascii::is_blank(candidate.value)) return;
    value = candidate;
    rank = candidate_rank;
  }
};

// A summary or content candidate; its base is computed once, for the
// winner.
struct ranked_body {
  std::string_view value;
  pugi::xml_node node;
  int rank = std::numeric_limits<int>::max();

  void offer(int candidate_rank, pugi::xml_node candidate_node, std::string_view candidate) {
    if (candidate_rank >= rank || ascii::is_blank(candidate)) return;
    value = candidate;
    node = candidate_node;
    rank = candidate_rank;
  }

  raw_body take(const xml_scope& scope) const { return {value, node ? scope.base_of(node) : std::string_view{}, true}; }
};

raw_enclosure media_enclosure(pugi::xml_node media, const xml_scope& scope) {
  return raw_enclosure{{attribute(media, "url"), scope.base_of(media)}, attribute(media, "type"),
                       attribute(media, "fileSize")};
}

class item_reader {
 public:
  item_reader(const rss_names& rss, pugi::xml_node item, text_store& store)
      : rss_(rss), scope_(rss.scope), item_(item), store_(store) {}

  raw_entry read() {
    const auto names = scope_.names_in(item_);
    for (const auto node : item_.children()) {
      if (node.type() == pugi::node_element) read_field(node, names.of(node));
    }
    raw_entry entry;
    entry.title.value = title_.value;
    entry.summary = summary_.take(scope_);
    entry.content = content_.take(scope_);
    entry.author = author_name(author_.value);
    entry.published = published_.value;
    entry.updated = updated_.value;
    entry.categories = std::move(categories_);
    entry.enclosures = std::move(enclosures_);
    // Media RSS after the enclosures, so that a media:content repeating an
    // enclosure is dropped as the duplicate.
    for (const auto& m : media_) {
      if (entry.enclosures.size() < max_raw_list) entry.enclosures.push_back(m);
    }
    // RSS 2.0: a guid is a permalink unless isPermaLink="false".
    if (guid_is_permalink_ && starts_with_http(guid_.value)) url_.offer(3, {guid_.value, scope_.base_of(item_)});
    entry.url = url_.value;
    entry.guid = guid_.value;
    return entry;
  }

 private:
  raw_url url_of(pugi::xml_node node, std::string_view value) const { return {value, scope_.base_of(node)}; }

  std::string_view text(pugi::xml_node node) { return text_view(node, store_); }
  std::string_view markup(pugi::xml_node node) { return markup_view(node, scope_, store_); }

  void add_category(std::string_view term) {
    if (categories_.size() < max_raw_list) categories_.emplace_back(term);
  }

  void read_field(pugi::xml_node node, const expanded_name& n) {
    const auto& rss = rss_;
    const auto& scope = scope_;
    if (rss.is(n, "title")) {
      title_.offer(0, text(node));
    } else if (n.is(known_ns::dc, "title")) {
      title_.offer(1, text(node));
    } else if (n.is(known_ns::feedburner, "origLink")) {
      // FeedBurner rewrites <link> to its click tracker and keeps the real
      // address here.
      url_.offer(0, url_of(node, text(node)));
    } else if (rss.is(n, "link")) {
      url_.offer(1, url_of(node, text(node)));
    } else if (n.is(known_ns::atom10, "link")) {
      if (is_alternate_link(node)) url_.offer(2, url_of(node, attribute(node, "href")));
    } else if (rss.is(n, "guid")) {
      if (guid_.rank == 0) return;
      guid_.offer(0, text(node));
      if (guid_.rank == 0) guid_is_permalink_ = attribute(node, "isPermaLink") != "false";
    } else if (rss.is(n, "description")) {
      summary_.offer(0, node, markup(node));
    } else if (n.is(known_ns::dc, "description")) {
      summary_.offer(1, node, markup(node));
    } else if (n.is(known_ns::itunes, "summary")) {
      summary_.offer(2, node, markup(node));
    } else if (n.is(known_ns::content, "encoded")) {
      content_.offer(0, node, markup(node));
    } else if (n.is(known_ns::atom10, "content")) {
      content_.offer(1, node, markup(node));
    } else if (rss.is(n, "body") || n.is(known_ns::xhtml, "body")) {
      // The XHTML body module (feedparser reads it too), and <body> by
      // feeds that forget its namespace.
      content_.offer(2, node, store_.keep(html_markup(node, scope)));
    } else if (rss.is(n, "fullitem")) {
      content_.offer(3, node, markup(node));  // Radio UserLand's escaped full text
    } else if (rss.is(n, "author")) {
      author_.offer(0, text(node));
    } else if (n.is(known_ns::dc, "creator")) {
      author_.offer(1, text(node));
    } else if (n.is(known_ns::dc, "author")) {
      author_.offer(2, text(node));  // not Dublin Core, but common
    } else if (n.is(known_ns::atom10, "author")) {
      if (const auto name = scope.child(node, ns::atom10, "name")) author_.offer(3, text(name));
    } else if (n.is(known_ns::itunes, "author")) {
      author_.offer(4, text(node));
    } else if (rss.is(n, "pubDate")) {
      published_.offer(0, text(node));
    } else if (n.is(known_ns::dc, "date")) {
      published_.offer(1, text(node));
    } else if (n.is(known_ns::atom10, "published")) {
      published_.offer(2, text(node));
    } else if (n.is(known_ns::dcterms, "issued")) {
      published_.offer(3, text(node));
    } else if (n.is(known_ns::dcterms, "created")) {
      published_.offer(4, text(node));
    } else if (n.is(known_ns::atom10, "updated")) {
      updated_.offer(0, text(node));
    } else if (n.is(known_ns::dcterms, "modified")) {
      updated_.offer(1, text(node));
    } else if (rss.is(n, "category") || n.is(known_ns::dc, "subject")) {
      add_category(text(node));
    } else if (n.is(known_ns::atom10, "category")) {
      add_category(attribute(node, "term"));
    } else if (n.is(known_ns::itunes, "category")) {
      // Apple's categories nest one level: <itunes:category text="Technology">
      // <itunes:category text="Gadgets"/></itunes:category>.
      add_category(attribute(node, "text"));
      for (const auto sub : node.children()) {
        if (scope.name_of(sub).is(known_ns::itunes, "category")) add_category(attribute(sub, "text"));
      }
    } else if (n.is(known_ns::itunes, "keywords")) {
      read_keywords(text(node));
    } else if (rss.is(n, "enclosure")) {
      if (enclosures_.size() < max_raw_list) {
        enclosures_.push_back({url_of(node, attribute(node, "url")), attribute(node, "type"),
                               attribute(node, "length")});
      }
    } else if (n.is(known_ns::media, "content")) {
      if (media_.size() < max_raw_list) media_.push_back(media_enclosure(node, scope));
    } else if (n.is(known_ns::media, "group")) {
      read_media_group(node);
    } else {
      read_media(node, n, 0);
    }
  }

  // Media RSS elements that stand in for core ones, directly in the item
  // or (ranked below those) in a media:group.
  void read_media(pugi::xml_node node, const expanded_name& n, int group_rank) {
    if (n.is(known_ns::media, "title")) {
      title_.offer(2 + group_rank, text(node));
    } else if (n.is(known_ns::media, "description")) {
      summary_.offer(3 + group_rank, node, markup(node));
    } else if (n.is(known_ns::media, "category")) {
      add_category(text(node));
    }
  }

  void read_media_group(pugi::xml_node group) {
    for (const auto member : group.children()) {
      const auto n = scope_.name_of(member);
      if (n.is(known_ns::media, "content")) {
        if (media_.size() < max_raw_list) media_.push_back(media_enclosure(member, scope_));
      } else {
        read_media(member, n, 1);
      }
    }
  }

  // iTunes keywords are one comma-separated list.
  void read_keywords(std::string_view list) {
    while (!list.empty()) {
      const auto comma = list.find(',');
      const auto keyword = list.substr(0, comma);
      if (!ascii::is_blank(keyword)) add_category(keyword);
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }

  const rss_names& rss_;
  const xml_scope& scope_;
  pugi::xml_node item_;
  text_store& store_;
  ranked title_, guid_, author_, published_, updated_;
  ranked_body summary_, content_;
  ranked_url url_;
  bool guid_is_permalink_ = false;
  std::vector<std::string_view> categories_;
  std::vector<raw_enclosure> enclosures_;
  std::vector<raw_enclosure> media_;
};

}  // namespace

raw_feed read_rss(pugi::xml_node root, feed_format format, const xml_scope& scope) {
  raw_feed feed;
  feed.format = format;
  const rss_names rss{scope, scope.namespace_uri(root)};
  pugi::xml_node channel;
  for (const auto node : root.children()) {
    if (rss.is(node, "channel")) {
      channel = node;
      break;
    }
  }
  if (!channel) feed.warnings.emplace_back("rss: no <channel> element");
  ranked title;
  ranked_url site;
  const auto names = scope.names_in(channel);
  for (const auto node : channel.children()) {
    if (node.type() != pugi::node_element) continue;
    const auto n = names.of(node);
    if (rss.is(n, "title")) {
      title.offer(0, text_view(node, feed.store));
    } else if (n.is(known_ns::dc, "title")) {
      title.offer(1, text_view(node, feed.store));
    } else if (rss.is(n, "link")) {
      site.offer(0, {text_view(node, feed.store), scope.base_of(node)});
    } else if (n.is(known_ns::atom10, "link")) {
      // rel="self" is the feed's own address, not the site's.
      if (is_alternate_link(node)) site.offer(1, {attribute(node, "href"), scope.base_of(node)});
    } else if (rss.is(n, "ttl")) {
      feed.ttl_minutes = text_view(node, feed.store);
    } else if (n.is(known_ns::sy, "updatePeriod")) {
      feed.update_period = text_view(node, feed.store);
    } else if (n.is(known_ns::sy, "updateFrequency")) {
      feed.update_frequency = text_view(node, feed.store);
    } else if (rss.is(n, "item")) {
      add_entry(feed, [&] { return item_reader{rss, node, feed.store}.read(); });
    }
  }
  feed.title.value = title.value;
  feed.site_url = site.value;
  // RSS 0.91 feeds in the wild sometimes put items beside the channel.
  for (const auto node : root.children()) {
    if (rss.is(node, "item")) add_entry(feed, [&] { return item_reader{rss, node, feed.store}.read(); });
  }
  return feed;
}

}  // namespace feedd::parsers::detail
