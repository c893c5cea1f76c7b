#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <forward_list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <pugixml.hpp>

#include "xml.hpp"

// Which namespace an element's name is in, and which xml:base applies to
// it, for one parsed document.
namespace feedd::parsers::detail {

// The namespaces the readers test names against, so that a test compares
// small integers rather than URIs. itunes and media stand for every
// spelling feeds use: the iTunes URI in any case (Apple's own documents
// write ".../DTDs/PodCast-1.0.dtd"), Media RSS with or without its final
// slash. Unknown URIs (and the pre-0.3 Atom drafts) are `other`.
enum class known_ns : std::uint8_t {
  none,
  other,
  xml,
  atom10,
  atom03,
  rdf,
  rss10,
  rss090,
  content,
  dc,
  dcterms,
  sy,
  media,
  itunes,
  feedburner,
  xhtml,
};

known_ns classify_namespace(std::string_view uri);

// An element's expanded name (Namespaces in XML 1.0, section 6), read once
// and then tested against the many names a reader knows. A node that is not
// an element has an empty local name and matches nothing.
struct expanded_name {
  std::string_view uri;    // "" in no namespace, or for an undeclared prefix of unknown meaning
  std::string_view local;
  known_ns space = known_ns::none;
  bool prefixed = false;

  bool is(known_ns ns, std::string_view name) const { return local == name && space == ns; }
  // A namespace known only from the document (that of its root element).
  bool is_in(std::string_view ns_uri, std::string_view name) const { return local == name && uri == ns_uri; }
};

// Namespace and xml:base lookups for one parsed document. The declarations
// of an element are read the first time a lookup passes through it and
// remembered, so that a lookup costs a hash probe for its parent instead of
// a scan of every ancestor's attributes (a root element with a million
// attributes must not make each lookup slow), and the markup inside
// entries' content, which no lookup reaches, is never visited. Holds views
// into the document: it must not outlive it. Not thread-safe.
class xml_scope {
 public:
  xml_scope(const pugi::xml_document& document, std::string_view document_base);

  // The namespace URI of an element's name: its prefix (or the default
  // namespace) looked up through the xmlns attributes of the element and
  // its ancestors. A prefix declared nowhere falls back to the URI that
  // prefix conventionally stands for (dc, content, media...), because feeds
  // that forget the declaration are common; a prefix bound to another URI is
  // never guessed.
  std::string_view namespace_uri(pugi::xml_node element) const;

  // Unprefixed attributes are in no namespace (Namespaces in XML 1.0, 6.3).
  std::string_view namespace_uri(pugi::xml_attribute attribute, pugi::xml_node owner) const;

  bool is(pugi::xml_node node, std::string_view uri, std::string_view local) const;

  // The expanded name of an element: one name read and one prefix lookup,
  // however many names it is then tested against.
  expanded_name name_of(pugi::xml_node node) const;

 private:
  struct frame;

 public:
  // The names of one element's children, read one after another: the
  // declarations in effect at the parent are found once, not per child.
  class child_names {
   public:
    expanded_name of(pugi::xml_node child) const { return scope_.name_in(child, parent_frame_); }

   private:
    friend class xml_scope;
    child_names(const xml_scope& scope, const frame* parent_frame) : scope_(scope), parent_frame_(parent_frame) {}
    const xml_scope& scope_;
    const frame* parent_frame_;
  };

  child_names names_in(pugi::xml_node parent) const;

  // The first element child with that expanded name, or an empty node.
  pugi::xml_node child(pugi::xml_node parent, std::string_view uri, std::string_view local) const;

  // The base URI in effect for an element (XML Base, section 4.2): the
  // document's URL refined by every xml:base from the root down. The view
  // lives as long as the scope.
  std::string_view base_of(pugi::xml_node element) const;

 private:
  // The declarations of one element that has any, linked to those of its
  // nearest such ancestor.
  struct binding {
    std::string_view prefix;  // "" is the default namespace
    std::string_view uri;
    known_ns space = known_ns::none;
  };

  struct frame {
    const frame* parent = nullptr;
    std::vector<binding> bindings;
    std::unordered_map<std::string_view, std::size_t> index;  // into bindings, once there are many
    std::optional<std::string_view> base;
    mutable std::optional<std::string> resolved_base;

    const binding* find(std::string_view prefix) const;
  };

  static bool read_declarations(pugi::xml_node element, frame& out);
  const frame* cached_frame(pugi::xml_node element) const;
  const frame* enclosing_frame(pugi::xml_node element) const;
  const frame* frame_for(pugi::xml_node element, frame& scratch) const;
  static binding find_binding(const frame* innermost, std::string_view prefix);
  binding resolve_prefix(pugi::xml_node element, std::string_view prefix) const;
  binding resolve_in(pugi::xml_node element, const frame* above, std::string_view prefix) const;
  expanded_name name_in(pugi::xml_node node, const frame* above) const;
  const frame* frame_at(pugi::xml_node element) const;

  mutable std::forward_list<frame> frames_;  // stable addresses, nothing allocated for none
  // Element -> its frame, or its nearest ancestor's, or null.
  mutable std::unordered_map<const void*, const frame*> frame_of_;
  // The frames in effect at the last few parents looked up through: the
  // fields of an entry share one, the entries of a feed share its parent's,
  // so that most lookups cost neither a hash probe nor an allocation.
  struct recent_frame {
    const void* element = nullptr;
    const frame* found = nullptr;
  };
  static constexpr std::size_t recent_size = 4;
  const frame* const* find_recent(const void* element) const;
  void remember(const void* element, const frame* found) const;
  mutable std::array<recent_frame, recent_size> recent_{};
  mutable std::size_t recent_next_ = 0;
  // The last prefix resolved without declarations of its own element:
  // siblings mostly share both the frame and the prefix.
  mutable const frame* last_frame_ = nullptr;
  mutable std::string_view last_prefix_;
  mutable binding last_binding_;
  mutable bool have_last_ = false;
  std::string document_base_;
  mutable std::deque<std::string> element_bases_;  // of elements with their own xml:base, read once each
};

}  // namespace feedd::parsers::detail
