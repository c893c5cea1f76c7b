#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "feedd/config/config.hpp"

namespace feedd::config {

// Lets GoogleTest print a problem in failure messages.
inline void PrintTo(const problem& p, std::ostream* out) {
  *out << "{" << p.key << " " << p.line << ":" << p.column << " " << p.message << "}";
}

namespace test {

// The problems of a document that must not load.
inline std::vector<problem> problems_of(std::string_view yaml) {
  auto loaded = load_string(yaml, "1.2.3");
  if (loaded.has_value()) {
    ADD_FAILURE() << "expected problems, the document loaded:\n" << yaml;
    return {};
  }
  return loaded.error();
}

// The single problem of a document with exactly one.
inline problem only_problem(std::string_view yaml) {
  auto problems = problems_of(yaml);
  if (problems.size() != 1) {
    ADD_FAILURE() << "expected exactly one problem, got " << problems.size() << " in:\n" << yaml;
    for (const auto& p : problems) ADD_FAILURE() << to_string(p);
    return problems.empty() ? problem{} : problems.front();
  }
  return problems.front();
}

inline bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

}  // namespace test
}  // namespace feedd::config
