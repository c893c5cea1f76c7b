#pragma once

#include <cstddef>
#include <iosfwd>
#include <map>
#include <string>
#include <string_view>
#include <vector>

// Pass/fail/skip counts of the conformance checks, by source, category and
// field, and the failures themselves: the table printed after a run is how
// progress of the parser is made visible.
namespace feedd::conformance {

enum class verdict { pass, fail, skip };

struct check_result {
  verdict outcome = verdict::pass;
  std::string detail;  // fail: ours vs expected; skip: the reason
};

struct counts {
  std::size_t passed = 0;
  std::size_t failed = 0;
  std::size_t skipped = 0;

  std::size_t applicable() const { return passed + failed; }
  double rate() const;  // passed / applicable in percent; 100 when nothing applied
};

class scoreboard {
 public:
  void record(std::string_view category, std::string_view field, std::string_view file, const check_result& result);

  const counts& total() const { return total_; }
  const std::map<std::string, counts>& by_category() const { return by_category_; }
  const std::map<std::string, counts>& by_field() const { return by_field_; }
  const std::map<std::string, std::size_t>& skip_reasons() const { return skip_reasons_; }
  const std::vector<std::string>& failures() const { return failures_; }

  // The tables and (at most max_failures of) the failures, one per line.
  void print(std::ostream& out, std::string_view source, std::size_t max_failures) const;

 private:
  counts total_;
  std::map<std::string, counts> by_category_;
  std::map<std::string, counts> by_field_;
  std::map<std::string, std::size_t> skip_reasons_;
  std::vector<std::string> failures_;
};

}  // namespace feedd::conformance
