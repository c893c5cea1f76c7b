// An entry's fingerprint computed by the client, byte for byte what the
// upsert used to compute in SQL (entries.cpp's upsert_entries_sql, which
// still does for the per-feed path):
//   md5(jsonb_build_array(1, url, title, author, summary, content,
//       published, updated, categories, enclosures)::text)
// Computing it here spares the server about a tenth of the batch upsert
// (bench/README.md). jsonb's text form: ", " between elements, ": " after
// keys, object keys sorted by length then bytes (i, url, type, length),
// strings escaped as PostgreSQL's escape_json does.
#include <openssl/evp.h>

#include <cstdio>

#include "store_feed.hpp"

namespace feedd::storage {

namespace {

void json_string(std::string& out, std::string_view s) {
  out += '"';
  for (const char c : s) {
    switch (c) {
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void json_number(std::string& out, const nlohmann::json& value) {
  out += value.is_null() ? std::string("null") : std::to_string(value.get<std::int64_t>());
}

}  // namespace

std::string fingerprint_text(const entry& e, std::string& scratch) {
  std::string out = "[1";
  for (const std::string* s : {&e.url, &e.title, &e.author, &e.summary, &e.content}) {
    out += ", ";
    json_string(out, jsonb_string(*s, scratch));
  }
  out += ", ";
  json_number(out, time_value(e.published_at));
  out += ", ";
  json_number(out, time_value(e.updated_at));
  out += ", [";
  for (std::size_t k = 0; k < e.categories.size(); ++k) {
    if (k > 0) out += ", ";
    json_string(out, jsonb_string(e.categories[k], scratch));
  }
  out += "], [";
  for (std::size_t k = 0; k < e.enclosures.size(); ++k) {
    const auto& x = e.enclosures[k];
    out += k > 0 ? ", {\"i\": " : "{\"i\": ";
    out += std::to_string(k);
    out += ", \"url\": ";
    json_string(out, jsonb_string(x.url, scratch));
    out += ", \"type\": ";
    json_string(out, jsonb_string(x.type, scratch));
    out += ", \"length\": ";
    out += x.length ? std::to_string(*x.length) : std::string("null");
    out += '}';
  }
  out += "]]";
  return out;
}

std::string fingerprint(const entry& e, std::string& scratch) {
  const std::string text = fingerprint_text(e, scratch);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest, &size, EVP_md5(), nullptr);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int k = 0; k < size; ++k) {
    out += hex[digest[k] >> 4];
    out += hex[digest[k] & 0xf];
  }
  return out;
}

}  // namespace feedd::storage
