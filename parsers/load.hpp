#pragma once

#include <string>
#include <vector>

#include <pugixml.hpp>

#include "feedd/expected.hpp"
#include "feedd/parsers/parse.hpp"

namespace feedd::parsers::detail {

// Parses UTF-8 XML without DTD processing: the DOCTYPE is skipped, entities
// declared in it are never expanded and nothing external is ever loaded
// (billion laughs, XXE). pugixml leaves a partial tree behind on errors, so a
// failed parse is either recovered from on purpose, with a warning saying
// how (junk before the XML declaration, a malformed DOCTYPE, elements that
// do not nest or a document cut short: see repair_structure; where no
// repair helps, the complete items before the error), or reported as not a
// feed with pugixml's reason and the byte offset; the partial tree is never
// read. Recovery only starts once pugixml has refused the text, so that a
// well-formed document costs one parse.
expected<void, not_a_feed> load_xml(pugi::xml_document& document, std::string text,
                                    std::vector<std::string>& warnings);

// The common case without a copy: a document that parses at the first try
// and has a feed's root element is parsed in place, so text must outlive
// document (true). The failures load_xml reports without trying a recovery
// come out as they would from it. false (document empty, text garbled) when
// a recovery may help: call load_xml with the text as it was.
expected<bool, not_a_feed> load_xml_in_place(pugi::xml_document& document, std::string& text,
                                             std::vector<std::string>& warnings);

}  // namespace feedd::parsers::detail
