#include "atom.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "ascii.hpp"
#include "sanitize.hpp"
#include "xhtml.hpp"
#include "xml.hpp"
#include "xml_scope.hpp"
#include "xml_text.hpp"

namespace feedd::parsers::detail {
namespace {

struct atom_reader {
  const xml_scope& scope;
  std::string_view uri;  // Atom 1.0, 0.3, or none for a feed without xmlns
  bool draft = false;    // Atom 0.3
  text_store& store;

  bool is_atom(pugi::xml_node node, std::string_view local) const { return scope.is(node, uri, local); }

  // An author's name, or its e-mail address when it gives no name (RFC
  // 4287 §3.2 makes the name mandatory; feeds omit it); nothing when it has
  // neither, and the next author is asked.
  std::optional<std::string_view> author_from(pugi::xml_node author) const {
    if (const auto name = text(scope.child(author, uri, "name")); !ascii::is_blank(name)) return name;
    if (const auto email = scope.child(author, uri, "email")) return text(email);
    return std::nullopt;
  }

  std::string_view author_of(pugi::xml_node parent) const {
    for (const auto author : parent.children()) {
      if (!is_atom(author, "author")) continue;
      if (const auto found = author_from(author)) return *found;
    }
    return {};
  }

  // RFC 4287 §4.2.7.1 puts the URL in href; early feeds (and Atom 0.3
  // drafts) wrote it as the element's text.
  raw_url link_of(pugi::xml_node link) const {
    const auto href = link.attribute("href");
    return {href ? std::string_view{href.value()} : text(link), scope.base_of(link)};
  }

  // An Atom 1.0 text construct (RFC 4287, 3.1) or content (4.1.3), or an
  // Atom 0.3 content construct with its mode; html is stored as the markup.
  std::string_view construct(pugi::xml_node node) const {
    const auto type = attribute(node, "type");
    if (draft) return draft_construct(node, type);
    if (type.empty() || type == "text" || type == "html") return escaped(node);
    if (type == "xhtml") return xhtml(node);
    if (type.ends_with("+xml") || type.ends_with("/xml")) return store.keep(html_markup(node, scope));
    if (type.starts_with("text/")) return escaped(node);
    return {};  // base64 of a binary type: nothing to show as text
  }

  // Summary and content with what the normalizer needs to know about them.
  raw_body body_of(pugi::xml_node node) const {
    const auto type = attribute(node, "type");
    const bool text = draft ? type == "text/plain" : type.empty() || type == "text" || type.starts_with("text/plain");
    return {construct(node), scope.base_of(node), !text};
  }

  // Text and html constructs hold text only (RFC 4287 §3.1.1.1-2). Markup
  // in one anyway is kept; an XHTML <div> wrapping everything was put there
  // by tools that confused html with xhtml (TypePad) and its text is the
  // (escaped) value.
  std::string_view escaped(pugi::xml_node node) const {
    if (const auto div = only_xhtml_div(node)) return markup_view(div, scope, store);
    return markup_view(node, scope, store);
  }

  std::string_view draft_construct(pugi::xml_node node, std::string_view type) const {
    const auto mode = attribute(node, "mode");
    if (mode == "escaped") return escaped(node);
    if (mode == "base64") {
      const bool textual = type.empty() || type.starts_with("text/") || type.ends_with("html") ||
                           type.ends_with("+xml") || type.ends_with("/xml");
      if (!textual) return {};
      // The only text here not taken from the (checked) document: make it
      // clean now, so that normalize may trust every field (raw_feed::clean_text).
      auto decoded = decode_base64(text(node));
      sanitize_utf8(decoded);
      return store.keep(std::move(decoded));
    }
    return xhtml(node);  // mode="xml", the 0.3 default
  }

  // The div wrapper of xhtml content is not part of the content (RFC 4287,
  // 4.1.3.3).
  std::string_view xhtml(pugi::xml_node node) const {
    if (const auto div = only_xhtml_div(node)) return store.keep(html_markup(div, scope));
    return markup_view(node, scope, store);
  }

  // The XHTML <div> that is node's only child, white space aside.
  pugi::xml_node only_xhtml_div(pugi::xml_node node) const {
    pugi::xml_node div;
    for (const auto c : node.children()) {
      if (c.type() == pugi::node_element) {
        if (div || !scope.is(c, ns::xhtml, "div")) return {};
        div = c;
      } else if (c.type() != pugi::node_pcdata || !ascii::is_blank(c.value())) {
        return {};
      }
    }
    return div;
  }

  static std::string decode_base64(std::string_view text) {
    std::string out;
    std::uint32_t bits = 0;
    int count = 0;
    for (const char c : text) {
      int value = -1;
      if (c >= 'A' && c <= 'Z') value = c - 'A';
      else if (c >= 'a' && c <= 'z') value = c - 'a' + 26;
      else if (c >= '0' && c <= '9') value = c - '0' + 52;
      else if (c == '+') value = 62;
      else if (c == '/') value = 63;
      if (value < 0) continue;  // padding and line breaks
      bits = (bits << 6) | static_cast<std::uint32_t>(value);
      count += 6;
      if (count >= 8) {
        count -= 8;
        out.push_back(static_cast<char>((bits >> count) & 0xFF));
      }
    }
    return out;
  }

  raw_title title_of(pugi::xml_node node) const {
    const auto type = attribute(node, "type");
    const bool text = draft ? (type.empty() || type == "text/plain") : (type.empty() || type == "text");
    return {construct(node), !text};
  }

  // media:description, directly or in a media:group.
  pugi::xml_node media_description_in(pugi::xml_node field, const expanded_name& name) const {
    if (name.is(known_ns::media, "description")) return field;
    if (!name.is(known_ns::media, "group")) return {};
    for (const auto member : field.children()) {
      if (scope.name_of(member).is(known_ns::media, "description")) return member;
    }
    return {};
  }

  std::string_view text(pugi::xml_node node) const { return text_view(node, store); }

  // What an entry's fields leave for after the last of them: fallbacks
  // (RFC 4287, 4.2.1's authors; Atom 0.3's created; Media RSS) and
  // whether an alternate link was found.
  struct entry_fallbacks {
    std::string_view created;
    pugi::xml_node media_description;
    pugi::xml_node source;
    std::optional<std::string_view> author;
    bool have_alternate = false;
  };

  raw_entry read_entry(pugi::xml_node node, std::string_view feed_author) const {
    raw_entry entry;
    entry_fallbacks later;
    const auto names = scope.names_in(node);
    for (const auto field : node.children()) {
      if (field.type() == pugi::node_element) read_entry_field(field, names.of(field), entry, later);
    }
    if (entry.published.empty()) entry.published = later.created;
    // Media RSS in Atom (YouTube's feeds): the description stands in for a
    // missing summary.
    if (entry.summary.value.empty() && later.media_description) {
      const auto description = later.media_description;
      entry.summary = {markup_view(description, scope, store), scope.base_of(description), true};
    }
    // RFC 4287, 4.2.1: an entry without an author inherits the source's,
    // then the feed's.
    if (later.author) entry.author = *later.author;
    if (entry.author.empty() && later.source) entry.author = author_of(later.source);
    if (entry.author.empty()) entry.author = feed_author;
    return entry;
  }

  // The first of each field wins.
  void read_entry_field(pugi::xml_node field, const expanded_name& n, raw_entry& entry, entry_fallbacks& later) const {
    if (n.is_in(uri, "id")) {
      if (entry.guid.empty()) entry.guid = text(field);
    } else if (n.is_in(uri, "title")) {
      if (entry.title.value.empty()) entry.title = title_of(field);
    } else if (n.is_in(uri, "link")) {
      read_entry_link(field, entry, later.have_alternate);
    } else if (n.is_in(uri, draft ? "issued" : "published")) {
      if (entry.published.empty()) entry.published = text(field);
    } else if (draft && n.is_in(uri, "created")) {
      if (later.created.empty()) later.created = text(field);
    } else if (n.is_in(uri, draft ? "modified" : "updated")) {
      if (entry.updated.empty()) entry.updated = text(field);
    } else if (n.is_in(uri, "category")) {
      const auto term = attribute(field, "term");
      if (entry.categories.size() < max_raw_list) {
        entry.categories.emplace_back(term.empty() ? attribute(field, "label") : term);
      }
    } else if (n.is(known_ns::dc, "subject")) {
      if (entry.categories.size() < max_raw_list) entry.categories.push_back(text(field));
    } else if (n.is_in(uri, "summary")) {
      if (entry.summary.value.empty()) entry.summary = body_of(field);
    } else if (n.is_in(uri, "content")) {
      if (entry.content.value.empty()) entry.content = body_of(field);
    } else if (n.is_in(uri, "author")) {
      if (!later.author) later.author = author_from(field);
    } else if (n.is_in(uri, "source")) {
      if (!later.source) later.source = field;
    } else if (!later.media_description) {
      later.media_description = media_description_in(field, n);
    }
  }

  // rel="enclosure" is an enclosure; the first alternate (or rel-less) link
  // with an address is the entry's.
  void read_entry_link(pugi::xml_node link, raw_entry& entry, bool& have_alternate) const {
    const auto rel = attribute(link, "rel");
    if (rel == "enclosure") {
      if (entry.enclosures.size() < max_raw_list) {
        entry.enclosures.push_back({link_of(link), attribute(link, "type"), attribute(link, "length")});
      }
    } else if ((rel.empty() || rel == "alternate") && !have_alternate) {
      entry.url = link_of(link);
      have_alternate = !entry.url.value.empty();
    }
  }
};

// The title, the alternate link and the entries of a <feed> (or of an
// entry's <source>, which has no entries).
void read_feed_children(pugi::xml_node parent, const atom_reader& atom, raw_feed& feed) {
  const auto feed_author = atom.author_of(parent);
  bool have_alternate = false;
  const auto names = atom.scope.names_in(parent);
  for (const auto node : parent.children()) {
    if (node.type() != pugi::node_element) continue;
    const auto n = names.of(node);
    if (n.is_in(atom.uri, "title")) {
      if (feed.title.value.empty()) feed.title = atom.title_of(node);
    } else if (n.is_in(atom.uri, "link")) {
      const auto rel = attribute(node, "rel");
      if ((rel.empty() || rel == "alternate") && !have_alternate) {
        feed.site_url = atom.link_of(node);
        have_alternate = !feed.site_url.value.empty();
      }
    } else if (n.is_in(atom.uri, "entry")) {
      add_entry(feed, [&] { return atom.read_entry(node, feed_author); });
    }
  }
}

}  // namespace

raw_feed read_atom(pugi::xml_node root, feed_format format, const xml_scope& scope) {
  raw_feed feed;
  feed.format = format;
  const atom_reader atom{scope, scope.namespace_uri(root), format == feed_format::atom03, feed.store};
  if (local_name(root.name()) == "entry") {
    // An entry standing alone; its <source> holds the metadata of the feed
    // it came from (RFC 4287 §4.2.11).
    feed.warnings.emplace_back("atom: an Entry Document (root <entry>, RFC 4287, 4.1.2), read as a feed of one entry");
    if (const auto source = scope.child(root, atom.uri, "source")) read_feed_children(source, atom, feed);
    add_entry(feed, [&] { return atom.read_entry(root, {}); });
    return feed;
  }
  if (atom.uri == ns::none) feed.warnings.emplace_back("atom: <feed> has no Atom namespace");
  read_feed_children(root, atom, feed);
  return feed;
}

}  // namespace feedd::parsers::detail
