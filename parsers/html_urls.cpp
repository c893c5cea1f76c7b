#include "html_urls.hpp"

#include <array>

#include "feedd/parsers/url.hpp"
#include "text.hpp"

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

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// HTML names are ASCII case-insensitive.
bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool is_uri_attribute(std::string_view element, std::string_view attribute) {
  for (const auto& pair : uri_attributes) {
    if (iequals(pair.element, element) && iequals(pair.attribute, attribute)) return true;
  }
  return false;
}

// RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":".
bool has_scheme(std::string_view value) {
  std::size_t i = 0;
  while (i < value.size() && is_space(value[i])) ++i;
  if (i == value.size() || !is_alpha(value[i])) return false;
  for (++i; i < value.size(); ++i) {
    const char c = value[i];
    if (c == ':') return true;
    if (!is_alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') return false;
  }
  return false;
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
      } else if (rest.size() > 1 && is_alpha(rest[1])) {
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
    while (pos < in_.size() && !is_space(in_[pos]) && in_[pos] != '/' && in_[pos] != '>') ++pos;
    const std::string_view name = in_.substr(name_start, pos - name_start);
    for (;;) {
      while (pos < in_.size() && (is_space(in_[pos]) || in_[pos] == '/')) ++pos;
      if (pos >= in_.size()) return std::string_view::npos;
      if (in_[pos] == '>') break;
      const std::size_t attribute_start = pos++;
      while (pos < in_.size() && !is_space(in_[pos]) && in_[pos] != '/' && in_[pos] != '>' && in_[pos] != '=') ++pos;
      const std::string_view attribute = in_.substr(attribute_start, pos - attribute_start);
      std::size_t after_name = pos;
      while (after_name < in_.size() && is_space(in_[after_name])) ++after_name;
      if (after_name >= in_.size() || in_[after_name] != '=') continue;  // an attribute without a value
      pos = after_name + 1;
      while (pos < in_.size() && is_space(in_[pos])) ++pos;
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
        while (pos < in_.size() && !is_space(in_[pos]) && in_[pos] != '>') ++pos;
        value = in_.substr(value_start, pos - value_start);
      }
      if (is_uri_attribute(name, attribute)) rewrite(value_start, pos, value);
    }
    ++pos;  // past '>'
    // Raw text elements end only at their end tag (HTML §13.1.2); a '<a'
    // inside a script is not a tag.
    if (iequals(name, "script") || iequals(name, "style")) {
      for (std::size_t end = in_.find("</", pos); end != std::string_view::npos; end = in_.find("</", end + 2)) {
        if (iequals(in_.substr(end + 2, name.size()), name)) return end;
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

std::size_t resolve_html_urls(std::string& html, std::string_view base, std::size_t max_bytes,
                              std::size_t max_resolutions) {
  if (base.empty() || base.size() > max_url || max_resolutions == 0) return 0;
  if (html.find('<') == std::string::npos) return 0;
  resolver r{html, base, max_bytes, max_resolutions};
  const std::size_t count = r.run();
  if (count > 0) html = std::move(r).take();
  return count;
}

}  // namespace feedd::parsers::detail
