#include "pq.hpp"

#include <charconv>

namespace feedd::storage::pq {

namespace {

// libpq takes text parameters as C strings: an embedded NUL would silently
// cut the value short, so it is dropped instead (parsers already strip it).
std::string without_nul(std::string value) {
  std::erase(value, '\0');
  return value;
}

}  // namespace

params& params::text(std::string value) {
  values_.emplace_back(without_nul(std::move(value)));
  return *this;
}

params& params::binary(std::string value) {
  formats_.resize(values_.size(), 0);
  values_.emplace_back(std::move(value));
  formats_.push_back(1);
  return *this;
}

params& params::text_or_null(std::string_view value) {
  if (value.empty()) return null();
  return text(std::string(value));
}

params& params::integer(std::int64_t value) {
  values_.emplace_back(std::to_string(value));
  return *this;
}

params& params::integer(std::optional<std::int64_t> value) {
  if (!value) return null();
  return integer(*value);
}

params& params::null() {
  values_.emplace_back(std::nullopt);
  return *this;
}

const char* const* params::values() const {
  pointers_.clear();
  for (const auto& v : values_) pointers_.push_back(v ? v->c_str() : nullptr);
  return pointers_.empty() ? nullptr : pointers_.data();
}

const int* params::lengths() const {
  if (formats_.empty()) return nullptr;
  lengths_.clear();
  for (const auto& v : values_) lengths_.push_back(v ? static_cast<int>(v->size()) : 0);
  return lengths_.data();
}

const int* params::formats() const {
  if (formats_.empty()) return nullptr;
  formats_.resize(values_.size(), 0);
  return formats_.data();
}

namespace {

void big_endian(std::string& out, std::uint64_t value, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) out += static_cast<char>((value >> shift) & 0xff);
}

}  // namespace

void binary_array::length(std::int32_t n) { big_endian(elements_, static_cast<std::uint32_t>(n), 4); }

void binary_array::add(std::string_view text) {
  length(static_cast<std::int32_t>(text.size()));
  elements_ += text;
  ++count_;
}

void binary_array::add(std::int64_t value) {
  length(8);
  big_endian(elements_, static_cast<std::uint64_t>(value), 8);
  ++count_;
}

void binary_array::add_null() {
  length(-1);
  nulls_ = true;
  ++count_;
}

// array_recv's layout: dimensions, null flag, element type, then per
// dimension its size and lower bound; no dimension at all when empty.
std::string binary_array::finish() const {
  std::string out;
  out.reserve(elements_.size() + 20);
  big_endian(out, count_ > 0 ? 1 : 0, 4);
  big_endian(out, nulls_ ? 1 : 0, 4);
  big_endian(out, oid_, 4);
  if (count_ > 0) {
    big_endian(out, static_cast<std::uint32_t>(count_), 4);
    big_endian(out, 1, 4);
  }
  return out + elements_;
}

std::string text_array(const std::vector<std::string>& values) {
  std::string out = "{";
  for (const auto& value : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : value) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::string integer_array(const std::vector<std::int64_t>& values) {
  std::string out = "{";
  for (const auto value : values) {
    if (out.size() > 1) out += ',';
    out += std::to_string(value);
  }
  return out + "}";
}

bool is_null(const PGresult* r, int row, int column) { return PQgetisnull(r, row, column) != 0; }

std::string_view text(const PGresult* r, int row, int column) {
  if (is_null(r, row, column)) return {};
  return {PQgetvalue(r, row, column), static_cast<std::size_t>(PQgetlength(r, row, column))};
}

std::optional<std::string> optional_text(const PGresult* r, int row, int column) {
  if (is_null(r, row, column)) return std::nullopt;
  return std::string(text(r, row, column));
}

std::optional<std::int64_t> optional_integer(const PGresult* r, int row, int column) {
  if (is_null(r, row, column)) return std::nullopt;
  std::string_view s = text(r, row, column);
  std::int64_t value = 0;
  std::from_chars(s.data(), s.data() + s.size(), value);
  return value;
}

std::int64_t integer(const PGresult* r, int row, int column) { return optional_integer(r, row, column).value_or(0); }

bool boolean(const PGresult* r, int row, int column) { return text(r, row, column) == "t"; }

int rows(const PGresult* r) { return PQntuples(r); }

std::int64_t affected(const PGresult* r) {
  std::string_view s = PQcmdTuples(const_cast<PGresult*>(r));
  std::int64_t value = 0;
  std::from_chars(s.data(), s.data() + s.size(), value);
  return value;
}

db_error::kind classify(std::string_view sqlstate) {
  using kind = db_error::kind;
  if (sqlstate.size() != 5) return kind::other;
  const std::string_view cls = sqlstate.substr(0, 2);
  // Class 08 and the shutdown/termination codes end the session itself.
  if (cls == "08" || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03" || sqlstate == "25P03") {
    return kind::connection;
  }
  if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03" || sqlstate == "57014" ||
      sqlstate == "25006" || cls == "53") {
    return kind::transient;
  }
  // 22: data exception (22021 bad encoding, 22001 too long, 22008 date out
  // of range); 54: the value exceeds a server limit (index row, jsonb size).
  // Retrying the same data fails the same way.
  if (cls == "22" || cls == "54") return kind::content;
  // 42P01 undefined table, 42703 undefined column: schema missing or older.
  if (sqlstate == "42P01" || sqlstate == "42703") return kind::schema;
  return kind::other;
}

std::string one_line(std::string_view message) {
  std::string out;
  for (char c : message) {
    if (c == '\n' || c == '\r' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

namespace {

// The length of the valid UTF-8 character at text[i], 0 when there is none:
// no overlong forms, UTF-16 surrogates or code points above U+10FFFF
// (RFC 3629 section 4).
std::size_t character_at(std::string_view text, std::size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  std::size_t length = 0;
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) length = 2;
  else if (lead >= 0xE0 && lead <= 0xEF) length = 3;
  else if (lead >= 0xF0 && lead <= 0xF4) length = 4;
  if (length == 0 || i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return 0;
  }
  const auto second = static_cast<unsigned char>(text[i + 1]);
  const bool valid = !(lead == 0xE0 && second < 0xA0) && !(lead == 0xED && second > 0x9F) &&
                     !(lead == 0xF0 && second < 0x90) && !(lead == 0xF4 && second > 0x8F);
  return valid ? length : 0;
}

}  // namespace

std::string storable_text(std::string_view text, std::size_t limit) {
  static constexpr std::string_view replacement = "\xEF\xBF\xBD";
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t length = character_at(text, i);
    const std::string_view piece = length > 0 ? text.substr(i, length) : replacement;
    i += length > 0 ? length : 1;
    if (piece == std::string_view("\0", 1)) continue;
    if (out.size() + piece.size() > limit) break;
    out += piece;
  }
  return out;
}

bool is_storable(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c != 0 && c < 0x80) {
      ++i;
      continue;
    }
    const std::size_t length = c == 0 ? 0 : character_at(text, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

}  // namespace feedd::storage::pq
