#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "document.hpp"

namespace feedd::config {

struct stream_problem {
  position where;
  std::string message;
};

// A configuration is one YAML document. Counts the documents without
// YAML::LoadAll, which never returns on a stray "," (yaml-cpp issue #1040,
// fixed by PR #1319 after 0.7): its parser keeps reporting the same empty
// document. Returns what is wrong with the stream, or nullopt; syntax errors
// are left to YAML::Load, which reports them with a position.
std::optional<stream_problem> check_single_document(std::string_view yaml);

}  // namespace feedd::config
