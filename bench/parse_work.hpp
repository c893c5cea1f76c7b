#pragma once

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

#include <pugixml.hpp>

#include "utf8.hpp"

// The work parse_bench times besides feedd's parse(): raw pugixml, a bare
// walk of its tree, and the model ceiling (see parse_bench.cpp's header).
// Each returns something that depends on the work so that it is not
// optimized away.
namespace feedd::bench {

inline std::size_t pugixml_dom(std::string_view bytes) {
  pugi::xml_document xml;
  const auto result = xml.load_buffer(bytes.data(), bytes.size(), pugi::parse_default);
  return result ? 1 : 0;
}

// Visits every node below root, iteratively and in document order: deep
// documents must not exhaust the stack.
template <class Visit>
void walk(const pugi::xml_node root, Visit visit) {
  pugi::xml_node node = root.first_child();
  while (node) {
    visit(node);
    if (const auto child = node.first_child()) {
      node = child;
      continue;
    }
    while (node && !node.next_sibling()) node = node.parent() == root ? pugi::xml_node{} : node.parent();
    if (node) node = node.next_sibling();
  }
}

inline std::size_t pugixml_dom_walk(std::string_view bytes) {
  pugi::xml_document xml;
  if (!xml.load_buffer(bytes.data(), bytes.size(), pugi::parse_default)) return 0;
  std::size_t sum = 0;
  walk(xml, [&](const pugi::xml_node node) {
    sum += std::strlen(node.name()) + std::strlen(node.value());
    for (auto attribute = node.first_attribute(); attribute; attribute = attribute.next_attribute()) {
      sum += std::strlen(attribute.name()) + std::strlen(attribute.value());
    }
  });
  return sum;
}

// The walk above over a tree parsed in place from UTF-8 text the caller
// made (checked or transcoded into a buffer of its own), copying every value.
inline std::size_t model_walk(std::string& text) {
  std::size_t sum = 0;
  pugi::xml_document xml;
  if (!xml.load_buffer_inplace(text.data(), text.size(), pugi::parse_default, pugi::encoding_utf8)) return 0;
  walk(xml, [&](const pugi::xml_node node) {
    sum += std::string{node.value()}.size();
    for (auto attribute = node.first_attribute(); attribute; attribute = attribute.next_attribute()) {
      sum += std::string{attribute.value()}.size();
    }
  });
  return sum;
}

// UTF-8 documents: a checked copy, then the walk. Feeds that are not clean
// UTF-8 text count as parsed: the ceiling must not profit from skipping.
inline std::size_t model_floor(std::string_view bytes) {
  std::string text{bytes};
  const std::size_t clean = feedd::parsers::detail::first_rejected<true>(text) == std::string_view::npos ? 1 : 0;
  return clean + model_walk(text);
}

}  // namespace feedd::bench
