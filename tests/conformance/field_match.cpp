#include "field_match.hpp"

#include "feedd/parsers/dates.hpp"
#include "html_compare.hpp"

namespace feedd::conformance {
namespace {

std::string trimmed(std::string_view text) {
  constexpr std::string_view space = " \t\r\n";
  const auto first = text.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  return std::string{text.substr(first, text.find_last_not_of(space) - first + 1)};
}

std::string date_text(const std::optional<timestamp>& t) {
  return t ? parsers::format_rfc3339(*t) : std::string{"none"};
}

}  // namespace

std::string shown(std::string_view value) {
  constexpr std::size_t max = 160;
  std::string out = "\"";
  for (const char c : value.substr(0, max)) out += c == '\n' || c == '\r' || c == '\t' ? ' ' : c;
  out += value.size() > max ? "...\"" : "\"";
  return out;
}

check_result match_text(std::string_view ours, std::string_view expected) {
  const auto value = collapse_whitespace(ours);
  if (value == visible_text(expected) || value == collapse_whitespace(expected)) return {};
  return fail("ours " + shown(ours) + " expected " + shown(expected));
}

check_result match_html(const entry& ours, std::string_view expected) {
  const auto want = canonical_html(expected);
  if (canonical_html(ours.summary) == want || canonical_html(ours.content) == want) return {};
  return fail("ours summary " + shown(ours.summary) + " content " + shown(ours.content) + " expected " +
              shown(expected));
}

check_result match_exact(std::string_view ours, std::string_view expected) {
  if (ours == trimmed(expected)) return {};
  return fail("ours " + shown(ours) + " expected " + shown(expected));
}

check_result match_instant(const entry& ours, std::optional<timestamp> expected, std::string_view expected_text) {
  if (!expected) return skip("expectation is not a date the test reads (" + std::string{expected_text} + ")");
  if (ours.published_at == expected || ours.updated_at == expected) return {};
  return fail("ours published " + date_text(ours.published_at) + " updated " + date_text(ours.updated_at) +
              " expected " + date_text(expected));
}

check_result match_author(std::string_view ours, std::string_view expected) {
  if (match_text(ours, expected).outcome == verdict::pass) return {};
  const auto whole = trimmed(expected);
  if (const auto open = whole.find(" ("); open != std::string::npos && whole.ends_with(')')) {
    const auto first = whole.substr(0, open);
    const auto second = whole.substr(open + 2, whole.size() - open - 3);
    if (match_text(ours, first).outcome == verdict::pass || match_text(ours, second).outcome == verdict::pass) {
      return {};
    }
  }
  return fail("ours " + shown(ours) + " expected " + shown(expected));
}

}  // namespace feedd::conformance
