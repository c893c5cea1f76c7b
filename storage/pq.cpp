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

std::string storable_text(std::string_view text, std::size_t limit) {
  static constexpr std::string_view replacement = "\xEF\xBF\xBD";
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    if (lead < 0x80) length = 1;
    else if (lead >= 0xC2 && lead <= 0xDF) length = 2;
    else if (lead >= 0xE0 && lead <= 0xEF) length = 3;
    else if (lead >= 0xF0 && lead <= 0xF4) length = 4;
    bool valid = length > 0 && i + length <= text.size();
    for (std::size_t k = 1; valid && k < length; ++k) {
      valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    }
    if (valid && length > 1) {
      // Overlong forms, UTF-16 surrogates and code points above U+10FFFF
      // (RFC 3629 section 4).
      const auto second = static_cast<unsigned char>(text[i + 1]);
      valid = !(lead == 0xE0 && second < 0xA0) && !(lead == 0xED && second > 0x9F) &&
              !(lead == 0xF0 && second < 0x90) && !(lead == 0xF4 && second > 0x8F);
    }
    const std::string_view piece = valid ? text.substr(i, length) : replacement;
    i += valid ? length : 1;
    if (piece == std::string_view("\0", 1)) continue;
    if (out.size() + piece.size() > limit) break;
    out += piece;
  }
  return out;
}

}  // namespace feedd::storage::pq
