#include "strip_tags.hpp"

#include <algorithm>
#include <array>

#include "ascii.hpp"

namespace feedd::parsers::detail {
namespace {

// Tags that end a line when rendered: "a<br>b" reads "a b", "H<sub>2</sub>O"
// reads "H2O".
bool is_block_element(std::string_view name) {
  static constexpr std::array<std::string_view, 36> names = {
      "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt",
      "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
      "header", "hr", "img", "li", "main", "nav", "ol", "p", "pre", "section",
      "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"};
  return std::find(names.begin(), names.end(), name) != names.end();
}

// End of the tag starting at text[pos] == '<' (one past its '>'), honouring
// quoted attribute values; npos when the input ends inside the tag.
std::size_t tag_end(std::string_view text, std::size_t pos) {
  char quote = 0;
  // A quote opens an attribute value only right after "=" and optional
  // spaces (HTML §13.2.5.36-38); elsewhere, as in href=http://a/", it is
  // an ordinary character and must not swallow the rest of the text.
  bool after_equals = false;
  for (std::size_t i = pos + 1; i < text.size(); ++i) {
    const char c = text[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if ((c == '"' || c == '\'') && after_equals) {
      quote = c;
      after_equals = false;
    } else if (c == '>') {
      return i + 1;
    } else if (c == '=') {
      after_equals = true;
    } else if (!ascii::is_html_space(c)) {
      after_equals = false;
    }
  }
  return std::string_view::npos;
}

// One past the end of "</name ...>" after pos, case-insensitively; npos if
// absent. Raw text elements (<script>, <style>) end only there (HTML §13.1.2).
std::size_t raw_text_end(std::string_view text, std::size_t pos, std::string_view name) {
  for (std::size_t i = text.find("</", pos); i != std::string_view::npos; i = text.find("</", i + 2)) {
    if (ascii::starts_with_ignoring_case(text.substr(i + 2), name)) {
      const std::size_t end = text.find('>', i);
      return end == std::string_view::npos ? text.size() : end + 1;
    }
  }
  return std::string_view::npos;
}

}  // namespace

std::string strip_tags(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  std::size_t i = 0;
  while (i < html.size()) {
    const std::size_t open = html.find('<', i);
    if (open == std::string_view::npos) {
      out.append(html.substr(i));
      break;
    }
    out.append(html.substr(i, open - i));
    const std::string_view rest = html.substr(open);
    const bool closing = rest.size() > 1 && rest[1] == '/';
    const std::size_t name_start = closing ? 2 : 1;

    if (rest.starts_with("<!--")) {
      const std::size_t end = html.find("-->", open + 4);
      i = end == std::string_view::npos ? html.size() : end + 3;
    } else if (rest.starts_with("<!") || rest.starts_with("<?")) {
      const std::size_t end = html.find('>', open);
      i = end == std::string_view::npos ? html.size() : end + 1;
    } else if (rest.size() > name_start && ascii::is_alpha(rest[name_start])) {
      std::string name;
      for (std::size_t k = name_start; k < rest.size() && ascii::is_alnum(rest[k]); ++k) {
        name += ascii::lower(rest[k]);
      }
      const std::size_t end = tag_end(html, open);
      if (end == std::string_view::npos) break;  // HTML drops a tag cut off by the end of input
      i = end;
      if (!closing && (name == "script" || name == "style")) {
        const std::size_t raw_end = raw_text_end(html, end, name);
        i = raw_end == std::string_view::npos ? html.size() : raw_end;
      }
      if (is_block_element(name)) out += ' ';
    } else {
      out += '<';  // "a < b" is text
      i = open + 1;
    }
  }
  return out;
}

}  // namespace feedd::parsers::detail
