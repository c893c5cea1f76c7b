#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "feedd/parsers/parse.hpp"
#include "scoreboard.hpp"

// feedparser's equality checks (corpus/feedparser/EXPECTATIONS.jsonl, one
// JSON object a line: file, category, field, path into feedparser's result,
// expected, http_headers) mapped onto feedd's model.
namespace feedd::conformance {

struct feedparser_expectation {
  std::string file;      // "tests/wellformed/rss/item_guid.xml", relative to corpus/feedparser
  std::string category;  // "wellformed/rss"
  std::string field;     // "entry_id"
  nlohmann::json path;   // ["entries", 0, "id"]
  nlohmann::json expected;
  nlohmann::json http_headers;  // null or {"Content-type": "..."}
};

feedparser_expectation read_expectation(const nlohmann::json& line);

// What the daemon would pass to parse() had it fetched the file from
// feedparser's test server (document URL http://127.0.0.1:8097/<file>,
// headers as simulated).
struct fetch_context {
  std::string base_url;
  std::string charset;
  std::string content_type;
};
fetch_context context_of(const feedparser_expectation& expectation);

// One check: our parse of `document` against the expectation; skips (with
// the reason) what does not apply to feedd.
check_result judge(const feedparser_expectation& expectation, std::string_view document,
                   const expected<feed, parsers::not_a_feed>& ours);

// Every line of EXPECTATIONS.jsonl under corpus_dir/feedparser.
scoreboard run_feedparser_suite(const std::filesystem::path& corpus_dir);

}  // namespace feedd::conformance
