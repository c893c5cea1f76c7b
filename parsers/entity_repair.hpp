#pragma once

#include <cstddef>
#include <string>

// The references feeds write that XML does not define, repaired before the
// document is parsed.
namespace feedd::parsers::detail {

// Makes not-well-formed XML parseable where that is safe: HTML named entities
// undefined in XML become numeric references, bare '&' becomes "&amp;",
// outside CDATA sections and comments. Returns the number of repairs.
std::size_t repair_entities(std::string& utf8_xml);

// The same, and numeric_in_sections tells whether a section it left alone
// holds a numeric reference it would have repaired outside one: pugixml
// leaves those literal in a real section, but the scan mirrors pugixml's
// lexer only so far, so the parsed text is then not known to be clean.
std::size_t repair_entities(std::string& utf8_xml, bool& numeric_in_sections);

}  // namespace feedd::parsers::detail
