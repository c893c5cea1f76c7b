#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pq.hpp"

// Parallel array parameters of a statement over unnest($1::bigint[], ...),
// built column by column (finish_batch.cpp, store_many.cpp).
namespace feedd::storage {

// An array literal element: NULL for nullopt, else double-quoted.
inline void add_element(std::string& out, const std::optional<std::string>& value) {
  if (out.size() > 1) out += ',';
  if (!value) {
    out += "NULL";
    return;
  }
  out += '"';
  for (char c : *value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

// Builds the parallel arrays of one statement, column by column.
class columns {
 public:
  explicit columns(std::size_t n) : arrays_(n, "{") {}
  void add(std::size_t column, const std::optional<std::string>& value) { add_element(arrays_[column], value); }
  void add(std::size_t column, std::int64_t value) { add(column, std::to_string(value)); }
  void add_text(std::size_t column, const std::string& value) {
    add(column, value.empty() ? std::nullopt : std::optional<std::string>(value));
  }
  pq::params params() const {
    pq::params p;
    for (const auto& a : arrays_) p.text(a + "}");
    return p;
  }

 private:
  std::vector<std::string> arrays_;
};

}  // namespace feedd::storage
