#include "xml_text.hpp"

#include <utility>

namespace feedd::parsers::detail {
namespace {

struct string_writer : pugi::xml_writer {
  std::string out;
  void write(const void* data, std::size_t size) override {
    out.append(static_cast<const char*>(data), size);
  }
};

}  // namespace

std::optional<std::string_view> single_text(pugi::xml_node element) {
  const auto first = element.first_child();
  if (!first) return std::string_view{};
  if (const auto type = first.type(); (type == pugi::node_pcdata || type == pugi::node_cdata) && !first.next_sibling()) {
    return first.value();
  }
  return std::nullopt;
}

std::string_view text_view(pugi::xml_node element, text_store& store) {
  if (const auto text = single_text(element)) return *text;
  return store.keep(text_of(element));
}

std::string text_of(pugi::xml_node element) {
  // Most fields are one run of text.
  if (const auto text = single_text(element)) return std::string{*text};
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

}  // namespace feedd::parsers::detail
