// libFuzzer target: parse_opml(), what `feedd feeds import` reads, and
// write_opml(), what `feedd feeds export` writes.
//
// Oracles:
// - Every string that comes out (outline fields, the error) is clean text
//   (output_contract.hpp); outline fields are also collapsed: no TAB, CR or
//   LF, no space at either end, no two spaces in a row.
// - Every outline has an xmlUrl. parse_opml returns what the file says, and
//   the importer keeps only what parse_http_url accepts: each of those is an
//   absolute http or https URL with a host, and its redacted form (what the
//   importer logs for a refused one) is one line.
// - Export then import gives the subscriptions back: the same xmlUrl,
//   htmlUrl, title, category and interval, in the writer's order (those
//   without a category first, then each category where it first appeared).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "feedd/parsers/opml.hpp"
#include "feedd/parsers/url.hpp"
#include "oracle.hpp"

namespace {

using feedd::fuzz::require;
namespace parsers = feedd::parsers;

bool is_collapsed(std::string_view text) {
  return text.find_first_of("\t\r\n") == std::string_view::npos && !text.starts_with(' ') && !text.ends_with(' ') &&
         text.find("  ") == std::string_view::npos;
}

void check_field(std::string_view name, std::string_view value) {
  feedd::fuzz::require_clean_text(name, value);
  require(is_collapsed(value), "outline fields have their white space collapsed", value);
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const char c = text[i] >= 'A' && text[i] <= 'Z' ? static_cast<char>(text[i] - 'A' + 'a') : text[i];
    if (c != prefix[i]) return false;
  }
  return true;
}

void check_import_filter(const parsers::opml_outline& outline) {
  const auto url = parsers::parse_http_url(outline.xml_url);
  if (!url) {
    require(!feedd::fuzz::has_line_break(parsers::redact_url(outline.xml_url)),
            "a refused URL is logged on one line", outline.xml_url);
    return;
  }
  require(starts_with_ignoring_case(outline.xml_url, url->tls ? "https://" : "http://"),
          "an imported URL is absolute http or https", outline.xml_url);
  require(!url->host.empty(), "an imported URL has a host", outline.xml_url);
}

void check_round_trip(const std::vector<parsers::opml_outline>& outlines) {
  const std::string exported = parsers::write_opml(outlines, "fuzz subscriptions");
  feedd::fuzz::require_clean_text("write_opml writes clean UTF-8", exported);
  const auto imported = parsers::parse_opml(exported);
  if (!imported) feedd::fuzz::broken("write_opml's output reads back", imported.error().message);
  require(imported->size() == outlines.size(), "export then import keeps every outline", exported);
  std::vector<const parsers::opml_outline*> expected;
  std::vector<std::string> categories;
  for (const auto& o : outlines) {
    if (o.category.empty()) expected.push_back(&o);
    if (!o.category.empty() && std::find(categories.begin(), categories.end(), o.category) == categories.end()) {
      categories.push_back(o.category);
    }
  }
  for (const auto& category : categories) {
    for (const auto& o : outlines) {
      if (o.category == category) expected.push_back(&o);
    }
  }
  for (std::size_t i = 0; i < outlines.size(); ++i) {
    const auto& before = *expected[i];
    const auto& after = (*imported)[i];
    require(after.xml_url == before.xml_url, "export then import keeps the xmlUrl", before.xml_url);
    require(after.html_url == before.html_url, "export then import keeps the htmlUrl", before.html_url);
    require(after.title == before.title, "export then import keeps the title", before.title);
    require(after.category == before.category, "export then import keeps the category", before.category);
    require(after.interval == before.interval, "export then import keeps the interval", before.interval);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view document{reinterpret_cast<const char*>(data), size};
  const auto outlines = parsers::parse_opml(document);
  if (!outlines) {
    feedd::fuzz::require_clean_text("the error is clean text", outlines.error().message);
    require(outlines.error().message.starts_with("opml: "), "the error names its module", outlines.error().message);
    return 0;
  }
  for (const auto& outline : *outlines) {
    require(!outline.xml_url.empty(), "every outline has an xmlUrl");
    check_field("xmlUrl is clean text", outline.xml_url);
    check_field("title is clean text", outline.title);
    check_field("htmlUrl is clean text", outline.html_url);
    check_field("category is clean text", outline.category);
    check_field("interval is clean text", outline.interval);
    check_import_filter(outline);
  }
  check_round_trip(*outlines);
  return 0;
}
