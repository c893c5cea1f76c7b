#include "link_relations.hpp"

#include <vector>

#include <pugixml.hpp>

namespace feedd::conformance {
namespace {

std::string_view local_name(const pugi::xml_node& node) {
  const std::string_view name = node.name();
  const auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

// Items and entries in document order; RSS 1.0 puts them beside the
// channel, RSS 2.0 inside it.
void collect_entries(const pugi::xml_node& parent, std::vector<pugi::xml_node>& out, int depth) {
  if (depth > 3) return;
  for (const auto child : parent.children()) {
    if (child.type() != pugi::node_element) continue;
    if (local_name(child) == "item" || local_name(child) == "entry") {
      out.push_back(child);
    } else {
      collect_entries(child, out, depth + 1);
    }
  }
}

}  // namespace

std::optional<std::string> link_relation(std::string_view document, std::optional<std::size_t> entry, std::size_t n) {
  pugi::xml_document xml;
  if (!xml.load_buffer(document.data(), document.size())) return std::nullopt;
  auto owner = xml.document_element();
  if (const auto channel = owner.find_child([](const pugi::xml_node& c) { return local_name(c) == "channel"; });
      channel && local_name(owner) == "rss") {
    owner = channel;
  }
  if (entry) {
    std::vector<pugi::xml_node> entries;
    collect_entries(xml.document_element(), entries, 0);
    if (*entry >= entries.size()) return std::nullopt;
    owner = entries[*entry];
  }
  std::size_t seen = 0;
  for (const auto child : owner.children()) {
    if (child.type() != pugi::node_element || local_name(child) != "link") continue;
    if (seen++ == n) {
      const std::string rel = child.attribute("rel").value();
      return rel.empty() ? "alternate" : rel;
    }
  }
  return std::nullopt;
}

}  // namespace feedd::conformance
