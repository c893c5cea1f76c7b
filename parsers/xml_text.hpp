#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <pugixml.hpp>

#include "text_store.hpp"

// The content of an element as the readers take it: its text, or its
// children serialized as XML.
namespace feedd::parsers::detail {

// The text of an element: its character data when it holds only text, the
// serialized inner XML when it holds elements (unescaped HTML in an RSS
// description, Atom xhtml content).
std::string text_of(pugi::xml_node element);

// text_of as a view: into the document when the element holds one run of
// text (most fields), else into store.
std::string_view text_view(pugi::xml_node element, text_store& store);

// The view of the one run of text that is all of an element's content, or
// nullopt when it holds anything else (or several runs).
std::optional<std::string_view> single_text(pugi::xml_node element);

// Children serialized as XML without the element's own tags. pugixml's
// printer is iterative, so a deeply nested subtree cannot exhaust the stack.
std::string inner_xml(pugi::xml_node element);

}  // namespace feedd::parsers::detail
