#include "html_urls.hpp"

#include <array>
#include <bit>
#include <cstdint>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "ascii.hpp"
#include "byte_scan.hpp"
#include "entity_decoding.hpp"
#include "feedd/parsers/url.hpp"

namespace feedd::parsers::detail {
namespace {

// Longer bases or values are not links anyone follows (normalize caps a
// URL at 2 KiB); data: URIs, which can be long, are absolute anyway.
constexpr std::size_t max_url = 2048;

struct uri_attribute {
  std::string_view element;
  std::string_view attribute;
};

// The (element, attribute) pairs whose value is a URI reference (HTML 4.01
// §B and HTML's media elements), as feedparser resolves them, plus <embed>
// and <track>, which carry a src the same way.
constexpr std::array<uri_attribute, 31> uri_attributes{{
    {"a", "href"},          {"applet", "codebase"}, {"area", "href"},      {"audio", "src"},
    {"blockquote", "cite"}, {"body", "background"}, {"del", "cite"},       {"embed", "src"},
    {"form", "action"},     {"frame", "longdesc"},  {"frame", "src"},      {"head", "profile"},
    {"iframe", "longdesc"}, {"iframe", "src"},      {"img", "longdesc"},   {"img", "src"},
    {"img", "usemap"},      {"input", "src"},       {"input", "usemap"},   {"ins", "cite"},
    {"link", "href"},       {"object", "classid"},  {"object", "codebase"}, {"object", "data"},
    {"object", "usemap"},   {"q", "cite"},          {"script", "src"},     {"source", "src"},
    {"track", "src"},       {"video", "poster"},    {"video", "src"},
}};

bool is_uri_attribute(std::string_view element, std::string_view attribute) {
  for (const auto& pair : uri_attributes) {
    if (ascii::iequals(pair.element, element) && ascii::iequals(pair.attribute, attribute)) return true;
  }
  return false;
}

// RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":".
constexpr std::array<bool, 256> scheme_chars = [] {
  std::array<bool, 256> table{};
  for (const char c : std::string_view{"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-."}) {
    table[static_cast<unsigned char>(c)] = true;
  }
  return table;
}();

bool has_scheme(std::string_view value) {
  std::size_t i = 0;
  while (i < value.size() && ascii::is_html_space(value[i])) ++i;
  if (i == value.size() || !ascii::is_alpha(value[i])) return false;
  for (++i; i < value.size() && scheme_chars[static_cast<unsigned char>(value[i])]; ++i) {
  }
  return i < value.size() && value[i] == ':';
}

// The attribute halves of uri_attributes, lower case.
constexpr std::array<std::string_view, 12> uri_attribute_names{
    "action", "background", "cite", "classid", "codebase", "data", "href", "longdesc", "poster", "profile", "src",
    "usemap"};

// For each byte, which of uri_attribute_names end with it (either case):
// most '=' in a document follow a name that ends with none.
constexpr std::array<std::uint16_t, 256> uri_names_by_last_byte = [] {
  std::array<std::uint16_t, 256> table{};
  for (std::size_t i = 0; i < uri_attribute_names.size(); ++i) {
    const auto last = static_cast<unsigned char>(uri_attribute_names[i].back());
    table[last] |= static_cast<std::uint16_t>(1U << i);
    table[last - 'a' + 'A'] |= static_cast<std::uint16_t>(1U << i);
  }
  return table;
}();

// Whether text ends with a name in uri_attribute_names, ignoring case;
// compared from the end, where other words differ soonest.
bool ends_with_uri_name(std::string_view text) {
  if (text.empty()) return false;
  for (unsigned names = uri_names_by_last_byte[static_cast<unsigned char>(text.back())]; names != 0;
       names &= names - 1) {
    const std::string_view name = uri_attribute_names[static_cast<std::size_t>(std::countr_zero(names))];
    if (text.size() < name.size()) continue;
    std::size_t matched = 1;  // the last byte, by the table
    while (matched < name.size() && ascii::lower(text[text.size() - 1 - matched]) == name[name.size() - 1 - matched]) {
      ++matched;
    }
    if (matched == name.size()) return true;
  }
  return false;
}

// Whether the '=' at html[equals] may be where the resolver rewrites a
// value: after a name in uri_attribute_names, and before a value without
// a scheme, read as start_tag reads it.
bool rewrites_after(std::string_view html, std::size_t equals) {
  std::size_t name_end = equals;
  while (name_end > 0 && ascii::is_html_space(html[name_end - 1])) --name_end;
  if (!ends_with_uri_name(html.substr(0, name_end))) return false;
  std::size_t value_start = equals + 1;
  while (value_start < html.size() && ascii::is_html_space(html[value_start])) ++value_start;
  if (value_start >= html.size()) return false;
  const bool quoted = html[value_start] == '"' || html[value_start] == '\'';
  // The quote or white space or '>' that ends a value is neither a scheme
  // character nor ':', so has_scheme needs not know where the value ends.
  if (has_scheme(html.substr(quoted ? value_start + 1 : value_start))) return false;
  std::string_view value;
  if (quoted) {
    const std::size_t close = html.find(html[value_start], value_start + 1);
    if (close == std::string_view::npos) return false;
    value = html.substr(value_start + 1, close - value_start - 1);
  } else {
    std::size_t value_end = value_start;
    while (value_end < html.size() && !ascii::is_html_space(html[value_end]) && html[value_end] != '>') ++value_end;
    value = html.substr(value_start, value_end - value_start);
  }
  return value.size() <= max_url;
}

// Calls visit(pos) for each html[pos] that is one of the wanted bytes, in
// order, until it returns true; returns whether it did. A document has an
// '=' every hundred bytes or so (in queries, too): a memchr call for each
// would cost more than the scan.
template <char... wanted, class Visit>
bool visit_bytes(std::string_view html, Visit visit) {
  std::size_t pos = 0;
#if defined(__SSE2__)
  const auto flags_at = [&html](std::size_t at) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(html.data() + at));
    return (_mm_cmpeq_epi8(bytes, _mm_set1_epi8(wanted)) | ...);
  };
  const auto bits = [](__m128i flags) {
    return static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(flags)));
  };
  for (constexpr std::size_t step = 64; pos + step <= html.size(); pos += step) {
    const __m128i a = flags_at(pos);
    const __m128i b = flags_at(pos + 16);
    const __m128i c = flags_at(pos + 32);
    const __m128i d = flags_at(pos + 48);
    if (_mm_movemask_epi8(a | b | c | d) == 0) continue;
    const std::uint64_t found = bits(a) | bits(b) << 16 | bits(c) << 32 | bits(d) << 48;
    for (std::uint64_t mask = found; mask != 0; mask &= mask - 1) {
      if (visit(pos + static_cast<std::size_t>(std::countr_zero(mask)))) return true;
    }
  }
#endif
  for (; pos < html.size(); ++pos) {
    pos += byte_scan::find_first_of<static_cast<unsigned char>(wanted)...>(html.substr(pos));
    if (pos < html.size() && visit(pos)) return true;
  }
  return false;
}

// Whether the '=' at html[equals] may be where the resolver rewrites
// (see rewrites_after), first by the byte before it: most '=' follow a
// name that no URI attribute ends with ("?a=1&b=2").
bool may_rewrite_at(std::string_view html, std::size_t equals) {
  if (equals == 0) return false;
  const char before = html[equals - 1];
  if (!ascii::is_html_space(before) && uri_names_by_last_byte[static_cast<unsigned char>(before)] == 0) return false;
  // And most links are quoted absolute http(s) URLs: they have a scheme.
  const std::string_view after = html.substr(equals + 1);
  if (!after.empty() && (after[0] == '"' || after[0] == '\'')) {
    const std::string_view value = after.substr(1);
    if (value.starts_with("https:") || value.starts_with("http:")) return false;
  }
  return rewrites_after(html, equals);
}

// Whether the resolver could rewrite anything, by a scan for '=' that
// costs a fraction of reading every tag; contents whose links are all
// absolute, most of them, end here. Every value it rewrites follows an
// '=' that follows, after white space, a name in uri_attribute_names and
// the same value as read here (see start_tag); the '=' in text, in values
// and of other attributes may only make this answer a needless yes.
bool may_rewrite(std::string_view html) {
  return visit_bytes<'='>(html, [html](std::size_t equals) { return may_rewrite_at(html, equals); });
}

void append_attribute_value(std::string& out, std::string_view value) {
  for (const char c : value) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '"') {
      out += "&quot;";
    } else {
      out += c;
    }
  }
}

class resolver {
 public:
  resolver(std::string_view html, std::string_view base, std::size_t max_bytes, std::size_t max_resolutions)
      : in_(html), base_(base), max_bytes_(max_bytes), max_resolutions_(max_resolutions) {}

  // Walks the input once; returns the number of values rewritten.
  std::size_t run() {
    std::size_t pos = 0;
    while (pos < in_.size() && resolved_ < max_resolutions_) {
      const std::size_t open = in_.find('<', pos);
      if (open == std::string_view::npos || out_.size() + (open - copied_) >= max_bytes_) break;
      const std::string_view rest = in_.substr(open);
      std::size_t next = std::string_view::npos;
      if (rest.starts_with("<!--")) {
        next = skip_past(open + 4, "-->");
      } else if (rest.starts_with("<!") || rest.starts_with("<?") || rest.starts_with("</")) {
        // End tags carry no links; "<!x", "<?x" and "</ x" are (bogus)
        // comments up to the next '>' (HTML §13.2.5.6-8), so whatever
        // looks like a tag inside one is not.
        next = skip_past(open + 2, ">");
      } else if (rest.size() > 1 && ascii::is_alpha(rest[1])) {
        next = start_tag(open + 1);
      } else {
        next = open + 1;  // a '<' in text ("a < b")
      }
      if (next == std::string_view::npos) break;  // cut off inside a tag or comment: leave the rest
      pos = next;
    }
    return resolved_;
  }

  // The rewritten HTML; only meaningful when run() returned non-zero.
  std::string take() && {
    out_.append(in_.substr(copied_));
    return std::move(out_);
  }

 private:
  std::size_t skip_past(std::size_t from, std::string_view terminator) const {
    const std::size_t at = in_.find(terminator, from);
    return at == std::string_view::npos ? at : at + terminator.size();
  }

  // Reads a start tag from just after its '<'; returns where scanning
  // resumes, npos if the input ends inside the tag. Every step advances.
  std::size_t start_tag(std::size_t pos) {
    const std::size_t name_start = pos;
    while (pos < in_.size() && !ascii::is_html_space(in_[pos]) && in_[pos] != '/' && in_[pos] != '>') ++pos;
    const std::string_view name = in_.substr(name_start, pos - name_start);
    for (;;) {
      while (pos < in_.size() && (ascii::is_html_space(in_[pos]) || in_[pos] == '/')) ++pos;
      if (pos >= in_.size()) return std::string_view::npos;
      if (in_[pos] == '>') break;
      const std::size_t attribute_start = pos++;
      while (pos < in_.size() && !ascii::is_html_space(in_[pos]) && in_[pos] != '/' && in_[pos] != '>' &&
             in_[pos] != '=') {
        ++pos;
      }
      const std::string_view attribute = in_.substr(attribute_start, pos - attribute_start);
      std::size_t after_name = pos;
      while (after_name < in_.size() && ascii::is_html_space(in_[after_name])) ++after_name;
      if (after_name >= in_.size() || in_[after_name] != '=') continue;  // an attribute without a value
      pos = after_name + 1;
      while (pos < in_.size() && ascii::is_html_space(in_[pos])) ++pos;
      if (pos >= in_.size()) return std::string_view::npos;
      const std::size_t value_start = pos;
      std::string_view value;
      if (in_[pos] == '"' || in_[pos] == '\'') {
        const std::size_t close = in_.find(in_[pos], pos + 1);
        if (close == std::string_view::npos) return std::string_view::npos;
        value = in_.substr(pos + 1, close - pos - 1);
        pos = close + 1;
      } else {
        // HTML §13.2.5.40: an unquoted value ends at white space or '>'.
        while (pos < in_.size() && !ascii::is_html_space(in_[pos]) && in_[pos] != '>') ++pos;
        value = in_.substr(value_start, pos - value_start);
      }
      if (is_uri_attribute(name, attribute)) rewrite(value_start, pos, value);
    }
    ++pos;  // past '>'
    // Raw text elements end only at their end tag (HTML §13.1.2); a '<a'
    // inside a script is not a tag.
    if (ascii::iequals(name, "script") || ascii::iequals(name, "style")) {
      for (std::size_t end = in_.find("</", pos); end != std::string_view::npos; end = in_.find("</", end + 2)) {
        if (ascii::iequals(in_.substr(end + 2, name.size()), name)) return end;
      }
      return std::string_view::npos;
    }
    return pos;
  }

  // Replaces in_[start, end), an attribute value with its quotes, by the
  // resolved URL, double-quoted.
  void rewrite(std::size_t start, std::size_t end, std::string_view value) {
    if (resolved_ >= max_resolutions_ || value.size() > max_url || has_scheme(value)) return;
    // The value is HTML: "&amp;" in a query is '&' in the URL.
    const std::string reference = value.find('&') == std::string_view::npos ? std::string{value}
                                                                              : decode_html_entities(value);
    const std::string resolved = resolve_url(base_, reference);
    if (resolved == reference) return;
    if (resolved_ == 0) out_.reserve(in_.size() + in_.size() / 8);
    out_.append(in_.substr(copied_, start - copied_));
    out_ += '"';
    append_attribute_value(out_, resolved);
    out_ += '"';
    copied_ = end;
    ++resolved_;
  }

  std::string_view in_;
  std::string_view base_;
  std::size_t max_bytes_;
  std::size_t max_resolutions_;
  std::string out_;
  std::size_t copied_ = 0;  // in_[0, copied_) is already in out_
  std::size_t resolved_ = 0;
};

}  // namespace

html_survey survey_html(std::string_view html) {
  html_survey survey;
  visit_bytes<'=', '\xC2'>(html, [&](std::size_t pos) {
    if (html[pos] == '=') {
      survey.may_resolve = survey.may_resolve || may_rewrite_at(html, pos);
    } else if (pos + 1 < html.size() && static_cast<unsigned char>(html[pos + 1]) - 0x80U < 0x20) {
      survey.c1_controls = true;  // U+0080-U+009F
    }
    return survey.may_resolve && survey.c1_controls;
  });
  return survey;
}

std::size_t resolve_html_urls(std::string& html, std::string_view base, std::size_t max_bytes,
                              std::size_t max_resolutions) {
  if (base.empty() || base.size() > max_url || max_resolutions == 0) return 0;
  if (html.find('<') == std::string::npos || !may_rewrite(html)) return 0;
  resolver r{html, base, max_bytes, max_resolutions};
  const std::size_t count = r.run();
  if (count > 0) html = std::move(r).take();
  return count;
}

}  // namespace feedd::parsers::detail
