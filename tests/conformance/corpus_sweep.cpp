#include "corpus_sweep.hpp"

#include <algorithm>
#include <array>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ostream>

#include <unistd.h>

#include "feedd/parsers/parse.hpp"
#include "output_contract.hpp"
#include "support/process.hpp"

namespace feedd::conformance {

using contract::contract_violations;
using contract::is_clean_text;
namespace {

namespace fs = std::filesystem;
using std::chrono::microseconds;

constexpr std::size_t max_files = 50000;
constexpr std::size_t max_problems_kept = 20;

// A crash takes the whole test binary down; this names the document that
// did it before the previous handler (default, or a sanitizer's) runs.
char crashing_file[4096];
constexpr std::array<int, 5> crash_signals{SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
std::array<struct sigaction, crash_signals.size()> previous_actions;

void on_crash(int signo) {
  constexpr char prefix[] = "\nconformance: crashed while parsing ";
  [[maybe_unused]] auto written = ::write(STDERR_FILENO, prefix, sizeof prefix - 1);
  written = ::write(STDERR_FILENO, crashing_file, std::strlen(crashing_file));
  written = ::write(STDERR_FILENO, "\n", 1);
  for (std::size_t i = 0; i < crash_signals.size(); ++i) {
    if (crash_signals[i] == signo) ::sigaction(signo, &previous_actions[i], nullptr);
  }
  // Returning re-runs the faulting instruction (or abort() raises again)
  // under the previous handler.
}

class crash_reporter {
 public:
  crash_reporter() {
    struct sigaction action {};
    action.sa_handler = on_crash;
    sigemptyset(&action.sa_mask);
    for (std::size_t i = 0; i < crash_signals.size(); ++i) ::sigaction(crash_signals[i], &action, &previous_actions[i]);
  }
  crash_reporter(const crash_reporter&) = delete;
  crash_reporter& operator=(const crash_reporter&) = delete;
  ~crash_reporter() {
    for (std::size_t i = 0; i < crash_signals.size(); ++i) ::sigaction(crash_signals[i], &previous_actions[i], nullptr);
  }
  void now_parsing(const std::string& file) {
    std::snprintf(crashing_file, sizeof crashing_file, "%s", file.c_str());
  }
};

void note(sweep_stats& stats, const std::string& problem) {
  if (stats.problems.size() < max_problems_kept) stats.problems.push_back(problem);
}

void add(sweep_stats& into, const sweep_stats& one) {
  into.documents += one.documents;
  into.feeds += one.feeds;
  into.entries += one.entries;
  into.slow += one.slow;
  into.over_budget += one.over_budget;
  into.broken += one.broken;
  if (one.slowest > into.slowest) {
    into.slowest = one.slowest;
    into.slowest_file = one.slowest_file;
  }
  for (const auto& p : one.problems) note(into, p);
}

bool same(const expected<feed, parsers::not_a_feed>& a, const expected<feed, parsers::not_a_feed>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a.has_value()) return a.error().message == b.error().message;
  return a->format == b->format && a->title == b->title && a->site_url == b->site_url && a->ttl == b->ttl &&
         a->entries == b->entries && a->warnings == b->warnings;
}

sweep_stats sweep_one(const fs::path& path, const std::string& name, std::chrono::milliseconds target,
                      std::chrono::milliseconds budget) {
  sweep_stats stats;
  stats.documents = 1;
  const auto document = test::read_file(path);
  // The document URL as if served from 127.0.0.1, so that relative links
  // take the resolution path too.
  const auto base = "http://127.0.0.1:8097/" + name;
  const auto start = std::chrono::steady_clock::now();
  const auto result = parsers::parse(document, {base, {}, {}});
  stats.slowest = std::chrono::duration_cast<microseconds>(std::chrono::steady_clock::now() - start);
  stats.slowest_file = name;
  if (stats.slowest > target) ++stats.slow;
  if (stats.slowest > budget) ++stats.over_budget;
  std::vector<std::string> problems;
  if (result.has_value()) {
    ++stats.feeds;
    stats.entries = result->entries.size();
    problems = contract_violations(*result);
  } else if (!is_clean_text(result.error().message)) {
    problems.push_back("not_a_feed message: invalid UTF-8 or a control character");
  }
  if (!same(result, parsers::parse(document, {base, {}, {}}))) problems.push_back("second parse differs");
  if (!problems.empty()) {
    ++stats.broken;
    const auto more = problems.size() > 1 ? " (+" + std::to_string(problems.size() - 1) + " more)" : std::string{};
    note(stats, name + ": " + problems.front() + more);
  }
  return stats;
}

void print_row(std::ostream& out, const std::string& name, const sweep_stats& s) {
  char line[256];
  std::snprintf(line, sizeof line, "  %-20s %6zu %6zu %7zu %6zu %7zu %9.1f  %s\n", name.c_str(), s.documents, s.feeds,
                s.entries, s.slow, s.broken, static_cast<double>(s.slowest.count()) / 1000.0, s.slowest_file.c_str());
  out << line;
}

}  // namespace

void sweep_report::print(std::ostream& out) const {
  out << "\n== conformance: every corpus document (slow: over " << target.count() << " ms; this build may take "
      << budget.count() << " ms) ==\n";
  char line[256];
  std::snprintf(line, sizeof line, "  %-20s %6s %6s %7s %6s %7s %9s  %s\n", "source", "docs", "feeds", "entries",
                "slow", "broken", "max ms", "slowest document");
  out << line;
  for (const auto& [name, stats] : by_source) print_row(out, name, stats);
  print_row(out, "TOTAL", total);
  for (const auto& problem : total.problems) out << "    " << problem << "\n";
}

sweep_report sweep_corpus(const std::filesystem::path& corpus_dir, std::chrono::milliseconds target,
                          std::chrono::milliseconds budget) {
  std::vector<fs::path> files;
  for (const auto& item : fs::recursive_directory_iterator(corpus_dir)) {
    if (files.size() == max_files) break;
    if (item.is_regular_file()) files.push_back(item.path());
  }
  std::sort(files.begin(), files.end());
  sweep_report report;
  report.target = target;
  report.budget = budget;
  crash_reporter reporter;
  for (const auto& path : files) {
    const auto name = fs::relative(path, corpus_dir).string();
    reporter.now_parsing(name);
    const auto stats = sweep_one(path, name, target, budget);
    add(report.by_source[name.substr(0, name.find('/'))], stats);
    add(report.total, stats);
  }
  return report;
}

}  // namespace feedd::conformance
