#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <libpq-fe.h>

#include "feedd/storage/database.hpp"

// Thin RAII over libpq, private to storage/: owning handles, text parameters
// and binary arrays, typed reads of text results and SQLSTATE classification.
namespace feedd::storage::pq {

struct connection_deleter {
  void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
using connection = std::unique_ptr<PGconn, connection_deleter>;

struct result_deleter {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using result = std::unique_ptr<PGresult, result_deleter>;

// Parameters in text format, cast in the SQL text ($1::bigint): the server
// parses them, so nothing is ever spliced into a statement. binary() adds
// one in PostgreSQL's binary format (binary_array below), of the type its
// cast names.
class params {
 public:
  params& text(std::string value);
  params& binary(std::string value);
  params& text_or_null(std::string_view value);  // "" -> NULL
  params& integer(std::int64_t value);
  params& integer(std::optional<std::int64_t> value);
  params& null();

  int size() const { return static_cast<int>(values_.size()); }
  // Valid until the next call that adds a parameter.
  const char* const* values() const;
  // For PQsendQueryParams: nullptr when every parameter is text.
  const int* lengths() const;
  const int* formats() const;

 private:
  std::vector<std::optional<std::string>> values_;
  mutable std::vector<int> formats_;
  mutable std::vector<const char*> pointers_;
  mutable std::vector<int> lengths_;
};

// A one-dimensional array in binary format ($1::text[], $1::bigint[]): the
// server copies each element instead of parsing a literal (store_many.cpp).
// Text elements must be valid UTF-8 without NUL (is_storable).
class binary_array {
 public:
  static constexpr std::uint32_t int8_oid = 20, text_oid = 25;
  explicit binary_array(std::uint32_t element_oid) : oid_(element_oid) {}
  void add(std::string_view text);
  void add(std::int64_t value);
  void add_null();
  std::string finish() const;

 private:
  void length(std::int32_t n);
  std::uint32_t oid_;
  std::int32_t count_ = 0;
  bool nulls_ = false;
  std::string elements_;
};

// A PostgreSQL array literal of `values` for a text parameter ($1::text[]):
// every element double-quoted, '"' and '\' escaped.
std::string text_array(const std::vector<std::string>& values);
// The same for $1::bigint[].
std::string integer_array(const std::vector<std::int64_t>& values);

// Reads of one cell of a text-format result.
bool is_null(const PGresult* r, int row, int column);
std::string_view text(const PGresult* r, int row, int column);  // "" when NULL
std::optional<std::string> optional_text(const PGresult* r, int row, int column);
std::int64_t integer(const PGresult* r, int row, int column);  // 0 when NULL
std::optional<std::int64_t> optional_integer(const PGresult* r, int row, int column);
bool boolean(const PGresult* r, int row, int column);
int rows(const PGresult* r);
// Rows touched by INSERT/UPDATE/DELETE without RETURNING.
std::int64_t affected(const PGresult* r);

// PostgreSQL error codes (Appendix A of the manual) to what the caller should
// do about them.
db_error::kind classify(std::string_view sqlstate);

// Text that PostgreSQL accepts whatever its origin (an OS or TLS error
// message): invalid UTF-8 becomes U+FFFD, NUL is dropped, at most `limit`
// bytes (cut on a character boundary).
std::string storable_text(std::string_view text, std::size_t limit);
// Whether storable_text would keep `text` as it is (valid UTF-8, no NUL).
bool is_storable(std::string_view text);

// libpq messages end in a newline and may span lines; logs want one line.
std::string one_line(std::string_view message);

}  // namespace feedd::storage::pq
