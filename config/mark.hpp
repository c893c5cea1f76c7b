#pragma once

#include <yaml-cpp/mark.h>

#include "document.hpp"

namespace feedd::config {

// yaml-cpp counts lines and columns from 0 and uses -1 for "no position".
inline position at(const YAML::Mark& mark) {
  if (mark.line < 0) return {};
  return {mark.line + 1, mark.column + 1};
}

}  // namespace feedd::config
