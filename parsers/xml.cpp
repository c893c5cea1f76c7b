#include "xml.hpp"

#include <array>
#include <utility>
#include <vector>

#include "feedd/parsers/url.hpp"

namespace feedd::parsers::detail {
namespace {

// Prefixes that feeds use without declaring them, and what they always mean.
constexpr std::array<std::pair<std::string_view, std::string_view>, 10> conventional_prefixes{{
    {"atom", ns::atom10},
    {"content", ns::content},
    {"dc", ns::dc},
    {"dcterms", ns::dcterms},
    {"feedburner", ns::feedburner},
    {"itunes", ns::itunes},
    {"media", ns::media},
    {"rdf", ns::rdf},
    {"sy", ns::sy},
    {"xhtml", ns::xhtml},
}};

std::string_view prefix_of(std::string_view qualified_name) {
  const auto colon = qualified_name.find(':');
  return colon == std::string_view::npos ? std::string_view{} : qualified_name.substr(0, colon);
}

struct string_writer : pugi::xml_writer {
  std::string out;
  void write(const void* data, std::size_t size) override {
    out.append(static_cast<const char*>(data), size);
  }
};

}  // namespace

std::string_view local_name(std::string_view qualified_name) {
  const auto colon = qualified_name.find(':');
  return colon == std::string_view::npos ? qualified_name : qualified_name.substr(colon + 1);
}

xml_scope::xml_scope(const pugi::xml_document& document, std::string_view document_base)
    : document_base_(document_base) {
  for (auto node = document.first_child(); node; node = next_in_document_order(node, document)) {
    if (node.type() != pugi::node_element) continue;
    for (const auto attr : node.attributes()) {
      const std::string_view name = attr.name();
      if (name == "xmlns") {
        declared_[node.internal_object()].prefixes.emplace(std::string_view{}, attr.value());
      } else if (name.starts_with("xmlns:")) {
        declared_[node.internal_object()].prefixes.emplace(name.substr(6), attr.value());
      } else if (name == "xml:base") {
        auto& base = declared_[node.internal_object()].base;
        if (!base) base = attr.value();
      }
    }
  }
}

const xml_scope::declarations* xml_scope::declared(pugi::xml_node element) const {
  const auto it = declared_.find(element.internal_object());
  return it == declared_.end() ? nullptr : &it->second;
}

std::string_view xml_scope::resolve_prefix(pugi::xml_node element, std::string_view prefix) const {
  // The xml prefix is bound by definition and may not be redeclared.
  if (prefix == "xml") return ns::xml;
  for (auto node = element; node && node.type() == pugi::node_element; node = node.parent()) {
    if (const auto* found = declared(node)) {
      if (const auto it = found->prefixes.find(prefix); it != found->prefixes.end()) return it->second;
    }
  }
  if (prefix.empty()) return ns::none;
  for (const auto& [conventional, uri] : conventional_prefixes) {
    if (conventional == prefix) return uri;
  }
  return ns::none;
}

std::string_view xml_scope::namespace_uri(pugi::xml_node element) const {
  return resolve_prefix(element, prefix_of(element.name()));
}

std::string_view xml_scope::namespace_uri(pugi::xml_attribute attribute, pugi::xml_node owner) const {
  const auto prefix = prefix_of(attribute.name());
  if (prefix.empty()) return ns::none;
  return resolve_prefix(owner, prefix);
}

bool xml_scope::is(pugi::xml_node node, std::string_view uri, std::string_view local) const {
  return node.type() == pugi::node_element && local_name(node.name()) == local && namespace_uri(node) == uri;
}

pugi::xml_node xml_scope::child(pugi::xml_node parent, std::string_view uri, std::string_view local) const {
  for (const auto node : parent.children()) {
    if (is(node, uri, local)) return node;
  }
  return {};
}

std::string xml_scope::base_of(pugi::xml_node element) const {
  std::vector<std::string_view> bases;
  for (auto node = element; node && node.type() == pugi::node_element; node = node.parent()) {
    if (const auto* found = declared(node); found && found->base) bases.push_back(*found->base);
  }
  std::string base = document_base_;
  for (auto it = bases.rbegin(); it != bases.rend(); ++it) base = resolve_url(base, *it);
  return base;
}

std::string_view attribute(pugi::xml_node element, std::string_view local) {
  for (const auto attr : element.attributes()) {
    const std::string_view name = attr.name();
    if (name == local) return attr.value();
  }
  return {};
}

std::string text_of(pugi::xml_node element) {
  std::string text;
  for (const auto node : element.children()) {
    if (node.type() == pugi::node_element) return inner_xml(element);
    if (node.type() == pugi::node_pcdata || node.type() == pugi::node_cdata) text += node.value();
  }
  return text;
}

std::string inner_xml(pugi::xml_node element) {
  string_writer writer;
  for (const auto node : element.children()) {
    node.print(writer, "", pugi::format_raw, pugi::encoding_utf8);
  }
  return std::move(writer.out);
}

pugi::xml_node next_in_document_order(pugi::xml_node node, pugi::xml_node root) {
  if (const auto first = node.first_child()) return first;
  for (; node && node != root; node = node.parent()) {
    if (const auto sibling = node.next_sibling()) return sibling;
  }
  return {};
}

}  // namespace feedd::parsers::detail
