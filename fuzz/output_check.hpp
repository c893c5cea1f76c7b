#pragma once

#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>

#include "damaged_feed.hpp"
#include "feedd/model.hpp"
#include "feedd/parsers/parse.hpp"
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

// The recovery oracle: a generated feed with one damaged end tag
// (damaged_feed.hpp) parses, cleanly, with every entry outside the damaged
// one.
inline void require_recovery(std::span<const std::uint8_t> choices) {
  const auto generated = contract::make_damaged_feed(choices);
  const auto result = parsers::parse(generated.document, {});
  if (!result) {
    std::fprintf(stderr, "recovery lost the feed (%s, %s): %s\n", generated.format.c_str(),
                 generated.description.c_str(), result.error().message.c_str());
    std::abort();
  }
  require_clean(*result);
  const auto lost = contract::lost_entries(generated, *result);
  if (lost.empty()) return;
  std::fprintf(stderr, "recovery lost %zu entries outside the damage (%s, %s), first %s\n", lost.size(),
               generated.format.c_str(), generated.description.c_str(), lost[0].c_str());
  std::abort();
}

}  // namespace feedd::fuzz
