#include "xhtml.hpp"

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "byte_scan.hpp"
#include "xml_text.hpp"

namespace feedd::parsers::detail {
namespace {

constexpr std::string_view svg_namespace = "http://www.w3.org/2000/svg";
constexpr std::string_view mathml_namespace = "http://www.w3.org/1998/Math/MathML";

// Lookups through the whole ancestry are only needed for prefixes declared
// outside the content; a handful is normal, more is an attack on the
// per-lookup cost, and those prefixes are then kept as written.
constexpr std::size_t max_outer_prefixes = 16;

// HTML §13.1.2: void elements have no end tag.
bool is_void(std::string_view name) {
  static constexpr std::array<std::string_view, 14> names = {"area",  "base",   "br",   "col",  "embed",
                                                              "hr",    "img",    "input", "link", "meta",
                                                              "param", "source", "track", "wbr"};
  for (const auto n : names) {
    if (n == name) return true;
  }
  return false;
}

// Offset of the first byte to escape, or text.size().
std::size_t first_special(std::string_view text, bool attribute) {
  return attribute ? byte_scan::find_first_of<'&', '<', '>', '"'>(text) : byte_scan::find_first_of<'&', '<', '>'>(text);
}

void append_escaped(std::string& out, std::string_view text, bool attribute) {
  for (auto at = first_special(text, attribute); at != text.size(); at = first_special(text, attribute)) {
    out.append(text.substr(0, at));
    switch (text[at]) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += "&quot;"; break;
    }
    text.remove_prefix(at + 1);
  }
  out.append(text);
}

// The prefixes in force while walking a subtree: a stack per prefix for
// the declarations met inside it (O(1) per lookup whatever the depth), the
// document's scope, looked up once per prefix, for those from outside.
class prefix_bindings {
 public:
  explicit prefix_bindings(const xml_scope& scope) : scope_(scope) {}

  // Elements without xmlns attributes (nearly all) are not recorded, so
  // that leave() can skip them without reading their attributes again.
  void enter(pugi::xml_node element) {
    bool declares = false;
    for (auto attr = element.first_attribute(); attr; attr = attr.next_attribute()) {
      const char* raw = attr.name();
      if (raw[0] != 'x') continue;
      const std::string_view name = raw;
      if (name.starts_with("xmlns:")) {
        inner_[name.substr(6)].push_back(attr.value());
        declares = true;
      }
    }
    if (declares) declaring_.push_back(element.internal_object());
  }

  void leave(pugi::xml_node element) {
    if (declaring_.empty() || declaring_.back() != element.internal_object()) return;
    declaring_.pop_back();
    for (auto attr = element.first_attribute(); attr; attr = attr.next_attribute()) {
      const std::string_view name = attr.name();
      if (!name.starts_with("xmlns:")) continue;
      if (auto& stack = inner_[name.substr(6)]; !stack.empty()) stack.pop_back();
    }
  }

  std::string_view uri(pugi::xml_node element, std::string_view prefix) {
    if (const auto it = inner_.find(prefix); it != inner_.end() && !it->second.empty()) return it->second.back();
    if (const auto it = outer_.find(prefix); it != outer_.end()) return it->second;
    if (outer_.size() >= max_outer_prefixes) return ns::none;
    // Not declared inside the subtree, so the scope's answer is the
    // declaration outside it, the same for every element of the subtree.
    const auto found = scope_.namespace_uri(element);
    outer_.emplace(prefix, found);
    return found;
  }

 private:
  const xml_scope& scope_;
  std::unordered_map<std::string_view, std::vector<std::string_view>> inner_;
  std::unordered_map<std::string_view, std::string_view> outer_;
  std::vector<const void*> declaring_;  // the open elements that declared prefixes
};

class html_writer {
 public:
  explicit html_writer(const xml_scope& scope) : bindings_(scope) {}

  // Each node's links are read once, and an element's output name is
  // kept on a stack for its end tag: the walk is most of writing content.
  std::string write(pugi::xml_node root) {
    auto node = root.first_child();
    while (node) {
      const auto type = node.type();
      if (type == pugi::node_element) {
        bindings_.enter(node);
        const auto name = name_of(node);
        open(node, name);
        if (const auto child = node.first_child()) {
          out_ += '>';
          open_names_.push_back(name);
          node = child;
          continue;
        }
        close_empty(name);
        bindings_.leave(node);
      } else {
        leaf(node, type);
      }
      for (;;) {
        if (const auto sibling = node.next_sibling()) {
          node = sibling;
          break;
        }
        node = node.parent();
        if (node == root) {
          node = {};
          break;
        }
        close(open_names_.back());
        open_names_.pop_back();
        bindings_.leave(node);
      }
    }
    return std::move(out_);
  }

 private:
  std::string_view name_of(pugi::xml_node element) {
    const std::string_view name = element.name();
    const auto colon = name.find(':');
    if (colon == std::string_view::npos) return name;
    const auto uri = bindings_.uri(element, name.substr(0, colon));
    if (uri == ns::xhtml || uri == svg_namespace || uri == mathml_namespace) return name.substr(colon + 1);
    return name;
  }

  void open(pugi::xml_node element, std::string_view name) {
    out_ += '<';
    out_.append(name);
    for (auto attr = element.first_attribute(); attr; attr = attr.next_attribute()) {
      out_ += ' ';
      out_.append(attr.name());
      out_ += "=\"";
      append_escaped(out_, attr.value(), true);
      out_ += '"';
    }
  }

  void close_empty(std::string_view name) {
    if (is_void(name)) {
      out_ += " />";
    } else {
      out_ += "></";
      out_.append(name);
      out_ += '>';
    }
  }

  void close(std::string_view name) {
    out_ += "</";
    out_.append(name);
    out_ += '>';
  }

  void leaf(pugi::xml_node node, pugi::xml_node_type type) {
    switch (type) {
      case pugi::node_pcdata:
      case pugi::node_cdata:
        append_escaped(out_, node.value(), false);
        break;
      case pugi::node_comment:
        out_ += "<!--";
        out_.append(node.value());
        out_ += "-->";
        break;
      default:
        break;  // processing instructions, declarations: not HTML
    }
  }

  prefix_bindings bindings_;
  std::vector<std::string_view> open_names_;
  std::string out_;
};

}  // namespace

std::string html_markup(pugi::xml_node element, const xml_scope& scope) {
  return html_writer{scope}.write(element);
}

std::string markup_of(pugi::xml_node element, const xml_scope& scope) {
  if (const auto text = single_text(element)) return std::string{*text};
  std::string text;
  for (const auto node : element.children()) {
    if (node.type() == pugi::node_element) return html_markup(element, scope);
    if (node.type() == pugi::node_pcdata || node.type() == pugi::node_cdata) text += node.value();
  }
  return text;
}

std::string_view markup_view(pugi::xml_node element, const xml_scope& scope, text_store& store) {
  if (const auto text = single_text(element)) return *text;
  return store.keep(markup_of(element, scope));
}

}  // namespace feedd::parsers::detail
