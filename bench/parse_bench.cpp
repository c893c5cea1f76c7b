// parse_bench: feedd's parser (detection, transcoding, entity repair, DOM,
// normalization, sanitizing, dates, URLs) against raw pugixml DOM parsing of
// the same bytes, the floor any DOM-based parser stands on. Issue 3's 50%-of-
// pugixml target was withdrawn by issue 12 for the model ceiling's 0.6. Nothing here asserts;
// compare the numbers between commits on the same machine.
//
//   cmake --preset bench && cmake --build --preset bench --target parse_bench
//   build/bench/bench/parse_bench [--mb 50] [--reps 5] [--corpus DIR | --no-corpus]
//
// Each repetition times pugixml, then a bare walk of pugixml's tree, then
// feedd, on the same documents; a ratio is the median of the repetitions'
// own ratios, so that the machine slowing down between repetitions (it is
// shared) moves both sides of each ratio. "walk ceiling" is pugixml's time
// over that of pugixml plus a walk reading every node's and attribute's
// name and value and doing nothing else: the best ratio any reader of the
// DOM could reach, before detection, repair, namespaces or normalization.
// "model ceiling" adds what any parser that returns feedd's model from
// pugixml's DOM must do besides: check the bytes as UTF-8 text while
// copying them into a buffer to parse in place (the model holds only valid
// UTF-8; pugixml checks nothing), and copy every text and attribute value
// into a string of its own (the model owns its strings). Every name lookup,
// date, URL and HTML rewrite of a real parser comes on top of it.
//
// With --corpus DIR holding a manifest.json (bench/corpus.py), it measures
// bench/run's parse row instead (parse_corpus.cpp): feedd against the model
// ceiling (issue 12's target: >= 0.6), raw pugixml shown, and JSON Feed
// through the same parse() entry point; --json FILE writes the row.
//
//   build/bench/bench/parse_bench --corpus DIR [--limit N] [--reps 5] [--json FILE]
//
// Corpora: a generated one (RSS 2.0, Atom 1.0 and RDF documents of 2-200 KB,
// log-uniform, --mb in total) and, reported separately, every file under
// ../shared/corpus when present (small test documents: per-call overhead).

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "feed_generator.hpp"
#include "parse_corpus.hpp"
#include "parse_work.hpp"
#include "feedd/parsers/parse.hpp"

namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

struct document {
  std::string bytes;
  std::size_t entries = 0;  // what our parser returned (the same for both columns)
};

struct settings {
  std::size_t megabytes = 50;
  std::size_t repetitions = 5;
  fs::path corpus = fs::path{FEEDD_SOURCE_DIR} / ".." / "shared" / "corpus";
  bool use_corpus = true;
  std::size_t limit = 0;  // manifest corpora: the first N feeds (0: all)
  std::string json_path;
};

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const auto n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

// Seconds of one pass over every document; the volatile sum keeps the work
// from being optimized away.
double timed_pass(const std::vector<document>& documents, const std::function<std::size_t(const document&)>& work) {
  volatile std::size_t sink = 0;
  const auto start = clock_type::now();
  for (const auto& d : documents) sink = sink + work(d);
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

std::size_t pugixml_dom(const document& d) { return feedd::bench::pugixml_dom(d.bytes); }
std::size_t pugixml_dom_walk(const document& d) { return feedd::bench::pugixml_dom_walk(d.bytes); }
std::size_t model_floor(const document& d) { return feedd::bench::model_floor(d.bytes); }

std::size_t feedd_parse(const document& d) {
  const auto result = feedd::parsers::parse(d.bytes, {"https://example.org/feed.xml", {}, {}});
  return result ? result->entries.size() : 0;
}

void report(std::string_view name, const std::vector<document>& documents, std::size_t repetitions) {
  std::size_t bytes = 0;
  std::size_t entries = 0;
  for (const auto& d : documents) {
    bytes += d.bytes.size();
    entries += d.entries;
  }
  timed_pass(documents, pugixml_dom);  // warm caches and the allocator
  timed_pass(documents, pugixml_dom_walk);
  timed_pass(documents, model_floor);
  timed_pass(documents, feedd_parse);
  std::vector<double> raw;
  std::vector<double> ours;
  std::vector<double> ratios;
  std::vector<double> ceilings;
  std::vector<double> floors;
  for (std::size_t r = 0; r < repetitions; ++r) {
    raw.push_back(timed_pass(documents, pugixml_dom));
    const double walked = timed_pass(documents, pugixml_dom_walk);
    const double floor = timed_pass(documents, model_floor);
    ours.push_back(timed_pass(documents, feedd_parse));
    ratios.push_back(raw.back() / ours.back());
    ceilings.push_back(raw.back() / walked);
    floors.push_back(raw.back() / floor);
  }
  const double mb = static_cast<double>(bytes) / 1e6;
  const double raw_s = median(raw);
  const double ours_s = median(ours);
  std::printf("%-22.*s %6zu %8.1f %8zu | %10.1f %12.0f | %10.1f %12.0f | %6.1f%% | %11.1f%% | %12.1f%%\n",
              static_cast<int>(name.size()), name.data(), documents.size(), mb, entries, mb / raw_s,
              static_cast<double>(entries) / raw_s, mb / ours_s, static_cast<double>(entries) / ours_s,
              100.0 * median(ratios), 100.0 * median(ceilings), 100.0 * median(floors));
}

std::vector<document> with_entry_counts(std::vector<document> documents) {
  for (auto& d : documents) d.entries = feedd_parse(d);
  return documents;
}

std::vector<document> shared_corpus(const fs::path& root) {
  std::vector<document> out;
  if (!fs::is_directory(root)) return out;
  std::vector<fs::path> files;
  for (const auto& item : fs::recursive_directory_iterator(root)) {
    if (item.is_regular_file()) files.push_back(item.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    std::ifstream in{path, std::ios::binary};
    std::ostringstream bytes;
    bytes << in.rdbuf();
    out.push_back({bytes.str(), 0});
  }
  return with_entry_counts(std::move(out));
}

bool read_settings(int argc, char** argv, settings& s) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--mb" && has_value) {
      s.megabytes = std::strtoul(argv[++i], nullptr, 10);
    } else if (arg == "--reps" && has_value) {
      s.repetitions = std::max<std::size_t>(1, std::strtoul(argv[++i], nullptr, 10));
    } else if (arg == "--corpus" && has_value) {
      s.corpus = argv[++i];
    } else if (arg == "--limit" && has_value) {
      s.limit = std::strtoul(argv[++i], nullptr, 10);
    } else if (arg == "--json" && has_value) {
      s.json_path = argv[++i];
    } else if (arg == "--no-corpus") {
      s.use_corpus = false;
    } else {
      std::fprintf(stderr,
                   "usage: parse_bench [--mb N] [--reps N] [--corpus DIR | --no-corpus]\n"
                   "       parse_bench --corpus DIR-with-manifest.json [--limit N] [--reps N] [--json FILE]\n");
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  settings s;
  if (!read_settings(argc, argv, s)) return 64;
  if (s.use_corpus && fs::exists(s.corpus / "manifest.json")) {
    return feedd::bench::run_manifest_corpus(s.corpus, s.limit, s.repetitions, s.json_path);
  }
  if (!s.json_path.empty()) {
    std::fprintf(stderr, "parse_bench: --json needs --corpus DIR with a manifest.json (bench/corpus.py)\n");
    return 64;
  }
  const auto generated = feedd::bench::generate_corpus(s.megabytes * 1000 * 1000, 20240601);
  std::vector<document> all;
  std::array<std::vector<document>, 3> by_format;
  for (const auto& g : generated) {
    by_format[static_cast<std::size_t>(g.format)].push_back({g.bytes, 0});
    all.push_back({g.bytes, 0});
  }
  all = with_entry_counts(std::move(all));
  std::printf("medians of %zu repetitions; ratio = feedd MB/s / pugixml MB/s (target >= 50%%)\n", s.repetitions);
  std::printf("%-22s %6s %8s %8s | %10s %12s | %10s %12s | %7s | %12s | %13s\n", "corpus", "docs", "MB", "entries",
              "pugixml MB/s", "entries/s", "feedd MB/s", "entries/s", "ratio", "walk ceiling", "model ceiling");
  report("generated (all)", all, s.repetitions);
  constexpr std::array<std::string_view, 3> names{"generated rss2.0", "generated atom1.0", "generated rdf"};
  for (std::size_t f = 0; f < by_format.size(); ++f) {
    report(names[f], with_entry_counts(std::move(by_format[f])), s.repetitions);
  }
  if (s.use_corpus) {
    const auto corpus = shared_corpus(s.corpus);
    if (corpus.empty()) {
      std::printf("(no corpus at %s)\n", s.corpus.c_str());
    } else {
      report("../shared/corpus", corpus, s.repetitions);
    }
  }
  return 0;
}
