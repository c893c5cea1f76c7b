#include "output_contract.hpp"

#include <unordered_set>

namespace feedd::contract {
namespace {

// Length of the well-formed UTF-8 sequence at text[pos], or 0.
std::size_t sequence_length(std::string_view text, std::size_t pos) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[pos + i]); };
  const unsigned char lead = byte(0);
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    low = lead == 0xE0 ? 0xA0 : 0x80;
    high = lead == 0xED ? 0x9F : 0xBF;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    low = lead == 0xF0 ? 0x90 : 0x80;
    high = lead == 0xF4 ? 0x8F : 0xBF;
  } else {
    return 0;
  }
  if (pos + length > text.size()) return 0;
  if (byte(1) < low || byte(1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return length;
}

void check(std::vector<std::string>& problems, const std::string& field, std::string_view text) {
  if (!is_clean_text(text)) problems.push_back(field + ": invalid UTF-8 or a control character");
}

}  // namespace

bool is_clean_text(std::string_view text) {
  for (std::size_t pos = 0; pos < text.size();) {
    const auto length = sequence_length(text, pos);
    if (length == 0) return false;
    const auto c = static_cast<unsigned char>(text[pos]);
    if (length == 1 && c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
    pos += length;
  }
  return true;
}

bool is_well_formed_utf8(std::string_view text) {
  for (std::size_t pos = 0; pos < text.size();) {
    const auto length = sequence_length(text, pos);
    if (length == 0) return false;
    pos += length;
  }
  return true;
}

std::vector<std::string> contract_violations(const feed& result) {
  std::vector<std::string> problems;
  check(problems, "title", result.title);
  check(problems, "site_url", result.site_url);
  for (std::size_t i = 0; i < result.warnings.size(); ++i) {
    check(problems, "warnings[" + std::to_string(i) + "]", result.warnings[i]);
  }
  std::unordered_set<std::string_view> guids;
  for (std::size_t i = 0; i < result.entries.size(); ++i) {
    const auto& e = result.entries[i];
    const auto name = "entries[" + std::to_string(i) + "].";
    for (const auto& [field, value] : {std::pair<const char*, const std::string*>{"guid", &e.guid},
                                       {"url", &e.url}, {"title", &e.title}, {"author", &e.author},
                                       {"summary", &e.summary}, {"content", &e.content}}) {
      check(problems, name + field, *value);
    }
    for (std::size_t c = 0; c < e.categories.size(); ++c) {
      check(problems, name + "categories[" + std::to_string(c) + "]", e.categories[c]);
    }
    for (std::size_t c = 0; c < e.enclosures.size(); ++c) {
      check(problems, name + "enclosures[" + std::to_string(c) + "].url", e.enclosures[c].url);
      check(problems, name + "enclosures[" + std::to_string(c) + "].type", e.enclosures[c].type);
    }
    if (e.guid.empty()) problems.push_back(name + "guid: empty");
    if (!guids.insert(e.guid).second) problems.push_back(name + "guid: shared with an earlier entry");
  }
  return problems;
}

}  // namespace feedd::contract
