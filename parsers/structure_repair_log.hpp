#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// What repair_structure did, as its warnings say it: one per kind of
// repair, with a count and the first place.
namespace feedd::parsers::detail {

// A name from the document as a warning shows it: 64 bytes at most.
std::string shown_name(std::string_view name);

enum class structure_fix : std::uint8_t {
  closed_at_end_tag,
  closed_before_entry,
  closed_void,
  stray_end_tag,
  rewritten_tag,
  stray_lt,
  reopened_root,
  count
};

class structure_repair_log {
 public:
  // A repair at byte at. describe() says what it was as the warning shows
  // it ("<x> at </y>"), called for the first repair of a kind only, so that
  // a document of a million repairs builds one string per kind.
  template <class Describe>
  void note(structure_fix kind, std::size_t at, Describe describe) {
    auto& k = kinds_[static_cast<std::size_t>(kind)];
    if (k.count++ > 0) return;
    k.first_at = at;
    k.first = shown_name(describe());
  }

  bool empty() const;
  std::vector<std::string> warnings() const;

 private:
  struct kind_count {
    std::size_t count = 0;
    std::size_t first_at = 0;
    std::string first;
  };
  std::array<kind_count, static_cast<std::size_t>(structure_fix::count)> kinds_{};
};

// text with # replaced by count and "[s]" by a plural ending unless count
// is 1: counted("# element[s] open", 2) is "2 elements open".
std::string counted(std::string_view text, std::size_t count);

}  // namespace feedd::parsers::detail
