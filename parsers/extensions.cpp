#include "extensions.hpp"

namespace feedd::parsers::detail {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool is_element(pugi::xml_node node, std::string_view local) {
  return node.type() == pugi::node_element && local_name(node.name()) == local;
}

}  // namespace

bool is_itunes(const xml_scope& scope, pugi::xml_node node, std::string_view local) {
  return is_element(node, local) && iequals(scope.namespace_uri(node), ns::itunes);
}

bool is_media(const xml_scope& scope, pugi::xml_node node, std::string_view local) {
  if (!is_element(node, local)) return false;
  const auto uri = scope.namespace_uri(node);
  return uri == ns::media || (uri.size() + 1 == ns::media.size() && ns::media.starts_with(uri));
}

}  // namespace feedd::parsers::detail
