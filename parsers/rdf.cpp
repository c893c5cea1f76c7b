#include "rdf.hpp"

#include <string>

#include "authors.hpp"
#include "detect.hpp"
#include "xhtml.hpp"
#include "xml.hpp"
#include "xml_scope.hpp"
#include "xml_text.hpp"

namespace feedd::parsers::detail {
namespace {

// rdf:about names the resource an item describes; by RSS 1.0 it is the
// item's identity (and usually its link).
std::string_view about(pugi::xml_node node, const xml_scope& scope) {
  for (const auto attr : node.attributes()) {
    if (local_name(attr.name()) == "about" && scope.namespace_uri(attr, node) == ns::rdf) return attr.value();
  }
  return {};
}

raw_body body_of(pugi::xml_node node, const xml_scope& scope, text_store& store) {
  return {markup_view(node, scope, store), scope.base_of(node), true};
}

raw_entry read_item(pugi::xml_node item, std::string_view rss, const xml_scope& scope, text_store& store) {
  raw_entry entry;
  entry.guid = about(item, scope);
  pugi::xml_node dc_description_node;
  std::string_view created;
  const auto names = scope.names_in(item);
  for (const auto node : item.children()) {
    if (node.type() != pugi::node_element) continue;
    const auto n = names.of(node);
    if (n.is_in(rss, "title")) {
      if (entry.title.value.empty()) entry.title.value = text_view(node, store);
    } else if (n.is_in(rss, "link")) {
      if (entry.url.value.empty()) entry.url = {text_view(node, store), scope.base_of(node)};
    } else if (n.is_in(rss, "description")) {
      if (entry.summary.value.empty()) entry.summary = body_of(node, scope, store);
    } else if (n.is(known_ns::dc, "description")) {
      if (!dc_description_node) dc_description_node = node;
    } else if (n.is(known_ns::content, "encoded")) {
      if (entry.content.value.empty()) entry.content = body_of(node, scope, store);
    } else if (n.is(known_ns::dc, "creator")) {
      if (entry.author.empty()) entry.author = author_name(text_view(node, store));
    } else if (n.is(known_ns::dc, "date") || n.is(known_ns::dcterms, "issued")) {
      if (entry.published.empty()) entry.published = text_view(node, store);
    } else if (n.is(known_ns::dcterms, "created")) {
      if (created.empty()) created = text_view(node, store);
    } else if (n.is(known_ns::dcterms, "modified")) {
      if (entry.updated.empty()) entry.updated = text_view(node, store);
    } else if (n.is(known_ns::dc, "subject")) {
      if (entry.categories.size() < max_raw_list) entry.categories.push_back(text_view(node, store));
    }
  }
  if (entry.summary.value.empty() && dc_description_node) entry.summary = body_of(dc_description_node, scope, store);
  if (entry.published.empty()) entry.published = created;
  return entry;
}

}  // namespace

raw_feed read_rdf(pugi::xml_node root, feed_format format, const xml_scope& scope) {
  raw_feed feed;
  feed.format = format;
  // detect_xml_format chose the format by this namespace; RSS 1.0 documents
  // that forgot it are read in no namespace.
  std::string_view rss = rdf_rss_namespace(root, scope);
  if (!scope.child(root, rss, "channel") && !scope.child(root, rss, "item")) rss = ns::none;
  const auto root_names = scope.names_in(root);
  for (const auto node : root.children()) {
    const auto name = root_names.of(node);
    if (name.is_in(rss, "item")) {
      add_entry(feed, [&] { return read_item(node, rss, scope, feed.store); });
    } else if (name.is_in(rss, "channel")) {
      const auto names = scope.names_in(node);
      for (const auto field : node.children()) {
        const auto n = names.of(field);
        if (n.is_in(rss, "title")) {
          if (feed.title.value.empty()) feed.title.value = text_view(field, feed.store);
        } else if (n.is_in(rss, "link")) {
          if (feed.site_url.value.empty()) feed.site_url = {text_view(field, feed.store), scope.base_of(field)};
        } else if (n.is(known_ns::sy, "updatePeriod")) {
          feed.update_period = text_view(field, feed.store);
        } else if (n.is(known_ns::sy, "updateFrequency")) {
          feed.update_frequency = text_view(field, feed.store);
        }
      }
    }
  }
  return feed;
}

}  // namespace feedd::parsers::detail
