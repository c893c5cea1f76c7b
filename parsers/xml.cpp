#include "xml.hpp"

namespace feedd::parsers::detail {

std::string_view local_name(std::string_view qualified_name) {
  const auto colon = qualified_name.find(':');
  return colon == std::string_view::npos ? qualified_name : qualified_name.substr(colon + 1);
}

std::string_view prefix_of(std::string_view qualified_name) {
  const auto colon = qualified_name.find(':');
  return colon == std::string_view::npos ? std::string_view{} : qualified_name.substr(0, colon);
}

std::string_view attribute(pugi::xml_node element, std::string_view local) {
  for (auto attr = element.first_attribute(); attr; attr = attr.next_attribute()) {
    if (name_equals(attr.name(), local)) return attr.value();
  }
  return {};
}

pugi::xml_node next_in_document_order(pugi::xml_node node, pugi::xml_node root) {
  if (const auto first = node.first_child()) return first;
  return next_after_subtree(node, root);
}

pugi::xml_node next_after_subtree(pugi::xml_node node, pugi::xml_node root) {
  for (; node && node != root; node = node.parent()) {
    if (const auto sibling = node.next_sibling()) return sibling;
  }
  return {};
}

}  // namespace feedd::parsers::detail
