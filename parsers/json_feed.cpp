#include "json_feed.hpp"

#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sanitize.hpp"

namespace feedd::parsers::detail {
namespace {

using json = nlohmann::json;

// Every read checks the type first: nlohmann's accessors throw on a
// mismatch, and a feed's types are the publisher's choice.
std::string string_at(const json& object, const char* key) {
  if (!object.is_object()) return {};
  const auto it = object.find(key);
  if (it == object.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  return {};
}

// Ids are strings by the spec, yet some publishers write numbers.
std::string id_of(const json& item) {
  const auto it = item.find("id");
  if (it != item.end() && (it->is_number_integer() || it->is_number_unsigned())) return it->dump();
  return string_at(item, "id");
}

const json* member(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

// 1.1 has an authors array, 1.0 a single author.
std::string author_of(const json& object) {
  if (const auto* authors = member(object, "authors"); authors && authors->is_array()) {
    for (const auto& author : *authors) {
      if (auto name = string_at(author, "name"); !name.empty()) return name;
    }
  }
  if (const auto* author = member(object, "author")) return string_at(*author, "name");
  return {};
}

std::string size_of(const json& attachment) {
  const auto* size = member(attachment, "size_in_bytes");
  if (!size) return {};
  if (size->is_number_integer() || size->is_number_unsigned()) return size->dump();
  if (size->is_number_float()) {
    const double value = size->get<double>();
    if (std::isfinite(value) && value >= 0 && value < 9e18 && value == std::floor(value)) {
      return std::to_string(static_cast<long long>(value));
    }
  }
  return {};
}

raw_entry read_item(const json& item, std::string_view feed_author, std::string_view base, text_store& store) {
  const auto keep = [&](std::string text) { return store.keep(std::move(text)); };
  raw_entry entry;
  entry.guid = keep(id_of(item));
  auto url = string_at(item, "url");
  if (url.empty()) url = string_at(item, "external_url");
  entry.url = {keep(std::move(url)), base};
  entry.title = {keep(string_at(item, "title")), false};
  // JSON Feed 1.1: summary is plain text, content_html HTML,
  // content_text plain text.
  entry.summary = {keep(string_at(item, "summary")), base, false};
  entry.content = {keep(string_at(item, "content_html")), base, true};
  if (entry.content.value.empty()) entry.content = {keep(string_at(item, "content_text")), base, false};
  entry.published = keep(string_at(item, "date_published"));
  entry.updated = keep(string_at(item, "date_modified"));
  entry.author = keep(author_of(item));
  if (entry.author.empty()) entry.author = feed_author;
  if (const auto* tags = member(item, "tags"); tags && tags->is_array()) {
    for (const auto& tag : *tags) {
      if (tag.is_string()) entry.categories.push_back(keep(tag.get<std::string>()));
    }
  }
  if (const auto* attachments = member(item, "attachments"); attachments && attachments->is_array()) {
    for (const auto& attachment : *attachments) {
      entry.enclosures.push_back({{keep(string_at(attachment, "url")), base},
                                  keep(string_at(attachment, "mime_type")),
                                  keep(size_of(attachment))});
    }
  }
  return entry;
}

// JSON Feed names its version by URL ("https://jsonfeed.org/version/1.1").
// Some publishers write the bare number; since "version": "1.0" and an
// items array alone say little about a JSON document, that is taken only
// with a key of JSON Feed's own as well.
bool is_json_feed(const json& root) {
  const auto version = string_at(root, "version");
  if (version.starts_with("https://jsonfeed.org/version/") || version.starts_with("http://jsonfeed.org/version/")) {
    return true;
  }
  const auto* items = member(root, "items");
  if ((version != "1" && version != "1.0" && version != "1.1") || !items || !items->is_array()) return false;
  if (member(root, "home_page_url") || member(root, "feed_url")) return true;
  for (const auto& item : *items) {
    for (const char* key : {"content_html", "content_text", "date_published"}) {
      if (member(item, key)) return true;
    }
  }
  return false;
}

expected<raw_feed, not_a_feed> read(std::string_view document, std::string_view base) {
  constexpr std::string_view bom = "\xEF\xBB\xBF";
  if (document.starts_with(bom)) document.remove_prefix(bom.size());
  // RFC 8259 requires UTF-8, and nlohmann rejects anything else outright;
  // a stray Latin-1 byte should cost one character, not the whole feed.
  std::string cleaned;
  std::vector<std::string> warnings;
  if (!is_clean_utf8(document)) {
    cleaned = document;
    sanitize_utf8(cleaned);
    document = cleaned;
    warnings.emplace_back("json: replaced invalid UTF-8");
  }
  const auto root = json::parse(document, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return unexpected{not_a_feed{"parse: json: not valid JSON"}};
  if (!is_json_feed(root)) return unexpected{not_a_feed{"parse: json: no jsonfeed.org version"}};
  raw_feed feed;
  feed.format = feed_format::json_feed;
  feed.warnings = std::move(warnings);
  feed.title = {feed.store.keep(string_at(root, "title")), false};
  feed.site_url = {feed.store.keep(string_at(root, "home_page_url")), base};
  const auto feed_author = feed.store.keep(author_of(root));
  if (const auto* items = member(root, "items"); items && items->is_array()) {
    for (const auto& item : *items) {
      if (item.is_object()) add_entry(feed, [&] { return read_item(item, feed_author, base, feed.store); });
    }
  } else {
    feed.warnings.emplace_back("json: no items array");
  }
  return feed;
}

}  // namespace

expected<raw_feed, not_a_feed> read_json_feed(std::string_view document, std::string_view document_base) {
  try {
    return read(document, document_base);
  } catch (const json::exception& error) {
    // Unreachable by construction (every access checks its type); kept so
    // that a missed check is a rejected document, not a crashed daemon.
    return unexpected{not_a_feed{std::string{"parse: json: "} + error.what()}};
  }
}

}  // namespace feedd::parsers::detail
