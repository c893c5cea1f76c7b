#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "feedd/model.hpp"
#include "scoreboard.hpp"

// One rule per kind of field for judging a value of ours against another
// parser's expectation; both suites (feedparser, gofeed) use the same rules,
// documented here once.
namespace feedd::conformance {

// Titles, authors, categories: feedd keeps plain text, so the expectation is
// read as a reader would see it (visible_text: HTML markup dropped,
// references decoded, white space collapsed) or, when it is already plain
// text that happens to contain '<' (Atom type="text"), as it is with white
// space collapsed. Either reading matching ours is a pass.
check_result match_text(std::string_view ours, std::string_view expected);

// Summary and content: feedd stores the HTML as published (no sanitizing),
// so markup is compared in canonical form (canonical_html). Formats and
// parsers split description/summary/content differently; a match of either
// of our two fields is a pass.
check_result match_html(const entry& ours, std::string_view expected);

// URLs and ids are compared exactly, after trimming surrounding white
// space of the expectation (XML text nodes keep it, both parsers trim).
check_result match_exact(std::string_view ours, std::string_view expected);

// Dates are compared as instants. feedparser has three dates (published,
// updated, created), gofeed two, and their mapping of RSS/Atom/DC elements
// onto them differs from feedd's; an instant equal to either of our two
// dates is a pass.
check_result match_instant(const entry& ours, std::optional<timestamp> expected, std::string_view expected_text);

// feedparser's and gofeed's "Name (email)" or "email (Name)": feedd stores
// one author string; ours passes when it equals the whole expectation or
// either part of it (match_text rules).
check_result match_author(std::string_view ours, std::string_view expected);

// Our value in a failure message: short, one line.
std::string shown(std::string_view value);

inline check_result skip(std::string reason) { return {verdict::skip, std::move(reason)}; }
inline check_result fail(std::string detail) { return {verdict::fail, std::move(detail)}; }

}  // namespace feedd::conformance
