#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "feedd/config/config.hpp"

namespace feedd::config {

// 1-based; 0 when the key was not written in the file.
struct position {
  int line = 0;
  int column = 0;
};

// A document read as far as it goes: the values that were valid (defaults for
// the rest), every problem, and where each key was written so that a problem
// about a combination of keys points at a line the operator wrote.
struct document {
  config value;
  std::vector<problem> problems;
  std::map<std::string, position, std::less<>> positions;
  std::set<std::string, std::less<>> failed;  // dotted keys whose value was rejected

  void add(std::string key, position where, std::string message);
  position where(std::string_view key) const;
  bool written(std::string_view key) const { return positions.contains(key); }
};

// The YAML text to a document; never throws for any input.
document read_document(std::string_view yaml, std::string_view version);

// Rules between keys (min_interval <= interval <= max_interval, ...), applied
// only to keys whose own values were valid.
void check_combinations(document& doc);

// A value from the file, safe to put in a message: quoted, escaped as
// printable() escapes, long values cut between characters.
std::string quote(std::string_view text);

}  // namespace feedd::config
