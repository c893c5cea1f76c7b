#include "html_compare.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

namespace feedd::conformance {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// Bytes of the white-space character at text[pos], or 0 (UTF-8; Unicode
// White_Space property).
std::size_t space_at(std::string_view text, std::size_t pos) {
  const auto at = [&](std::size_t i) { return pos + i < text.size() ? static_cast<unsigned char>(text[pos + i]) : 0u; };
  if (is_space(text[pos]) || text[pos] == '\v') return 1;
  if (at(0) == 0xC2 && (at(1) == 0x85 || at(1) == 0xA0)) return 2;
  if (at(0) == 0xE1 && at(1) == 0x9A && at(2) == 0x80) return 3;
  if (at(0) == 0xE2 && at(1) == 0x80 && (at(2) <= 0x8A || at(2) == 0xA8 || at(2) == 0xA9 || at(2) == 0xAF)) return 3;
  if (at(0) == 0xE2 && at(1) == 0x81 && at(2) == 0x9F) return 3;
  if (at(0) == 0xE3 && at(1) == 0x80 && at(2) == 0x80) return 3;
  return 0;
}

void append_utf8(std::string& out, std::uint32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// The reference at text[pos] ('&'): its characters and length, or length 0.
std::pair<std::string, std::size_t> reference_at(std::string_view text, std::size_t pos) {
  constexpr std::size_t longest = 32;  // "&#x10FFFF;", "&nbsp;": anything longer is no reference
  const auto semicolon = text.substr(pos, longest).find(';');
  if (semicolon == std::string_view::npos) return {{}, 0};
  const auto end = pos + semicolon;
  const auto name = text.substr(pos + 1, end - pos - 1);
  if (name.size() >= 2 && name[0] == '#') {
    const bool hex = name[1] == 'x' || name[1] == 'X';
    const auto digits = name.substr(hex ? 2 : 1);
    if (digits.empty()) return {{}, 0};
    std::uint32_t value = 0;
    for (const char c : digits) {
      const int d = c >= '0' && c <= '9' ? c - '0'
                    : hex && lower(c) >= 'a' && lower(c) <= 'f' ? lower(c) - 'a' + 10
                                                                 : -1;
      if (d < 0 || value > 0x10FFFF) return {{}, 0};
      value = value * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
    }
    if (value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return {{}, 0};
    // HTML5 §13.2.5.80: references to 0x80-0x9F mean windows-1252.
    static constexpr std::array<std::uint16_t, 32> windows_1252{
        0x20AC, 0x81,   0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x8D,   0x017D, 0x8F,   0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,   0x017E, 0x0178};
    if (value >= 0x80 && value <= 0x9F) value = windows_1252[value - 0x80];
    std::string out;
    append_utf8(out, value);
    return {out, end - pos + 1};
  }
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 6> named{
      {{"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", "\xC2\xA0"}}};
  for (const auto& [key, value] : named) {
    if (name == key) return {std::string{value}, end - pos + 1};
  }
  return {{}, 0};
}

std::string escape(std::string_view text, bool attribute) {
  std::string out;
  for (const char c : text) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '"' && attribute) out += "&quot;";
    else out += c;
  }
  return out;
}

struct tag {
  bool closing = false;
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::size_t length = 0;  // 0: not a tag
};

bool is_name_char(char c) { return !is_space(c) && c != '>' && c != '/' && c != '=' && c != '<'; }

// A start or end tag at html[pos] ('<'), attribute values decoded.
tag tag_at(std::string_view html, std::size_t pos) {
  tag t;
  std::size_t i = pos + 1;
  if (i < html.size() && html[i] == '/') {
    t.closing = true;
    ++i;
  }
  if (i >= html.size() || !is_alpha(html[i])) return {};
  while (i < html.size() && is_name_char(html[i])) t.name += lower(html[i++]);
  while (i < html.size()) {
    while (i < html.size() && (is_space(html[i]) || html[i] == '/')) ++i;
    if (i >= html.size()) return {};
    if (html[i] == '>') {
      t.length = i + 1 - pos;
      std::sort(t.attributes.begin(), t.attributes.end());
      return t;
    }
    std::string name;
    while (i < html.size() && is_name_char(html[i])) name += lower(html[i++]);
    if (name.empty()) return {};  // a stray '=' or '<'
    while (i < html.size() && is_space(html[i])) ++i;
    std::string value;
    if (i < html.size() && html[i] == '=') {
      ++i;
      while (i < html.size() && is_space(html[i])) ++i;
      if (i < html.size() && (html[i] == '"' || html[i] == '\'')) {
        const auto close = html.find(html[i], i + 1);
        if (close == std::string_view::npos) return {};
        value = decode_references(html.substr(i + 1, close - i - 1));
        i = close + 1;
      } else {
        const auto start = i;
        while (i < html.size() && !is_space(html[i]) && html[i] != '>') ++i;
        value = decode_references(html.substr(start, i - start));
      }
    }
    t.attributes.emplace_back(std::move(name), std::move(value));
  }
  return {};
}

// HTML elements without content or end tag (HTML5 §13.1.2).
bool is_void(std::string_view name) {
  static constexpr std::array<std::string_view, 13> names{"area", "base", "br",   "col",   "embed", "hr",   "img",
                                                          "input", "link", "meta", "param", "source", "wbr"};
  return std::find(names.begin(), names.end(), name) != names.end();
}

// "<div>...</div>" (attributes at most xmlns) around everything: the
// wrapper Atom requires for xhtml (RFC 4287 §4.1.3.3), which parsers keep or
// drop by format. Returns the inside, or the text unchanged.
std::string_view unwrapped(std::string_view canonical) {
  constexpr std::string_view open = "<div>";
  constexpr std::string_view close = "</div>";
  if (!canonical.starts_with(open) || !canonical.ends_with(close)) return canonical;
  const auto inside = canonical.substr(open.size(), canonical.size() - open.size() - close.size());
  // "<div>a</div><div>b</div>" is two blocks, not one wrapper.
  std::size_t depth = 0;
  for (std::size_t at = 0; (at = inside.find("div", at)) != std::string_view::npos; at += 3) {
    const char after = at + 3 < inside.size() ? inside[at + 3] : '\0';
    if (at >= 1 && inside[at - 1] == '<' && (after == '>' || after == ' ')) ++depth;
    if (at >= 2 && inside.substr(at - 2, 2) == "</" && after == '>' && depth-- == 0) return canonical;
  }
  return inside;
}

// Elements that a browser renders on a line of their own.
bool breaks_line(std::string_view name) {
  static constexpr std::array<std::string_view, 32> names{
      "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
      "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
      "section", "table", "td", "th", "tr", "ul"};
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

std::string collapse_whitespace(std::string_view text) {
  std::string out;
  bool pending = false;
  for (std::size_t i = 0; i < text.size();) {
    if (const auto n = space_at(text, i); n > 0) {
      pending = !out.empty();
      i += n;
      continue;
    }
    if (pending) out += ' ';
    pending = false;
    out += text[i++];
  }
  return out;
}

std::string decode_references(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '&') {
      if (auto [chars, length] = reference_at(text, i); length > 0) {
        out += chars;
        i += length;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

std::string visible_text(std::string_view html_or_text) {
  std::string out;
  for (std::size_t i = 0; i < html_or_text.size();) {
    if (html_or_text[i] == '<') {
      if (const auto t = tag_at(html_or_text, i); t.length > 0) {
        if (breaks_line(t.name)) out += ' ';  // "a<br>b" reads "a b", "H<sub>2</sub>O" reads "H2O"
        i += t.length;
        continue;
      }
    }
    out += html_or_text[i++];
  }
  return collapse_whitespace(decode_references(out));
}

std::string canonical_html(std::string_view html) {
  std::string out;
  std::string text;
  std::string last_start;  // name of a start tag with nothing after it yet
  const auto flush = [&] {
    if (!text.empty()) last_start.clear();
    out += escape(decode_references(text), false);
    text.clear();
  };
  for (std::size_t i = 0; i < html.size();) {
    if (html[i] == '<' && html.substr(i, 4) == "<!--") {
      const auto end = html.find("-->", i + 4);
      const auto length = end == std::string_view::npos ? html.size() - i : end + 3 - i;
      flush();
      out += html.substr(i, length);
      i += length;
      continue;
    }
    if (html[i] == '<') {
      if (const auto t = tag_at(html, i); t.length > 0) {
        flush();
        // "<br></br>" is "<br>"; "<x></x>" is "<x/>" (XML) is "<x>".
        if (t.closing && (is_void(t.name) || last_start == t.name)) {
          last_start.clear();
          i += t.length;
          continue;
        }
        out += t.closing ? "</" : "<";
        out += t.name;
        for (const auto& [name, value] : t.attributes) {
          // Namespace declarations mean nothing to an HTML5 parser, which
          // knows svg and math by name (HTML5 §13.2.6.5).
          if (name == "xmlns" || name.starts_with("xmlns:")) continue;
          out += " " + name + "=\"" + escape(value, true) + "\"";
        }
        out += '>';
        last_start = t.closing ? std::string{} : t.name;
        i += t.length;
        continue;
      }
    }
    text += html[i++];
  }
  flush();
  out = collapse_whitespace(out);
  return collapse_whitespace(unwrapped(out));  // the space just inside the wrapper does not render
}

}  // namespace feedd::conformance
