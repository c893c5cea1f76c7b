#pragma once

#include <string>

#include <pugixml.hpp>

#include "text_store.hpp"
#include "xml_scope.hpp"

// Markup carried as XML inside a feed (Atom type="xhtml", RSS <xhtml:body>,
// unescaped HTML in a <description>) written out as the HTML that feedd
// stores, so that an HTML parser reads back the same tree.
namespace feedd::parsers::detail {

// The children of element as HTML: elements in the XHTML, SVG or MathML
// namespace by their local name (an HTML parser knows <svg>, not <svg:svg>),
// others as written; empty elements closed the HTML way (<br />, <p></p>:
// "<p/>" opens a paragraph that never ends); CDATA as escaped text;
// processing instructions dropped. Iterative, so depth cannot exhaust the
// stack; linear in the size of the subtree.
std::string html_markup(pugi::xml_node element, const xml_scope& scope);

// The character data of element when it holds only text, else its
// children as html_markup: what a summary or content element means.
std::string markup_of(pugi::xml_node element, const xml_scope& scope);

// markup_of as a view: into the document when the element holds one run of
// text (escaped HTML, the common case), else into store.
std::string_view markup_view(pugi::xml_node element, const xml_scope& scope, text_store& store);

}  // namespace feedd::parsers::detail
