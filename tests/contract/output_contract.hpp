#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "feedd/model.hpp"

// One oracle for the conformance tests and the fuzz targets.
//
// What model.hpp and SPEC promise about every parse result, whatever the
// input: all strings valid UTF-8 without NUL or other C0 controls except
// TAB, LF and CR (PostgreSQL text, SQLSTATE 22021), and every entry with a
// non-empty guid that no other entry of the feed shares (SPEC, Database:
// unique on (feed_id, guid)).
namespace feedd::contract {

// Valid UTF-8 (Unicode 15 §3.9, Table 3-7: no overlongs, no surrogates,
// nothing above U+10FFFF) without NUL or C0 controls other than TAB, LF, CR.
bool is_clean_text(std::string_view text);

// Valid UTF-8 as above, controls allowed: what a decoder must put out. A
// byte-at-a-time reference for the parsers' vectorized checks.
bool is_well_formed_utf8(std::string_view text);

// One line per broken promise, naming the field ("entries[3].title: invalid
// UTF-8"); empty when the feed keeps them all.
std::vector<std::string> contract_violations(const feed& result);

}  // namespace feedd::contract
