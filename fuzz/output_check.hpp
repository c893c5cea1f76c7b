#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "feedd/model.hpp"
#include "output_contract.hpp"

// The parse result's contract, checked by the same oracle as the
// conformance tests (tests/contract): clean text in every string, a guid on
// every entry that no other entry shares. A broken promise aborts, which
// libFuzzer reports as a crash with the input.
namespace feedd::fuzz {

inline void require_clean(std::string_view field, std::string_view text) {
  if (contract::is_clean_text(text)) return;
  std::fprintf(stderr, "output contract broken: %.*s: invalid UTF-8 or a control character\n",
               static_cast<int>(field.size()), field.data());
  std::abort();
}

inline void require_clean(const feed& result) {
  const auto problems = contract::contract_violations(result);
  if (problems.empty()) return;
  for (const auto& problem : problems) std::fprintf(stderr, "output contract broken: %s\n", problem.c_str());
  std::abort();
}

}  // namespace feedd::fuzz
