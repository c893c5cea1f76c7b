#include "detect.hpp"

#include <string>

#include "ascii.hpp"
#include "sanitize.hpp"
#include "truncate.hpp"
#include "xml.hpp"
#include "xml_scope.hpp"

namespace feedd::parsers::detail {
namespace {

// An element's name as a message shows it: short and clean.
std::string shown_name(pugi::xml_node element) {
  std::string name = element.name();
  truncate_utf8(name, 64);
  sanitize_utf8(name);
  return name;
}

not_a_feed not_a_feed_root(pugi::xml_node root, std::string_view why = "is not a feed") {
  return not_a_feed{"parse: root: <" + shown_name(root) + "> " + std::string{why}};
}

feed_format rss_version(std::string_view version) {
  // RSS 0.91 came from Netscape and UserLand, 0.92-0.94 from UserLand; they
  // share one element set with 2.0. A missing or unknown version is read as
  // 2.0, the superset.
  version = ascii::trim(version);
  if (version == "0.90") return feed_format::rss090;
  if (version == "0.91") return feed_format::rss091;
  if (version == "0.92") return feed_format::rss092;
  if (version == "0.93") return feed_format::rss093;
  if (version == "0.94") return feed_format::rss094;
  return feed_format::rss20;
}

// RSS 1.0 and 0.90 are both rdf:RDF; the namespace of channel and items tells
// them apart.
expected<feed_format, not_a_feed> rdf_version(pugi::xml_node root, const xml_scope& scope) {
  const auto uri = rdf_rss_namespace(root, scope);
  if (uri == ns::rss10) return feed_format::rss10;
  if (uri == ns::rss090 || uri == ns::rss090_channel) return feed_format::rss090;
  return unexpected{not_a_feed_root(root, "has no RSS channel")};
}

}  // namespace

std::string_view rdf_rss_namespace(pugi::xml_node root, const xml_scope& scope) {
  const auto is_rss = [](std::string_view uri) {
    return uri == ns::rss10 || uri == ns::rss090 || uri == ns::rss090_channel;
  };
  for (const auto node : root.children()) {
    if (node.type() != pugi::node_element) continue;
    const auto local = local_name(node.name());
    if (local != "channel" && local != "item") continue;
    const auto uri = scope.namespace_uri(node);
    if (is_rss(uri)) return uri;
    // RSS 1.0 that forgot its namespace.
    if (uri == ns::none) return ns::rss10;
  }
  // No channel yet (an empty feed): the namespaces the root declares.
  for (const auto attr : root.attributes()) {
    const std::string_view name = attr.name();
    if ((name == "xmlns" || name.starts_with("xmlns:")) && is_rss(attr.value())) return attr.value();
  }
  return ns::none;
}

syntax sniff_syntax(std::string_view document, std::string_view content_type) {
  constexpr std::string_view bom = "\xEF\xBB\xBF";
  if (document.starts_with(bom)) document.remove_prefix(bom.size());
  const auto first = document.find_first_not_of(ascii::xml_space);
  if (first != std::string_view::npos) {
    if (document[first] == '{') return syntax::json;
    if (document[first] == '<') return syntax::xml;
  }
  content_type = ascii::trim(content_type);
  if (ascii::iequals(content_type, "application/feed+json") || ascii::iequals(content_type, "application/json")) {
    return syntax::json;
  }
  return syntax::xml;
}

expected<feed_format, not_a_feed> detect_xml_format(pugi::xml_node root, const xml_scope& scope) {
  const auto local = local_name(root.name());
  const auto uri = scope.namespace_uri(root);
  if (local == "rss") return rss_version(attribute(root, "version"));
  if (local == "RDF" && uri == ns::rdf) return rdf_version(root, scope);
  if (local == "entry" && (uri == ns::atom10 || uri == ns::atom03)) {
    return uri == ns::atom10 ? feed_format::atom10 : feed_format::atom03;
  }
  if (local == "feed") {
    if (uri == ns::atom10) return feed_format::atom10;
    if (uri == ns::atom03) return feed_format::atom03;
    for (const auto draft : ns::atom_drafts) {
      if (uri == draft) return feed_format::atom03;
    }
    // An Atom feed that forgot its namespace still says which one it is.
    if (uri == ns::none) {
      return ascii::trim(attribute(root, "version")) == "0.3" ? feed_format::atom03 : feed_format::atom10;
    }
  }
  return unexpected{not_a_feed_root(root)};
}

expected<pugi::xml_node, not_a_feed> feed_element(const pugi::xml_document& document, const xml_scope& scope,
                                                  std::vector<std::string>& warnings) {
  const auto root = document.document_element();
  if (!ascii::iequals(local_name(root.name()), "html")) return root;
  pugi::xml_node found;
  std::size_t feeds = 0;
  for (auto node = root.first_child(); node;) {
    const auto local = local_name(node.name());
    const bool feed = node.type() == pugi::node_element && (local == "rss" || local == "RDF" || local == "feed") &&
                      detect_xml_format(node, scope).has_value();
    if (!feed) {
      node = next_in_document_order(node, root);
      continue;
    }
    if (feeds++ == 0) found = node;
    node = next_after_subtree(node, root);
  }
  if (feeds == 0) return unexpected{not_a_feed_root(root)};
  if (feeds > 1) return unexpected{not_a_feed_root(root, "holds " + std::to_string(feeds) + " feeds, not one")};
  warnings.push_back("xml: read the <" + shown_name(found) + "> inside an <html> page");
  return found;
}

}  // namespace feedd::parsers::detail
