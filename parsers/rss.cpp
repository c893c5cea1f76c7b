#include "rss.hpp"

#include <optional>
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

// Which element wins a field that several feed (RSS, Dublin Core, Atom,
// iTunes, Media RSS), best first; the first non-blank one of the best rank
// present wins, whatever the document order.
enum class title_rank { rss, dublin_core, media, media_group };
enum class link_rank { feedburner_original, rss, atom_alternate, permalink_guid };
enum class guid_rank { rss };
enum class summary_rank { rss, dublin_core, itunes, media, media_group };
enum class content_rank { content_encoded, atom, xhtml_body, fullitem };
enum class author_rank { rss, dc_creator, dc_author, atom, itunes };
enum class published_rank { rss, dc_date, atom, dcterms_issued, dcterms_created };
enum class updated_rank { atom, dcterms_modified };
enum class site_rank { rss, atom_alternate };

// A summary or content candidate; its base is computed once, for the
// winner.
struct body_candidate {
  std::string_view value;
  pugi::xml_node node;
};

std::string_view text_of_candidate(std::string_view value) { return value; }
std::string_view text_of_candidate(const raw_url& url) { return url.value; }
std::string_view text_of_candidate(const body_candidate& body) { return body.value; }

template <class Rank, class Value = std::string_view>
struct ranked {
  Value value{};
  std::optional<Rank> rank;

  void offer(Rank candidate_rank, const Value& candidate) {
    if ((rank && candidate_rank >= *rank) || ascii::is_blank(text_of_candidate(candidate))) return;
    value = candidate;
    rank = candidate_rank;
  }
};

template <class Rank>
raw_body take_body(const ranked<Rank, body_candidate>& body, const xml_scope& scope) {
  const auto& [value, node] = body.value;
  return {value, node ? scope.base_of(node) : std::string_view{}, true};
}

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
    entry.summary = take_body(summary_, scope_);
    entry.content = take_body(content_, scope_);
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
    if (guid_is_permalink_ && starts_with_http(guid_.value)) {
      url_.offer(link_rank::permalink_guid, {guid_.value, scope_.base_of(item_)});
    }
    entry.url = url_.value;
    entry.guid = guid_.value;
    return entry;
  }

 private:
  raw_url url_of(pugi::xml_node node, std::string_view value) const { return {value, scope_.base_of(node)}; }

  std::string_view text(pugi::xml_node node) { return text_view(node, store_); }
  body_candidate markup(pugi::xml_node node) { return {markup_view(node, scope_, store_), node}; }

  void add_category(std::string_view term) {
    if (categories_.size() < max_raw_list) categories_.emplace_back(term);
  }

  // In the order of the tests, which is that of the fields: each reader
  // says whether the element was one of its own.
  void read_field(pugi::xml_node node, const expanded_name& n) {
    if (read_title_link_or_guid(node, n) || read_body(node, n) || read_author_or_date(node, n) ||
        read_list(node, n)) {
      return;
    }
    read_media(node, n, false);
  }

  bool read_title_link_or_guid(pugi::xml_node node, const expanded_name& n) {
    if (rss_.is(n, "title")) {
      title_.offer(title_rank::rss, text(node));
    } else if (n.is(known_ns::dc, "title")) {
      title_.offer(title_rank::dublin_core, text(node));
    } else if (n.is(known_ns::feedburner, "origLink")) {
      // FeedBurner rewrites <link> to its click tracker and keeps the real
      // address here.
      url_.offer(link_rank::feedburner_original, url_of(node, text(node)));
    } else if (rss_.is(n, "link")) {
      url_.offer(link_rank::rss, url_of(node, text(node)));
    } else if (n.is(known_ns::atom10, "link")) {
      if (is_alternate_link(node)) url_.offer(link_rank::atom_alternate, url_of(node, attribute(node, "href")));
    } else if (rss_.is(n, "guid")) {
      if (guid_.rank) return true;  // the first guid is the one
      guid_.offer(guid_rank::rss, text(node));
      if (guid_.rank) guid_is_permalink_ = attribute(node, "isPermaLink") != "false";
    } else {
      return false;
    }
    return true;
  }

  bool read_body(pugi::xml_node node, const expanded_name& n) {
    if (rss_.is(n, "description")) {
      summary_.offer(summary_rank::rss, markup(node));
    } else if (n.is(known_ns::dc, "description")) {
      summary_.offer(summary_rank::dublin_core, markup(node));
    } else if (n.is(known_ns::itunes, "summary")) {
      summary_.offer(summary_rank::itunes, markup(node));
    } else if (n.is(known_ns::content, "encoded")) {
      content_.offer(content_rank::content_encoded, markup(node));
    } else if (n.is(known_ns::atom10, "content")) {
      content_.offer(content_rank::atom, markup(node));
    } else if (rss_.is(n, "body") || n.is(known_ns::xhtml, "body")) {
      // The XHTML body module (feedparser reads it too), and <body> by
      // feeds that forget its namespace.
      content_.offer(content_rank::xhtml_body, {store_.keep(html_markup(node, scope_)), node});
    } else if (rss_.is(n, "fullitem")) {
      content_.offer(content_rank::fullitem, markup(node));  // Radio UserLand's escaped full text
    } else {
      return false;
    }
    return true;
  }

  bool read_author_or_date(pugi::xml_node node, const expanded_name& n) {
    if (rss_.is(n, "author")) {
      author_.offer(author_rank::rss, text(node));
    } else if (n.is(known_ns::dc, "creator")) {
      author_.offer(author_rank::dc_creator, text(node));
    } else if (n.is(known_ns::dc, "author")) {
      author_.offer(author_rank::dc_author, text(node));  // not Dublin Core, but common
    } else if (n.is(known_ns::atom10, "author")) {
      if (const auto name = scope_.child(node, ns::atom10, "name")) author_.offer(author_rank::atom, text(name));
    } else if (n.is(known_ns::itunes, "author")) {
      author_.offer(author_rank::itunes, text(node));
    } else if (rss_.is(n, "pubDate")) {
      published_.offer(published_rank::rss, text(node));
    } else if (n.is(known_ns::dc, "date")) {
      published_.offer(published_rank::dc_date, text(node));
    } else if (n.is(known_ns::atom10, "published")) {
      published_.offer(published_rank::atom, text(node));
    } else if (n.is(known_ns::dcterms, "issued")) {
      published_.offer(published_rank::dcterms_issued, text(node));
    } else if (n.is(known_ns::dcterms, "created")) {
      published_.offer(published_rank::dcterms_created, text(node));
    } else if (n.is(known_ns::atom10, "updated")) {
      updated_.offer(updated_rank::atom, text(node));
    } else if (n.is(known_ns::dcterms, "modified")) {
      updated_.offer(updated_rank::dcterms_modified, text(node));
    } else {
      return false;
    }
    return true;
  }

  // Categories and enclosures, which an item may have many of.
  bool read_list(pugi::xml_node node, const expanded_name& n) {
    if (rss_.is(n, "category") || n.is(known_ns::dc, "subject")) {
      add_category(text(node));
    } else if (n.is(known_ns::atom10, "category")) {
      add_category(attribute(node, "term"));
    } else if (n.is(known_ns::itunes, "category")) {
      // Apple's categories nest one level: <itunes:category text="Technology">
      // <itunes:category text="Gadgets"/></itunes:category>.
      add_category(attribute(node, "text"));
      for (const auto sub : node.children()) {
        if (scope_.name_of(sub).is(known_ns::itunes, "category")) add_category(attribute(sub, "text"));
      }
    } else if (n.is(known_ns::itunes, "keywords")) {
      read_keywords(text(node));
    } else if (rss_.is(n, "enclosure")) {
      if (enclosures_.size() < max_raw_list) {
        enclosures_.push_back({url_of(node, attribute(node, "url")), attribute(node, "type"),
                               attribute(node, "length")});
      }
    } else if (n.is(known_ns::media, "content")) {
      if (media_.size() < max_raw_list) media_.push_back(media_enclosure(node, scope_));
    } else if (n.is(known_ns::media, "group")) {
      read_media_group(node);
    } else {
      return false;
    }
    return true;
  }

  // Media RSS elements that stand in for core ones, directly in the item
  // or (ranked below those) in a media:group.
  void read_media(pugi::xml_node node, const expanded_name& n, bool in_group) {
    if (n.is(known_ns::media, "title")) {
      title_.offer(in_group ? title_rank::media_group : title_rank::media, text(node));
    } else if (n.is(known_ns::media, "description")) {
      summary_.offer(in_group ? summary_rank::media_group : summary_rank::media, markup(node));
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
        read_media(member, n, true);
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
  ranked<title_rank> title_;
  ranked<guid_rank> guid_;
  ranked<author_rank> author_;
  ranked<published_rank> published_;
  ranked<updated_rank> updated_;
  ranked<summary_rank, body_candidate> summary_;
  ranked<content_rank, body_candidate> content_;
  ranked<link_rank, raw_url> url_;
  bool guid_is_permalink_ = false;
  std::vector<std::string_view> categories_;
  std::vector<raw_enclosure> enclosures_;
  std::vector<raw_enclosure> media_;
};

// The texts of list's children named `item` (<skipHours><hour>...), at
// most max_raw_list of them: a list of a million <hour>s costs no memory.
void read_list(pugi::xml_node list, const rss_names& rss, std::string_view item, text_store& store,
               std::vector<std::string_view>& out) {
  for (const auto child : list.children()) {
    if (out.size() >= max_raw_list) return;
    if (child.type() == pugi::node_element && rss.is(child, item)) out.push_back(text_view(child, store));
  }
}

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
  ranked<title_rank> title;
  ranked<site_rank, raw_url> site;
  const auto names = scope.names_in(channel);
  for (const auto node : channel.children()) {
    if (node.type() != pugi::node_element) continue;
    const auto n = names.of(node);
    if (rss.is(n, "title")) {
      title.offer(title_rank::rss, text_view(node, feed.store));
    } else if (n.is(known_ns::dc, "title")) {
      title.offer(title_rank::dublin_core, text_view(node, feed.store));
    } else if (rss.is(n, "link")) {
      site.offer(site_rank::rss, {text_view(node, feed.store), scope.base_of(node)});
    } else if (n.is(known_ns::atom10, "link")) {
      // rel="self" is the feed's own address, not the site's.
      if (is_alternate_link(node)) {
        site.offer(site_rank::atom_alternate, {attribute(node, "href"), scope.base_of(node)});
      }
    } else if (rss.is(n, "ttl")) {
      feed.ttl_minutes = text_view(node, feed.store);
    } else if (rss.is(n, "skipHours")) {
      read_list(node, rss, "hour", feed.store, feed.skip_hours);
    } else if (rss.is(n, "skipDays")) {
      read_list(node, rss, "day", feed.store, feed.skip_days);
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
