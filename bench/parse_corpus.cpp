#include "parse_corpus.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "charset.hpp"
#include "feedd/parsers/parse.hpp"
#include "parse_work.hpp"

namespace feedd::bench {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

struct corpus_document {
  std::string bytes;       // as served
  std::string utf8;        // what raw pugixml reads (it knows neither KOI8-R nor Shift_JIS)
  std::string charset;     // Content-Type's charset parameter, if any
  std::string media_type;  // Content-Type without parameters
  bool is_utf8 = true;
  std::size_t entries = 0;
};

struct corpus {
  std::vector<corpus_document> xml;
  std::vector<corpus_document> json_feeds;
  std::size_t bytes(const std::vector<corpus_document>& documents) const {
    std::size_t n = 0;
    for (const auto& d : documents) n += d.bytes.size();
    return n;
  }
};

std::string read_file(const fs::path& path) {
  std::ifstream in{path, std::ios::binary};
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

corpus_document load_document(const fs::path& dir, const json& entry) {
  corpus_document d;
  d.bytes = read_file(dir / entry.at("path").get<std::string>());
  const auto content_type = entry.at("content_type").get<std::string>();
  const auto semicolon = content_type.find(';');
  d.media_type = content_type.substr(0, semicolon);
  if (const auto at = content_type.find("charset="); at != std::string::npos) d.charset = content_type.substr(at + 8);
  d.is_utf8 = entry.at("encoding").get<std::string>() == "utf-8";
  d.utf8 = feedd::parsers::detail::decode_document(d.bytes, d.charset).utf8;
  d.entries = entry.at("entries").get<std::size_t>();
  return d;
}

corpus load_corpus(const fs::path& dir, std::size_t limit) {
  const auto manifest = json::parse(read_file(dir / "manifest.json"));
  corpus out;
  std::size_t n = 0;
  for (const auto& entry : manifest.at("feeds")) {
    if (limit != 0 && n++ == limit) break;
    auto& into = entry.at("format").get<std::string>() == "json" ? out.json_feeds : out.xml;
    into.push_back(load_document(dir, entry));
  }
  return out;
}

std::size_t feedd_parse(const corpus_document& d) {
  const auto result = feedd::parsers::parse(d.bytes, {"https://example.org/feed.xml", d.charset, d.media_type});
  return result ? result->entries.size() : 0;
}

// What any parser returning feedd's model must do at least: UTF-8 checked
// into a buffer of its own, or (other charsets) transcoded into one, then
// parsed in place with every value copied.
std::size_t model_ceiling(const corpus_document& d) {
  if (d.is_utf8) return model_floor(d.bytes);
  auto decoded = feedd::parsers::detail::decode_document(d.bytes, d.charset);
  return model_walk(decoded.utf8);
}

double timed_pass(const std::vector<corpus_document>& documents,
                  const std::function<std::size_t(const corpus_document&)>& work) {
  volatile std::size_t sink = 0;
  const auto start = std::chrono::steady_clock::now();
  for (const auto& d : documents) sink = sink + work(d);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const auto n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

json summary(const std::vector<double>& runs) {
  return {{"median", median(runs)},
          {"min", *std::min_element(runs.begin(), runs.end())},
          {"max", *std::max_element(runs.begin(), runs.end())},
          {"runs", runs}};
}

struct timings {
  std::vector<double> raw, ceiling, ours, json_ours;  // seconds per pass
};

timings measure(const corpus& c, std::size_t repetitions) {
  const auto raw_pass = [](const corpus_document& d) { return pugixml_dom(d.utf8); };
  timed_pass(c.xml, raw_pass);  // warm caches and the allocator
  timed_pass(c.xml, model_ceiling);
  timed_pass(c.xml, feedd_parse);
  timed_pass(c.json_feeds, feedd_parse);
  timings t;
  for (std::size_t r = 0; r < repetitions; ++r) {
    t.raw.push_back(timed_pass(c.xml, raw_pass));
    t.ceiling.push_back(timed_pass(c.xml, model_ceiling));
    t.ours.push_back(timed_pass(c.xml, feedd_parse));
    t.json_ours.push_back(timed_pass(c.json_feeds, feedd_parse));
  }
  return t;
}

std::vector<double> rates(const std::vector<double>& seconds, double megabytes) {
  std::vector<double> out;
  for (const double s : seconds) out.push_back(megabytes / s);
  return out;
}

std::vector<double> quotients(const std::vector<double>& top, const std::vector<double>& bottom) {
  std::vector<double> out;
  for (std::size_t i = 0; i < top.size(); ++i) out.push_back(top[i] / bottom[i]);
  return out;
}

std::size_t entry_count(const std::vector<corpus_document>& documents) {
  std::size_t n = 0;
  for (const auto& d : documents) n += d.entries;
  return n;
}

json all_formats(const corpus& c, const timings& t) {
  const double bytes = static_cast<double>(c.bytes(c.xml) + c.bytes(c.json_feeds));
  const double feeds = static_cast<double>(c.xml.size() + c.json_feeds.size());
  std::vector<double> seconds;
  for (std::size_t i = 0; i < t.ours.size(); ++i) seconds.push_back(t.ours[i] + t.json_ours[i]);
  const double s = median(seconds);
  return {{"feeds", feeds},           {"bytes", bytes},
          {"entries", entry_count(c.xml) + entry_count(c.json_feeds)},
          {"seconds", summary(seconds)}, {"s_per_byte", s / bytes},
          {"ms_per_feed", 1000.0 * s / feeds}};
}

json parse_row(const corpus& c, const timings& t) {
  const double mb = static_cast<double>(c.bytes(c.xml)) / 1e6;
  const double json_mb = static_cast<double>(c.bytes(c.json_feeds)) / 1e6;
  const auto ours = rates(t.ours, mb);
  const auto ceiling = rates(t.ceiling, mb);
  char what[160];
  std::snprintf(what, sizeof what, "feedd parse() of the corpus's %zu XML feeds (%.1f MB, %zu entries)", c.xml.size(),
                mb, entry_count(c.xml));
  return {{"row", "parse"},
          {"ours", {{"what", what}, {"unit", "MB/s"}, {"runs", ours}}},
          {"against",
           {{"what", "model ceiling: UTF-8 checked (or transcoded) into a buffer, pugixml in place, every value copied"},
            {"unit", "MB/s"},
            {"runs", ceiling}}},
          {"ratio", summary(quotients(ours, ceiling))},
          {"target", {{"op", ">="}, {"value", 0.6}}},
          {"better", "higher"},
          {"note", "in-process, one thread; each repetition times raw pugixml, the model ceiling, feedd on the XML "
                   "feeds, then feedd on the JSON feeds (pugixml has no JSON side, so they are not in the ratio)"},
          {"extra",
           {{"raw_pugixml_mb_per_s", summary(rates(t.raw, mb))},
            {"ours_over_raw_pugixml", summary(quotients(ours, rates(t.raw, mb)))},
            {"json_feed", c.json_feeds.empty() ? json{}
                                               : json{{"feeds", c.json_feeds.size()},
                                                      {"mb", json_mb},
                                                      {"mb_per_s", summary(rates(t.json_ours, json_mb))}}},
            {"all_formats", all_formats(c, t)}}}};
}

void print_row(const json& row) {
  const auto& x = row["extra"];
  std::printf("parse: feedd %.1f MB/s, model ceiling %.1f MB/s, raw pugixml %.1f MB/s; ratio %.2f [%.2f-%.2f] "
              "(target >= 0.6); JSON Feed %.1f MB/s; all formats %.3f ms/feed\n",
              median(row["ours"]["runs"].get<std::vector<double>>()),
              median(row["against"]["runs"].get<std::vector<double>>()),
              x["raw_pugixml_mb_per_s"]["median"].get<double>(), row["ratio"]["median"].get<double>(),
              row["ratio"]["min"].get<double>(), row["ratio"]["max"].get<double>(),
              x["json_feed"].is_null() ? 0.0 : x["json_feed"]["mb_per_s"]["median"].get<double>(),
              x["all_formats"]["ms_per_feed"].get<double>());
}

}  // namespace

int run_manifest_corpus(const fs::path& dir, std::size_t limit, std::size_t repetitions, const std::string& json_path) {
  const auto c = load_corpus(dir, limit);
  if (c.xml.empty()) {
    std::fprintf(stderr, "parse_bench: %s: no XML feeds in the manifest\n", dir.c_str());
    return 1;
  }
  const auto row = parse_row(c, measure(c, repetitions));
  print_row(row);
  if (json_path.empty()) return 0;
  std::ofstream out{json_path};
  out << json::array({row}).dump(1) << '\n';
  return out ? 0 : 1;
}

}  // namespace feedd::bench
