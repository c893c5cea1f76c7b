#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

// Every file under the corpus through parse(): no crash, no hang, bounded
// time per document, the output contract kept (output_contract.hpp) and the
// same result for the same bytes (identity depends on it: SPEC, Database).
namespace feedd::conformance {

struct sweep_stats {
  std::size_t documents = 0;
  std::size_t feeds = 0;       // parse() returned a feed
  std::size_t entries = 0;
  std::size_t slow = 0;        // took longer than the target (100 ms)
  std::size_t over_budget = 0; // took longer than this build's budget
  std::size_t broken = 0;      // output contract violated or result not repeatable
  std::chrono::microseconds slowest{0};
  std::string slowest_file;
  std::vector<std::string> problems;  // "file: what", the first few
};

struct sweep_report {
  std::map<std::string, sweep_stats> by_source;  // first folder under corpus/
  sweep_stats total;
  std::chrono::milliseconds target{0};
  std::chrono::milliseconds budget{0};

  void print(std::ostream& out) const;
};

// target: the time per document the issue asks for (counted, printed);
// budget: what this build must not exceed (Debug and sanitizer builds are
// several times slower than the release daemon).
sweep_report sweep_corpus(const std::filesystem::path& corpus_dir, std::chrono::milliseconds target,
                          std::chrono::milliseconds budget);

}  // namespace feedd::conformance
