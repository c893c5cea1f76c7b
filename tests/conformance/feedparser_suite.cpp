#include "feedparser_suite.hpp"

#include <array>
#include <fstream>

#include "field_match.hpp"
#include "link_relations.hpp"
#include "reference_dates.hpp"
#include "support/process.hpp"

namespace feedd::conformance {
namespace {

// feedparser's test server (tests/conftest.py) serves the repository root.
constexpr std::string_view server = "http://127.0.0.1:8097";

std::string lower(std::string text) {
  for (auto& c : text) c = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  return text;
}

std::string header(const nlohmann::json& headers, std::string_view name) {
  if (!headers.is_object()) return {};
  for (const auto& [key, value] : headers.items()) {
    if (lower(key) == name && value.is_string()) return value.get<std::string>();
  }
  return {};
}

// Categories that test behaviour feedd does not have, by design.
std::optional<std::string> category_skip(std::string_view category) {
  if (category == "wellformed/sanitize") {
    return "sanitize: feedparser strips unsafe HTML; feedd stores HTML as published and leaves "
           "sanitizing to whoever renders it (README of the corpus)";
  }
  if (category == "wellformed/http") {
    return "http: Content-Location handling of feedparser's HTTP layer, not of a parser";
  }
  if (category == "wellformed/cdf") {
    return "cdf: Microsoft's Channel Definition Format is not one of SPEC.md's formats";
  }
  return std::nullopt;
}

// Single checks where feedparser's policy differs from a deliberate one of
// feedd's. Nothing here is a bug of ours; anything that is stays a failure.
struct policy_difference {
  std::string_view file;
  std::string_view path;  // "entries.0.tags.0.term"; empty: every check of the file
  std::string_view reason;
};

constexpr std::string_view repeated_date = "repeated date element: feedd keeps the first, feedparser the last";
constexpr std::string_view binary_base64 =
    "type=\"application/octet-stream\" is binary, not text (RFC 4287 §4.1.3.3); feedparser shows it decoded";
constexpr std::string_view summary_in_rss = "<summary> is not an RSS element; feedparser reads it as Atom's";
constexpr std::string_view relative_id =
    "relative atom:id (not an IRI, RFC 4287 §4.2.6): feedd keeps it as written so that identity does not "
    "change with the document URL; feedparser resolves it";

constexpr std::array<policy_difference, 21> policy_differences{{
    {"tests/encoding/bozo_linenoise.xml", "",
     "invalid byte in a UTF-8 document: feedd replaces it with U+FFFD (WHATWG Encoding), feedparser "
     "re-decodes the whole document as windows-1252"},
    {"tests/wellformed/atom/entry_created_multiple_values.xml", "", repeated_date},
    {"tests/wellformed/atom/entry_updated_multiple_values.xml", "", repeated_date},
    {"tests/wellformed/atom/entry_published_parsed_date_overwriting.xml", "",
     "<published> is not an Atom 0.3 element; feedd reads <issued>, feedparser lets the later one win"},
    {"tests/wellformed/atom10/entry_content_base64.xml", "", binary_base64},
    {"tests/wellformed/atom10/entry_content_base64_2.xml", "", binary_base64},
    {"tests/wellformed/atom10/entry_summary_base64.xml", "", binary_base64},
    {"tests/wellformed/atom10/entry_summary_base64_2.xml", "", binary_base64},
    {"tests/wellformed/atom10/entry_title_base64.xml", "", binary_base64},
    {"tests/wellformed/atom10/entry_title_base64_2.xml", "", binary_base64},
    {"tests/wellformed/atom10/feed_title_base64.xml", "", binary_base64},
    {"tests/wellformed/atom10/feed_title_base64_2.xml", "", binary_base64},
    {"tests/wellformed/base/http_entry_id_base_content_location.xml", "", relative_id},
    {"tests/wellformed/base/http_entry_id_base_docuri.xml", "", relative_id},
    {"tests/wellformed/itunes/itunes_core_element_uppercase.xml", "",
     "XML names are case-sensitive (XML 1.0 §2.3); feedparser folds them as iTunes does"},
    {"tests/wellformed/rss/item_description_and_summary.xml", "entries.0.content.0.value", summary_in_rss},
    {"tests/wellformed/rss/item_summary_and_description.xml", "", summary_in_rss},
    {"tests/wellformed/rss/item_madeup_tags_element.xml", "entries.0.tags.0.term",
     "<tags> is an element no specification defines"},
    {"tests/wellformed/rss/item_madeup_tags_element.xml", "entries.0.tags.1.term",
     "<tags> is an element no specification defines"},
    {"tests/wellformed/rss/entity_in_doctype.xml", "",
     "entities declared in the DOCTYPE stay literal: feedd does no DTD processing (RELIABILITY M1, M2: "
     "billion laughs, XXE); feedparser expands internal ones"},
    {"tests/wellformed/base/rel_uri_with_unicode_character.xml", "",
     "non-ASCII in a resolved URL: feedd writes a URI, percent-encoded (RFC 3986 §2.1, as the WHATWG URL "
     "serializer and feedd's entry links do); feedparser keeps the IRI"},
}};

std::string joined(const nlohmann::json& path) {
  std::string out;
  for (const auto& step : path) {
    if (!out.empty()) out += '.';
    out += step.is_string() ? step.get<std::string>() : step.dump();
  }
  return out;
}

std::optional<std::string> policy_skip(const feedparser_expectation& expectation) {
  const auto path = joined(expectation.path);
  for (const auto& p : policy_differences) {
    if (p.file == expectation.file && (p.path.empty() || p.path == path)) return std::string{p.reason};
  }
  return std::nullopt;
}

// feedparser's links[n] names any <link>; only the kinds feedd keeps apply.
std::optional<std::string> link_skip(std::string_view document, std::optional<std::size_t> entry, std::size_t n) {
  const auto rel = link_relation(document, entry, n);
  if (!rel || *rel == "alternate" || (entry && *rel == "enclosure")) return std::nullopt;
  return "link rel=\"" + (rel->size() > 40 ? "(a URI)" : *rel) + "\": feedd keeps the alternate link and enclosures";
}

check_result judge_feed(const feed& ours, const nlohmann::json& path, const nlohmann::json& expected,
                        std::string_view document) {
  const auto key = path[1].get<std::string>();
  if (key == "title" || key == "title_detail") return match_text(ours.title, expected.get<std::string>());
  if (key == "links" && path.size() > 2) {
    if (auto reason = link_skip(document, std::nullopt, path[2].get<std::size_t>())) return skip(std::move(*reason));
  }
  if (key == "link" || key == "links") return match_exact(ours.site_url, expected.get<std::string>());
  if (key == "category" || key == "tags") return skip("feed categories: not in feedd's model");
  return skip("feed." + key + ": not in feedd's model");
}

check_result judge_enclosure(const entry& ours, const nlohmann::json& path, const nlohmann::json& expected) {
  const auto index = path[3].get<std::size_t>();
  if (index >= ours.enclosures.size()) {
    return fail("ours has " + std::to_string(ours.enclosures.size()) + " enclosures, expected one at " +
                std::to_string(index));
  }
  const auto& e = ours.enclosures[index];
  const auto length = e.length ? std::to_string(*e.length) : std::string{};
  if (path.size() == 4) {
    const std::string want_length = expected.value("length", "");
    if (e.url == expected.value("href", "") && e.type == expected.value("type", "") && length == want_length) {
      return {};
    }
    return fail("ours " + shown(e.url + " " + e.type + " " + length) + " expected " + shown(expected.dump()));
  }
  const auto part = path[4].get<std::string>();
  const auto want = expected.get<std::string>();
  if (part == "href") return match_exact(e.url, want);
  if (part == "type") return match_exact(e.type, want);
  if (part == "length") return match_exact(length, want);
  return skip("enclosure " + part + ": not in feedd's model");
}

check_result judge_entry(const entry& ours, const nlohmann::json& path, const nlohmann::json& expected,
                         std::string_view document) {
  const auto key = path[2].get<std::string>();
  const auto last = path.back().is_string() ? path.back().get<std::string>() : std::string{};
  if (key == "enclosures") return judge_enclosure(ours, path, expected);
  if (key.ends_with("_parsed")) {
    return match_instant(ours, reference_instant(expected.value("iso", "")), expected.value("iso", ""));
  }
  if (key == "created" || key == "published" || key == "updated") {
    const auto text = expected.get<std::string>();
    return match_instant(ours, reference_instant(text), text);
  }
  const auto want = expected.is_string() ? expected.get<std::string>() : expected.dump();
  if (key == "title" || key == "title_detail") return match_text(ours.title, want);
  if (key == "id") return match_exact(ours.guid, want);
  if (key == "link") return match_exact(ours.url, want);
  if (key == "links") {
    if (auto reason = link_skip(document, path[1].get<std::size_t>(), path[3].get<std::size_t>())) {
      return skip(std::move(*reason));
    }
    if (match_exact(ours.url, want).outcome == verdict::pass) return {};
    for (const auto& e : ours.enclosures) {
      if (match_exact(e.url, want).outcome == verdict::pass) return {};
    }
    return fail("ours url " + shown(ours.url) + " and " + std::to_string(ours.enclosures.size()) +
                " enclosures; expected " + shown(want));
  }
  if (key == "author" || key == "author_detail" || key == "authors") {
    if (key == "authors" && path[3].get<std::size_t>() > 0) return skip("second author: feedd keeps one author");
    if (last == "email" || last == "href") return skip("author " + last + ": not in feedd's model");
    return match_author(ours.author, want);
  }
  if (key == "summary" || key == "summary_detail" || key == "content") return match_html(ours, want);
  if (key == "category" || (key == "tags" && last == "term")) {
    for (const auto& category : ours.categories) {
      if (match_text(category, want).outcome == verdict::pass) return {};
    }
    return fail("ours " + std::to_string(ours.categories.size()) + " categories, none " + shown(want));
  }
  if (key == "tags") return skip("category label: feedd stores the term");
  return skip("entry." + key + ": not in feedd's model");
}

}  // namespace

feedparser_expectation read_expectation(const nlohmann::json& line) {
  return {line.at("file").get<std::string>(),  line.at("category").get<std::string>(),
          line.at("field").get<std::string>(), line.at("path"),
          line.at("expected"),                 line.value("http_headers", nlohmann::json{})};
}

fetch_context context_of(const feedparser_expectation& expectation) {
  fetch_context context;
  context.base_url = std::string{server} + "/" + expectation.file;
  // RFC 2616 §14.14 let Content-Location set the base (RFC 9110 no longer
  // does); feedd's fetcher could pass it the same way, so the parser is
  // judged on resolving against the base it is given. Unsafe schemes are
  // ignored, as feedparser does.
  if (const auto location = header(expectation.http_headers, "content-location"); !location.empty()) {
    if (location.starts_with("http://") || location.starts_with("https://")) context.base_url = location;
    if (location.starts_with("/")) context.base_url = std::string{server} + location;
  }
  const auto type = header(expectation.http_headers, "content-type");
  context.content_type = type.substr(0, type.find(';'));
  if (const auto at = lower(type).find("charset="); at != std::string::npos) {
    context.charset = type.substr(at + 8);
    if (const auto end = context.charset.find(';'); end != std::string::npos) context.charset.resize(end);
  }
  return context;
}

check_result judge(const feedparser_expectation& expectation, std::string_view document,
                   const expected<feed, parsers::not_a_feed>& ours) {
  if (auto reason = category_skip(expectation.category)) return skip(std::move(*reason));
  if (auto reason = policy_skip(expectation)) return skip(std::move(*reason));
  if (!ours.has_value()) return fail("not a feed: " + ours.error().message);
  const auto& path = expectation.path;
  if (path.size() < 2) return skip("path too short");
  if (path[0] == "feed") return judge_feed(*ours, path, expectation.expected, document);
  const auto index = path[1].get<std::size_t>();
  if (index >= ours->entries.size()) {
    // SPEC (Database): one entry per guid; the parser keeps the first and
    // says so in a warning.
    for (const auto& warning : ours->warnings) {
      if (warning.find("duplicate guid") != std::string::npos) {
        return skip("entries sharing a guid: feedd keeps the first (SPEC: unique on feed_id, guid)");
      }
    }
    return fail("ours has " + std::to_string(ours->entries.size()) + " entries, expected one at " +
                std::to_string(index));
  }
  return judge_entry(ours->entries[index], path, expectation.expected, document);
}

scoreboard run_feedparser_suite(const std::filesystem::path& corpus_dir) {
  const auto root = corpus_dir / "feedparser";
  std::ifstream lines{root / "EXPECTATIONS.jsonl"};
  scoreboard board;
  std::string line;
  std::string cached_key;
  std::string document;
  std::optional<expected<feed, parsers::not_a_feed>> cached;
  constexpr std::size_t max_lines = 100000;
  for (std::size_t n = 0; n < max_lines && std::getline(lines, line); ++n) {
    if (line.empty()) continue;
    const auto expectation = read_expectation(nlohmann::json::parse(line));
    const auto context = context_of(expectation);
    // Consecutive lines often check one file; parse it once.
    const auto key = expectation.file + "\n" + context.base_url + "\n" + context.charset;
    if (key != cached_key || !cached) {
      document = test::read_file(root / expectation.file);
      cached.emplace(parsers::parse(document, {context.base_url, context.charset, context.content_type}));
      cached_key = key;
    }
    board.record(expectation.category, expectation.field, expectation.file, judge(expectation, document, *cached));
  }
  return board;
}

}  // namespace feedd::conformance
