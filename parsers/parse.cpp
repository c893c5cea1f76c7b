#include "feedd/parsers/parse.hpp"

#include <string>
#include <utility>
#include <vector>

#include <pugixml.hpp>

#include "atom.hpp"
#include "charset.hpp"
#include "detect.hpp"
#include "entity_repair.hpp"
#include "json_feed.hpp"
#include "load.hpp"
#include "normalize.hpp"
#include "rdf.hpp"
#include "rss.hpp"
#include "sanitize.hpp"
#include "xml.hpp"
#include "xml_scope.hpp"

namespace feedd::parsers {
namespace {

struct prepared_xml {
  std::string text;
  std::vector<std::string> warnings;
  bool clean_text = false;  // see decoded_document
};

prepared_xml prepare(std::string_view document, std::string_view charset) {
  auto decoded = detail::decode_document(document, charset);
  prepared_xml out{std::move(decoded.utf8), std::move(decoded.warnings), decoded.clean_text};
  // Feeds are full of HTML entities (&nbsp;) and bare ampersands that XML
  // does not define; repairing them is what every reader does. It also
  // leaves only references to XML Chars (XML 1.0 §2.2), which are clean
  // text: pugixml's text from a clean document is clean.
  bool numeric_in_sections = false;
  if (const auto repairs = detail::repair_entities(out.text, numeric_in_sections); repairs > 0) {
    out.warnings.push_back("xml: repaired " + std::to_string(repairs) + " undefined entities or bare ampersands");
  }
  if (numeric_in_sections) out.clean_text = false;
  return out;
}

// Normalizes too: the raw feed's fields are views into the tree, the text
// and the scope, which live only here.
expected<feed, not_a_feed> read_xml(std::string_view document, const parse_options& options) {
  // The tree points into prepared.text, which must outlive it.
  auto prepared = prepare(document, options.charset);
  pugi::xml_document xml;
  auto in_place = detail::load_xml_in_place(xml, prepared.text, prepared.warnings);
  if (!in_place) return unexpected{std::move(in_place.error())};
  if (!*in_place) {
    // Rare: a document that may need recovering. The in-place attempt
    // garbled the text; prepare it again (same warnings).
    prepared = prepare(document, options.charset);
    // A recovery rewrites the text; trust it no further.
    prepared.clean_text = false;
    if (auto loaded = detail::load_xml(xml, prepared.text, prepared.warnings); !loaded) {
      return unexpected{std::move(loaded.error())};
    }
  }
  auto& warnings = prepared.warnings;
  const detail::xml_scope scope{xml, options.base_url};
  const auto element = detail::feed_element(xml, scope, warnings);
  if (!element) return unexpected{element.error()};
  const auto root = *element;
  const auto format = detail::detect_xml_format(root, scope);
  if (!format) return unexpected{format.error()};
  detail::raw_feed raw;
  switch (*format) {
    case feed_format::rss090:
    case feed_format::rss10:
      // RSS 0.90 as <rss version="0.90"> has the 0.91 shape.
      raw = detail::local_name(root.name()) == "rss" ? detail::read_rss(root, *format, scope)
                : detail::read_rdf(root, *format, scope);
      break;
    case feed_format::rss091:
    case feed_format::rss092:
    case feed_format::rss093:
    case feed_format::rss094:
    case feed_format::rss20:
      raw = detail::read_rss(root, *format, scope);
      break;
    case feed_format::atom03:
    case feed_format::atom10:
      raw = detail::read_atom(root, *format, scope);
      break;
    case feed_format::json_feed:
      return unexpected{not_a_feed{"parse: root: JSON Feed in XML"}};
  }
  warnings.insert(warnings.end(), std::make_move_iterator(raw.warnings.begin()),
                  std::make_move_iterator(raw.warnings.end()));
  raw.warnings = std::move(warnings);
  raw.clean_text = prepared.clean_text;
  return detail::normalize(std::move(raw));
}

}  // namespace

expected<feed, not_a_feed> parse(std::string_view document, const parse_options& options) {
  auto parsed = [&]() -> expected<feed, not_a_feed> {
    if (detail::sniff_syntax(document, options.content_type) != detail::syntax::json) return read_xml(document, options);
    auto raw = detail::read_json_feed(document, options.base_url);
    if (!raw) return unexpected{std::move(raw.error())};
    return detail::normalize(std::move(*raw));
  }();
  if (!parsed) detail::sanitize_utf8(parsed.error().message);
  return parsed;
}

std::string_view to_string(feed_format format) {
  switch (format) {
    case feed_format::rss090:
    case feed_format::rss091:
    case feed_format::rss092:
    case feed_format::rss093:
    case feed_format::rss094:
      return "rss0.9x";
    case feed_format::rss20:
      return "rss2.0";
    case feed_format::rss10:
      return "rss1.0";
    case feed_format::atom03:
      return "atom0.3";
    case feed_format::atom10:
      return "atom1.0";
    case feed_format::json_feed:
      return "json";
  }
  return "unknown";
}

}  // namespace feedd::parsers
