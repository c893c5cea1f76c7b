#include "gofeed_suite.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "feedd/parsers/parse.hpp"
#include "field_match.hpp"
#include "reference_dates.hpp"
#include "support/process.hpp"

namespace feedd::conformance {
namespace {

namespace fs = std::filesystem;

// Checks where gofeed's policy differs from a deliberate one of feedd's.
struct policy_difference {
  std::string_view file;  // relative to testdata/translator
  std::string_view field;
  std::string_view reason;
};

constexpr std::string_view several_links = "several <link> elements: feedd keeps the first, gofeed the last";

constexpr std::array<policy_difference, 4> policy_differences{{
    {"rss/feed_links_-_rss_channel_links.xml", "feed.link", several_links},
    {"rss/feed_links_-_rdf_channel_links.xml", "feed.link", several_links},
    {"rss/feed_item_links_-_rss_channel_item_links.xml", "item.link", several_links},
    {"atom/feed_categories_-_atom_feed_categories.xml", "item.categories",
     "atom:category with a label: feedd stores the term, which identifies the category (RFC 4287 §4.2.2.1), "
     "as feedparser does; gofeed stores the label"},
}};

// The check itself, or the skip that replaces it.
check_result unless_policy(std::string_view file, std::string_view field, check_result result) {
  file = file.substr(0, file.find('#'));
  for (const auto& p : policy_differences) {
    if (p.file == file && p.field == field) return skip(std::string{p.reason});
  }
  return result;
}

std::string string_at(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

// gofeed's author: a name, or only an e-mail address when there is no name.
std::string author_of(const nlohmann::json& item) {
  const auto it = item.find("author");
  if (it == item.end() || !it->is_object()) return {};
  auto name = string_at(*it, "name");
  return name.empty() ? string_at(*it, "email") : name;
}

check_result judge_categories(const entry& ours, const nlohmann::json& expected) {
  std::vector<std::string> want;
  for (const auto& c : expected) want.push_back(c.is_string() ? c.get<std::string>() : c.dump());
  bool same = want.size() == ours.categories.size();
  for (std::size_t i = 0; same && i < want.size(); ++i) {
    same = match_text(ours.categories[i], want[i]).outcome == verdict::pass;
  }
  if (same) return {};
  std::string got;
  for (const auto& c : ours.categories) got += (got.empty() ? "" : "|") + c;
  return fail("ours " + shown(got) + " expected " + shown(expected.dump()));
}

check_result judge_enclosures(const entry& ours, const nlohmann::json& expected) {
  bool same = expected.size() == ours.enclosures.size();
  for (std::size_t i = 0; same && i < expected.size(); ++i) {
    const auto& e = ours.enclosures[i];
    const auto length = e.length ? std::to_string(*e.length) : std::string{};
    same = e.url == string_at(expected[i], "url") && e.type == string_at(expected[i], "type") &&
           length == string_at(expected[i], "length");
  }
  if (same) return {};
  std::string got;
  for (const auto& e : ours.enclosures) {
    got += e.url + " " + e.type + " " + (e.length ? std::to_string(*e.length) : "-") + "; ";
  }
  return fail("ours " + shown(got) + " expected " + shown(expected.dump()));
}

check_result judge_date(const entry& ours, const nlohmann::json& item, const char* raw, const char* parsed) {
  const auto text = string_at(item, parsed).empty() ? string_at(item, raw) : string_at(item, parsed);
  return match_instant(ours, reference_instant(text), text);
}

void judge_item(const nlohmann::json& item, const entry& ours, std::string_view category, std::string_view file,
                scoreboard& board) {
  const auto record = [&](std::string_view field, const check_result& result) {
    board.record(category, field, file, unless_policy(file, field, result));
  };
  if (item.contains("title")) record("item.title", match_text(ours.title, string_at(item, "title")));
  if (item.contains("link")) record("item.link", match_exact(ours.url, string_at(item, "link")));
  if (item.contains("guid")) record("item.guid", match_exact(ours.guid, string_at(item, "guid")));
  if (item.contains("description")) record("item.description", match_html(ours, string_at(item, "description")));
  if (item.contains("content")) record("item.content", match_html(ours, string_at(item, "content")));
  if (item.contains("published")) record("item.published", judge_date(ours, item, "published", "publishedParsed"));
  if (item.contains("updated")) record("item.updated", judge_date(ours, item, "updated", "updatedParsed"));
  if (item.contains("author")) record("item.author", match_author(ours.author, author_of(item)));
  if (item.contains("categories")) record("item.categories", judge_categories(ours, item["categories"]));
  if (item.contains("enclosures")) record("item.enclosures", judge_enclosures(ours, item["enclosures"]));
}

}  // namespace

void judge_golden(const nlohmann::json& golden, const feed& ours, std::string_view category, std::string_view file,
                  scoreboard& board) {
  if (golden.contains("title")) {
    board.record(category, "feed.title", file, match_text(ours.title, string_at(golden, "title")));
  }
  if (golden.contains("link")) {
    board.record(category, "feed.link", file,
                 unless_policy(file, "feed.link", match_exact(ours.site_url, string_at(golden, "link"))));
  }
  const auto items = golden.value("items", nlohmann::json::array());
  const auto count = ours.entries.size() == items.size()
                         ? check_result{}
                         : fail("ours " + std::to_string(ours.entries.size()) + " items, expected " +
                                std::to_string(items.size()));
  board.record(category, "items (count)", file, count);
  for (std::size_t i = 0; i < items.size() && i < ours.entries.size(); ++i) {
    judge_item(items[i], ours.entries[i], category, std::string{file} + "#" + std::to_string(i), board);
  }
}

scoreboard run_gofeed_suite(const std::filesystem::path& corpus_dir) {
  const auto root = corpus_dir / "gofeed/testdata/translator";
  std::vector<std::pair<fs::path, fs::path>> pairs;  // document, golden
  for (const auto& item : fs::recursive_directory_iterator(root)) {
    const auto& path = item.path();
    if (!item.is_regular_file()) continue;
    if (path.extension() == ".xml") {
      pairs.emplace_back(path, fs::path{path}.replace_extension(".json"));
    } else if (path.parent_path().filename() == "json" && !path.stem().string().ends_with("_expected")) {
      pairs.emplace_back(path, path.parent_path() / (path.stem().string() + "_expected.json"));
    }
  }
  std::sort(pairs.begin(), pairs.end());
  scoreboard board;
  for (const auto& [document_path, golden_path] : pairs) {
    const auto category = document_path.parent_path().filename().string();
    const auto file = fs::relative(document_path, root).string();
    if (!fs::exists(golden_path)) {
      board.record(category, "golden", file, skip("no golden beside the document"));
      continue;
    }
    const auto golden = nlohmann::json::parse(test::read_file(golden_path));
    const auto document = test::read_file(document_path);
    const auto ours = parsers::parse(document, {});
    if (!ours) {
      board.record(category, "items (count)", file, fail("not a feed: " + ours.error().message));
      continue;
    }
    judge_golden(golden, *ours, category, file, board);
  }
  return board;
}

}  // namespace feedd::conformance
