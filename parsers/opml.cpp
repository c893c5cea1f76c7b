#include "feedd/parsers/opml.hpp"

#include <pugixml.hpp>

#include "ascii.hpp"
#include "charset.hpp"
#include "entity_repair.hpp"
#include "sanitize.hpp"
#include "truncate.hpp"
#include "whitespace.hpp"
#include "xml.hpp"

namespace feedd::parsers {
namespace {

// OPML exporters disagree on the case of attribute names (xmlUrl, xmlurl,
// XMLURL), so they are compared without it.
std::string attribute_value(pugi::xml_node node, std::string_view name) {
  for (const auto attr : node.attributes()) {
    if (detail::ascii::iequals(attr.name(), name)) {
      std::string value = attr.value();
      detail::sanitize_utf8(value);
      return detail::collapse_whitespace(value);
    }
  }
  return {};
}

std::string clean(std::string_view text) {
  std::string value{text};
  detail::sanitize_utf8(value);
  return value;
}

}  // namespace

expected<std::vector<opml_outline>, opml_error> parse_opml(std::string_view document) {
  auto decoded = detail::decode_document(document, {});
  detail::repair_entities(decoded.utf8);
  pugi::xml_document xml;
  const auto result =
      xml.load_buffer(decoded.utf8.data(), decoded.utf8.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!result) {
    return unexpected{opml_error{"opml: xml: " + std::string{result.description()} + " at byte " +
                                 std::to_string(result.offset)}};
  }
  const auto root = xml.document_element();
  if (!detail::ascii::iequals(detail::local_name(root.name()), "opml")) {
    std::string name = root.name();
    detail::truncate_utf8(name, 64);
    return unexpected{opml_error{"opml: root: <" + clean(name) + "> is not OPML"}};
  }
  std::vector<opml_outline> outlines;
  // Document order without recursion: OPML folders nest to any depth.
  for (auto node = root.first_child(); node; node = detail::next_in_document_order(node, root)) {
    if (node.type() != pugi::node_element || !detail::ascii::iequals(detail::local_name(node.name()), "outline")) continue;
    auto xml_url = attribute_value(node, "xmlUrl");
    if (xml_url.empty()) continue;
    auto title = attribute_value(node, "title");
    if (title.empty()) title = attribute_value(node, "text");
    outlines.push_back({std::move(xml_url), std::move(title), attribute_value(node, "htmlUrl")});
  }
  return outlines;
}

std::string write_opml(const std::vector<opml_outline>& outlines, std::string_view title) {
  pugi::xml_document xml;
  auto declaration = xml.append_child(pugi::node_declaration);
  declaration.append_attribute("version") = "1.0";
  declaration.append_attribute("encoding") = "UTF-8";
  auto opml = xml.append_child("opml");
  opml.append_attribute("version") = "2.0";
  opml.append_child("head").append_child("title").text().set(clean(title).c_str());
  auto body = opml.append_child("body");
  for (const auto& outline : outlines) {
    auto node = body.append_child("outline");
    const auto name = clean(outline.title.empty() ? outline.xml_url : outline.title);
    // OPML 2.0 requires text; type="rss" marks a subscription.
    node.append_attribute("type") = "rss";
    node.append_attribute("text") = name.c_str();
    if (!outline.title.empty()) node.append_attribute("title") = name.c_str();
    node.append_attribute("xmlUrl") = clean(outline.xml_url).c_str();
    if (!outline.html_url.empty()) node.append_attribute("htmlUrl") = clean(outline.html_url).c_str();
  }
  struct string_writer : pugi::xml_writer {
    std::string out;
    void write(const void* data, std::size_t size) override { out.append(static_cast<const char*>(data), size); }
  } writer;
  xml.save(writer, "  ", pugi::format_default, pugi::encoding_utf8);
  return std::move(writer.out);
}

}  // namespace feedd::parsers
