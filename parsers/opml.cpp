#include "feedd/parsers/opml.hpp"

#include <algorithm>
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

std::string title_of(pugi::xml_node node) {
  auto title = attribute_value(node, "title");
  return title.empty() ? attribute_value(node, "text") : title;
}

bool is_outline(pugi::xml_node node) {
  return node.type() == pugi::node_element && detail::ascii::iequals(detail::local_name(node.name()), "outline");
}

// Folders deeper than this are named by their innermost levels: a
// category is a label, not a tree to rebuild.
constexpr int max_folder_depth = 8;
constexpr std::size_t max_category_bytes = 512;

std::string category_of(pugi::xml_node node) {
  std::string path;
  int depth = 0;
  for (auto parent = node.parent(); is_outline(parent) && depth < max_folder_depth; parent = parent.parent(), ++depth) {
    const auto name = title_of(parent);
    if (name.empty()) continue;
    path = path.empty() ? name : name + "/" + path;
  }
  if (path.empty()) {
    // OPML 2.0: comma-separated, slash-delimited paths ("/News/Local").
    auto first = attribute_value(node, "category");
    first = first.substr(0, first.find(','));
    const auto begin = first.find_first_not_of('/');
    const auto end = first.find_last_not_of('/');
    path = begin == std::string::npos ? std::string() : first.substr(begin, end - begin + 1);
  }
  detail::truncate_utf8(path, max_category_bytes);
  return detail::collapse_whitespace(path);  // the cut or the split may leave a space at an end
}

// The qualified name of our interval attribute: whatever prefix the root
// binds to opml_namespace, "feedd" when it binds none.
std::string interval_attribute(pugi::xml_node root) {
  for (const auto attr : root.attributes()) {
    const std::string_view name = attr.name();
    if (name.starts_with("xmlns:") && attr.value() == opml_namespace) return std::string(name.substr(6)) + ":interval";
  }
  return "feedd:interval";
}

void append_outline(pugi::xml_node parent, const opml_outline& outline) {
  auto node = parent.append_child("outline");
  const auto name = clean(outline.title.empty() ? outline.xml_url : outline.title);
  // OPML 2.0 requires text; type="rss" marks a subscription.
  node.append_attribute("type") = "rss";
  node.append_attribute("text") = name.c_str();
  if (!outline.title.empty()) node.append_attribute("title") = name.c_str();
  node.append_attribute("xmlUrl") = clean(outline.xml_url).c_str();
  if (!outline.html_url.empty()) node.append_attribute("htmlUrl") = clean(outline.html_url).c_str();
  if (!outline.interval.empty()) node.append_attribute("feedd:interval") = clean(outline.interval).c_str();
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
  const auto interval = interval_attribute(root);
  // Document order without recursion: OPML folders nest to any depth.
  for (auto node = root.first_child(); node; node = detail::next_in_document_order(node, root)) {
    if (!is_outline(node)) continue;
    auto xml_url = attribute_value(node, "xmlUrl");
    if (xml_url.empty()) continue;
    auto title = title_of(node);
    // Writers (ours included) put the URL in text when there is no title.
    if (title == xml_url) title.clear();
    outlines.push_back({std::move(xml_url), std::move(title), attribute_value(node, "htmlUrl"), category_of(node),
                        attribute_value(node, interval)});
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
  opml.append_attribute("xmlns:feedd") = std::string(opml_namespace).c_str();
  opml.append_child("head").append_child("title").text().set(clean(title).c_str());
  auto body = opml.append_child("body");
  std::vector<std::string> categories;
  for (const auto& outline : outlines) {
    if (!outline.category.empty() && std::find(categories.begin(), categories.end(), outline.category) == categories.end()) {
      categories.push_back(outline.category);
    }
  }
  for (const auto& outline : outlines) {
    if (outline.category.empty()) append_outline(body, outline);
  }
  for (const auto& category : categories) {
    auto folder = body.append_child("outline");
    folder.append_attribute("text") = clean(category).c_str();
    folder.append_attribute("title") = clean(category).c_str();
    for (const auto& outline : outlines) {
      if (outline.category == category) append_outline(folder, outline);
    }
  }
  struct string_writer : pugi::xml_writer {
    std::string out;
    void write(const void* data, std::size_t size) override { out.append(static_cast<const char*>(data), size); }
  } writer;
  xml.save(writer, "  ", pugi::format_default, pugi::encoding_utf8);
  return std::move(writer.out);
}

}  // namespace feedd::parsers
