#include "structure_repair_log.hpp"

#include "truncate.hpp"

namespace feedd::parsers::detail {
namespace {

// What each warning says, in the order of structure_fix; the first place
// follows.
constexpr std::array<std::string_view, static_cast<std::size_t>(structure_fix::count)> fix_texts{
    "closed # element[s] left open, at an end tag of an enclosing element",
    "closed # element[s] left open where the next entry starts",
    "closed # HTML void element[s] where they start",
    "skipped # end tag[s] that close no open element",
    "rewrote # malformed tag[s]",
    "read # '<'[s] that start no markup as text",
    "ignored # end tag[s] of the root element that more elements follow",
};

}  // namespace

bool structure_repair_log::empty() const {
  for (const auto& k : kinds_) {
    if (k.count > 0) return false;
  }
  return true;
}

std::vector<std::string> structure_repair_log::warnings() const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < kinds_.size(); ++i) {
    const auto& k = kinds_[i];
    if (k.count == 0) continue;
    out.push_back("xml: " + counted(fix_texts[i], k.count) + " (first " + (k.first.empty() ? "" : k.first + " ") +
                  "at byte " + std::to_string(k.first_at) + ")");
  }
  return out;
}

std::string shown_name(std::string_view name) {
  std::string out{name};
  truncate_utf8(out, 64);
  return out;
}

std::string counted(std::string_view text, std::size_t count) {
  const auto hash = text.find('#');
  const auto plural = text.find("[s]");
  return std::string{text.substr(0, hash)} + std::to_string(count) +
         std::string{text.substr(hash + 1, plural - hash - 1)} + (count == 1 ? "" : "s") +
         std::string{text.substr(plural + 3)};
}

}  // namespace feedd::parsers::detail
