#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "feedd/model.hpp"

// The recovery oracle (issue 13), for the parser tests and the fuzz target:
// a well-formed feed of known entries with one end tag deleted, duplicated
// or renamed, and the check that every entry outside the damaged one comes
// out of the parse with its guid and title. Liberal parsers lose at most
// the entry that holds the damage; so must feedd.
namespace feedd::contract {

enum class damage_kind { deleted, duplicated, renamed };

struct generated_entry {
  std::string guid;
  std::string title;
};

struct damaged_feed {
  std::string format;                     // "rss2.0", "atom1.0" or "rss1.0"
  std::string document;                   // with the damage
  std::vector<generated_entry> entries;   // every entry written, in document order
  std::optional<std::size_t> damaged;     // the entry whose markup holds the damaged end tag
  damage_kind kind = damage_kind::deleted;
  std::string description;                // "renamed </title> to </link> at byte 812"
};

// Every choice (format, entry count, optional elements, which end tag and
// how) is read from choices, a byte at a time, and 0 once they run out, so
// that the same bytes give the same document: a seed's pseudo-random bytes
// in the tests, the input in the fuzz target.
damaged_feed make_damaged_feed(std::span<const std::uint8_t> choices);

// The guids of the entries outside the damaged one that the parse lost (or
// whose title changed); empty when the recovery kept them all.
std::vector<std::string> lost_entries(const damaged_feed& generated, const feed& parsed);

}  // namespace feedd::contract
