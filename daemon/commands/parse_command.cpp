// feedd parse: one document through the daemon's parser, printed as JSON.
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app.hpp"
#include "feedd/parsers/dates.hpp"
#include "feedd/parsers/parse.hpp"

namespace feedd::daemon {

namespace {

nlohmann::ordered_json date_json(const std::optional<timestamp>& t) {
  if (!t) return nullptr;
  return parsers::format_rfc3339(*t);
}

nlohmann::ordered_json to_json(const feed& f) {
  nlohmann::ordered_json out;
  out["format"] = parsers::to_string(f.format);
  out["title"] = f.title;
  out["site_url"] = f.site_url;
  out["ttl_seconds"] = f.ttl ? nlohmann::ordered_json(f.ttl->count()) : nlohmann::ordered_json(nullptr);
  out["warnings"] = f.warnings;
  auto& entries = out["entries"] = nlohmann::ordered_json::array();
  for (const auto& e : f.entries) {
    nlohmann::ordered_json j;
    j["guid"] = e.guid;
    j["url"] = e.url;
    j["title"] = e.title;
    j["author"] = e.author;
    j["summary"] = e.summary;
    j["content"] = e.content;
    j["published_at"] = date_json(e.published_at);
    j["updated_at"] = date_json(e.updated_at);
    j["categories"] = e.categories;
    auto& enclosures = j["enclosures"] = nlohmann::ordered_json::array();
    for (const auto& enc : e.enclosures) {
      enclosures.push_back({{"url", enc.url},
                            {"type", enc.type},
                            {"length", enc.length ? nlohmann::ordered_json(*enc.length) : nlohmann::ordered_json(nullptr)}});
    }
    entries.push_back(std::move(j));
  }
  return out;
}

}  // namespace

int run_parse(const std::string& file, const std::string& base_url, const std::string& charset) {
  std::string document;
  if (file == "-") {
    document.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::cerr << "parse: cannot read " << file << '\n';
      return exit_usage;
    }
    std::ostringstream s;
    s << in.rdbuf();
    document = s.str();
  }
  auto parsed = parsers::parse(document, {base_url, charset, {}});
  if (!parsed) {
    std::cerr << parsed.error().message << '\n';
    return exit_not_a_feed;
  }
  // The parser guarantees valid UTF-8, so dump() cannot throw on encoding.
  std::cout << to_json(*parsed).dump(2) << '\n';
  return exit_ok;
}

}  // namespace feedd::daemon
