#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace feedd::parsers::detail {

// Resolves, in place, the relative URLs of the link-bearing attributes of
// HTML (a href, img src, blockquote cite... the pairs feedparser resolves)
// against base (RFC 3986 §5.1: the xml:base in effect, else the document's
// URL), so that stored content keeps working away from the publisher's page.
//
// A linear scan over tags and attributes, not an HTML parser: text,
// comments and the raw text of <script>/<style> are copied untouched and
// nothing is ever re-read. Absolute URLs are left as written. Work is
// capped: no value is resolved once the output has reached max_bytes (the
// caller cuts there anyway), after max_resolutions values, or when base or
// a value is longer than a URL can usefully be. Returns the number of
// values rewritten.
std::size_t resolve_html_urls(std::string& html, std::string_view base, std::size_t max_bytes,
                              std::size_t max_resolutions);

// What a summary or content needs, from one pass over it (they are most of
// a document's bytes): whether resolve_html_urls may rewrite anything
// (false: it would not, with any base), and whether there is a C1 control
// for map_c1_controls.
struct html_survey {
  bool may_resolve = false;
  bool c1_controls = false;
};
html_survey survey_html(std::string_view html);

}  // namespace feedd::parsers::detail
