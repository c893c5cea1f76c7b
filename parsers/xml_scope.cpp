#include "xml_scope.hpp"

#include <array>
#include <utility>
#include <vector>

#include "ascii.hpp"
#include "feedd/parsers/url.hpp"

namespace feedd::parsers::detail {
namespace {

// The namespaces the readers know, by URI as written in the specifications,
// with the prefix feeds use for each without declaring it (when they do),
// which then always means that namespace.
struct known_namespace {
  known_ns space;
  std::string_view uri;
  std::string_view conventional_prefix;
};

constexpr std::array<known_namespace, 14> known_namespaces{{
    {known_ns::xml, ns::xml, ""},
    {known_ns::atom10, ns::atom10, "atom"},
    {known_ns::atom03, ns::atom03, ""},
    {known_ns::rdf, ns::rdf, "rdf"},
    {known_ns::rss10, ns::rss10, ""},
    {known_ns::rss090, ns::rss090, ""},
    {known_ns::content, ns::content, "content"},
    {known_ns::dc, ns::dc, "dc"},
    {known_ns::dcterms, ns::dcterms, "dcterms"},
    {known_ns::sy, ns::sy, "sy"},
    {known_ns::media, ns::media, "media"},
    {known_ns::itunes, ns::itunes, "itunes"},
    {known_ns::feedburner, ns::feedburner, "feedburner"},
    {known_ns::xhtml, ns::xhtml, "xhtml"},
}};

// Whether an element may declare a prefix or a base: most have no
// attributes at all, and few of the others start with "xml".
bool has_declarations(pugi::xml_node element) {
  for (auto attr = element.first_attribute(); attr; attr = attr.next_attribute()) {
    const char* raw = attr.name();
    if (raw[0] == 'x' && raw[1] == 'm' && raw[2] == 'l') return true;
  }
  return false;
}

}  // namespace

known_ns classify_namespace(std::string_view uri) {
  if (uri.empty()) return known_ns::none;
  for (const auto& known : known_namespaces) {
    if (uri == known.uri) return known.space;
  }
  if (ascii::iequals(uri, ns::itunes)) return known_ns::itunes;
  if (uri.size() + 1 == ns::media.size() && ns::media.starts_with(uri)) return known_ns::media;
  return known_ns::other;
}

xml_scope::xml_scope(const pugi::xml_document&, std::string_view document_base) : document_base_(document_base) {}

const xml_scope::binding* xml_scope::frame::find(std::string_view prefix) const {
  if (!index.empty()) {
    const auto it = index.find(prefix);
    return it == index.end() ? nullptr : &bindings[it->second];
  }
  for (const auto& b : bindings) {
    if (b.prefix == prefix) return &b;
  }
  return nullptr;
}

// The first declaration of a prefix (or of xml:base) on an element wins.
bool xml_scope::read_declarations(pugi::xml_node element, frame& out) {
  constexpr std::size_t indexed_above = 16;
  bool any = false;
  for (auto attr = element.first_attribute(); attr; attr = attr.next_attribute()) {
    const char* raw = attr.name();
    if (raw[0] != 'x' || raw[1] != 'm' || raw[2] != 'l') continue;  // most attributes, without a strlen
    const std::string_view name = raw;
    if (name == "xmlns" || name.starts_with("xmlns:")) {
      const std::string_view prefix = name.size() == 5 ? std::string_view{} : name.substr(6);
      if (out.find(prefix) == nullptr) {
        const std::string_view uri = attr.value();
        out.bindings.push_back({prefix, uri, classify_namespace(uri)});
        if (!out.index.empty()) {
          out.index.emplace(prefix, out.bindings.size() - 1);
        } else if (out.bindings.size() > indexed_above) {
          for (std::size_t i = 0; i < out.bindings.size(); ++i) out.index.emplace(out.bindings[i].prefix, i);
        }
      }
      any = true;
    } else if (name == "xml:base") {
      if (!out.base) out.base = attr.value();
      any = true;
    }
  }
  return any;
}

// The frame in effect at an element, remembering it for the element and
// its ancestors. Iterative: documents nest arbitrarily deep.
const xml_scope::frame* xml_scope::cached_frame(pugi::xml_node element) const {
  // The elements not seen yet, innermost first: usually one or two (an
  // item, its channel), kept without allocating.
  constexpr std::size_t near_depth = 8;
  std::array<pugi::xml_node, near_depth> near;
  std::vector<pugi::xml_node> far;
  std::size_t unknown = 0;
  const frame* above = nullptr;
  for (auto node = element; node && node.type() == pugi::node_element; node = node.parent(), ++unknown) {
    if (const auto it = frame_of_.find(node.internal_object()); it != frame_of_.end()) {
      above = it->second;
      break;
    }
    if (unknown < near_depth) {
      near[unknown] = node;
    } else {
      far.push_back(node);
    }
  }
  for (std::size_t i = unknown; i-- > 0;) {
    const pugi::xml_node node = i < near_depth ? near[i] : far[i - near_depth];
    frame own;
    if (read_declarations(node, own)) {
      own.parent = above;
      above = &frames_.emplace_front(std::move(own));
    }
    frame_of_.emplace(node.internal_object(), above);
  }
  return above;
}

const xml_scope::frame* const* xml_scope::find_recent(const void* element) const {
  for (const auto& r : recent_) {
    if (r.element == element && element != nullptr) return &r.found;
  }
  return nullptr;
}

void xml_scope::remember(const void* element, const frame* found) const {
  recent_[recent_next_] = {element, found};
  recent_next_ = (recent_next_ + 1) % recent_size;
}

// The frame in effect at an element's parent. An element is read, not
// remembered: most lookups start at a leaf that is looked up once or twice,
// while its parent is shared with its siblings.
const xml_scope::frame* xml_scope::enclosing_frame(pugi::xml_node element) const {
  const auto parent = element.parent();
  if (parent.type() != pugi::node_element) return nullptr;
  if (const auto* hit = find_recent(parent.internal_object())) return *hit;
  const auto grandparent = parent.parent();
  const frame* above = nullptr;
  if (const auto* grand = find_recent(grandparent.internal_object()); grand != nullptr && !has_declarations(parent)) {
    above = *grand;
  } else {
    above = cached_frame(parent);
    if (grand == nullptr) {
      remember(grandparent.internal_object(),
               grandparent.type() == pugi::node_element ? cached_frame(grandparent) : nullptr);
    }
  }
  remember(parent.internal_object(), above);
  return above;
}

// The frame in effect at an element; scratch holds the element's own
// declarations if it has any.
const xml_scope::frame* xml_scope::frame_for(pugi::xml_node element, frame& scratch) const {
  if (element.type() != pugi::node_element) return nullptr;
  const frame* above = enclosing_frame(element);
  if (!has_declarations(element) || !read_declarations(element, scratch)) return above;
  scratch.parent = above;
  return &scratch;
}

xml_scope::binding xml_scope::find_binding(const frame* innermost, std::string_view prefix) {
  for (const frame* f = innermost; f != nullptr; f = f->parent) {
    if (const auto* found = f->find(prefix)) return *found;
  }
  if (prefix.empty()) return {};
  for (const auto& known : known_namespaces) {
    if (known.conventional_prefix == prefix) return {prefix, known.uri, known.space};
  }
  return {};
}

xml_scope::binding xml_scope::resolve_prefix(pugi::xml_node element, std::string_view prefix) const {
  // The xml prefix is bound by definition and may not be redeclared.
  if (prefix == "xml") return {prefix, ns::xml, known_ns::xml};
  if (element.type() != pugi::node_element) return find_binding(nullptr, prefix);
  return resolve_in(element, enclosing_frame(element), prefix);
}

// prefix (not "xml") on element, whose parent's frame is above.
xml_scope::binding xml_scope::resolve_in(pugi::xml_node element, const frame* above, std::string_view prefix) const {
  if (has_declarations(element)) {
    frame own;
    if (read_declarations(element, own)) {
      own.parent = above;
      return find_binding(&own, prefix);
    }
  }
  if (have_last_ && last_frame_ == above && last_prefix_ == prefix) return last_binding_;
  last_binding_ = find_binding(above, prefix);
  last_frame_ = above;
  last_prefix_ = prefix;
  have_last_ = true;
  return last_binding_;
}

// The frame in effect at an element, its own declarations included.
const xml_scope::frame* xml_scope::frame_at(pugi::xml_node element) const {
  if (element.type() != pugi::node_element) return nullptr;
  if (const auto* hit = find_recent(element.internal_object())) return *hit;
  const frame* found = has_declarations(element) ? cached_frame(element) : enclosing_frame(element);
  remember(element.internal_object(), found);
  return found;
}

xml_scope::child_names xml_scope::names_in(pugi::xml_node parent) const { return {*this, frame_at(parent)}; }

std::string_view xml_scope::namespace_uri(pugi::xml_node element) const {
  return resolve_prefix(element, prefix_of(element.name())).uri;
}

std::string_view xml_scope::namespace_uri(pugi::xml_attribute attribute, pugi::xml_node owner) const {
  const auto prefix = prefix_of(attribute.name());
  if (prefix.empty()) return ns::none;
  return resolve_prefix(owner, prefix).uri;
}

bool xml_scope::is(pugi::xml_node node, std::string_view uri, std::string_view local) const {
  if (node.type() != pugi::node_element) return false;
  // Most tests fail on the local name; read the name once, without strlen.
  const char* name = node.name();
  const char* colon = name;
  while (*colon != '\0' && *colon != ':') ++colon;
  const bool prefixed = *colon == ':';
  if (!name_equals(prefixed ? colon + 1 : name, local)) return false;
  return resolve_prefix(node, prefixed ? std::string_view(name, static_cast<std::size_t>(colon - name))
                                       : std::string_view{})
             .uri == uri;
}

expanded_name xml_scope::name_of(pugi::xml_node node) const {
  if (node.type() != pugi::node_element) return {};
  return name_in(node, enclosing_frame(node));
}

expanded_name xml_scope::name_in(pugi::xml_node node, const frame* above) const {
  if (node.type() != pugi::node_element) return {};
  const std::string_view name = node.name();
  const auto colon = name.find(':');
  if (colon == std::string_view::npos) {
    const auto found = resolve_in(node, above, {});
    return {found.uri, name, found.space, false};
  }
  const auto prefix = name.substr(0, colon);
  const auto found = prefix == "xml" ? binding{prefix, ns::xml, known_ns::xml} : resolve_in(node, above, prefix);
  return {found.uri, name.substr(colon + 1), found.space, true};
}

pugi::xml_node xml_scope::child(pugi::xml_node parent, std::string_view uri, std::string_view local) const {
  for (const auto node : parent.children()) {
    if (is(node, uri, local)) return node;
  }
  return {};
}

std::string_view xml_scope::base_of(pugi::xml_node element) const {
  frame scratch;
  const frame* innermost = frame_for(element, scratch);
  if (innermost == nullptr) return document_base_;
  if (innermost->resolved_base) return *innermost->resolved_base;
  // Frames whose resolved base is not known yet, innermost first; each is
  // resolved once per document (the scratch frame once per call).
  std::vector<const frame*> unresolved;
  for (const frame* f = innermost; f != nullptr && !f->resolved_base; f = f->parent) unresolved.push_back(f);
  const frame* known = unresolved.empty() ? innermost : unresolved.back()->parent;
  std::string base = known != nullptr ? *known->resolved_base : document_base_;
  for (auto it = unresolved.rbegin(); it != unresolved.rend(); ++it) {
    if ((*it)->base) base = resolve_url(base, *(*it)->base);
    (*it)->resolved_base = base;
  }
  if (innermost != &scratch) return *innermost->resolved_base;
  return element_bases_.emplace_back(std::move(base));
}

}  // namespace feedd::parsers::detail
