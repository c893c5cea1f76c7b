#include "scoreboard.hpp"

#include <cstdio>
#include <ostream>

namespace feedd::conformance {
namespace {

void add(counts& c, verdict outcome) {
  switch (outcome) {
    case verdict::pass: ++c.passed; break;
    case verdict::fail: ++c.failed; break;
    case verdict::skip: ++c.skipped; break;
  }
}

std::string row(std::string_view name, const counts& c) {
  char line[160];
  std::snprintf(line, sizeof line, "  %-28.*s %6zu %6zu %6zu %7.1f%%\n", static_cast<int>(name.size()), name.data(),
                c.passed, c.failed, c.skipped, c.rate());
  return line;
}

void table(std::ostream& out, std::string_view heading, const std::map<std::string, counts>& rows) {
  char line[160];
  std::snprintf(line, sizeof line, "  %-28.*s %6s %6s %6s %8s\n", static_cast<int>(heading.size()), heading.data(),
                "pass", "fail", "skip", "rate");
  out << line;
  for (const auto& [name, c] : rows) out << row(name, c);
}

}  // namespace

double counts::rate() const {
  return applicable() == 0 ? 100.0 : 100.0 * static_cast<double>(passed) / static_cast<double>(applicable());
}

void scoreboard::record(std::string_view category, std::string_view field, std::string_view file,
                        const check_result& result) {
  add(total_, result.outcome);
  add(by_category_[std::string{category}], result.outcome);
  add(by_field_[std::string{field}], result.outcome);
  if (result.outcome == verdict::skip) ++skip_reasons_[result.detail];
  if (result.outcome == verdict::fail) {
    failures_.push_back(std::string{file} + " [" + std::string{field} + "] " + result.detail);
  }
}

void scoreboard::print(std::ostream& out, std::string_view source, std::size_t max_failures) const {
  out << "\n== conformance: " << source << " ==\n";
  table(out, "category", by_category_);
  table(out, "field", by_field_);
  out << row("TOTAL", total_);
  if (!skip_reasons_.empty()) out << "  skipped, by reason:\n";
  for (const auto& [reason, n] : skip_reasons_) out << "    " << n << "  " << reason << "\n";
  if (!failures_.empty()) out << "  failures (" << failures_.size() << "):\n";
  for (std::size_t i = 0; i < failures_.size() && i < max_failures; ++i) out << "    " << failures_[i] << "\n";
  if (failures_.size() > max_failures) out << "    ... " << failures_.size() - max_failures << " more\n";
}

}  // namespace feedd::conformance
