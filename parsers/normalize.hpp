#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "feedd/model.hpp"
#include "text_store.hpp"

// What a format parser reads out of its document, before any cleaning: the
// Miniflux split of a format walker (rss.cpp, atom.cpp...) and one adapter
// into the model (normalize.cpp), so that every format gets the same
// sanitizing, URL resolution, identity and caps. Fields are views into the
// parsed document, the xml_scope (bases) or the feed's text_store: a raw
// feed is normalized while the document it was read from is alive.
namespace feedd::parsers::detail {

// A URL as written, with the base it is relative to (xml:base in effect, or
// the document URL).
struct raw_url {
  std::string_view value;
  std::string_view base;
};

// Titles of RSS are HTML-ish by habit; Atom says which (RFC 4287, 3.1).
struct raw_title {
  std::string_view value;
  bool html = true;
};

// Summary and content: HTML unless the format said plain text (Atom
// type="text", JSON Feed content_text), with the base its relative links
// resolve against (the xml:base in effect on the element).
struct raw_body {
  std::string_view value;
  std::string_view base;
  bool html = true;
};

struct raw_enclosure {
  raw_url url;
  std::string_view type;
  std::string_view length;
};

struct raw_entry {
  std::string_view guid;
  raw_url url;
  raw_title title;
  std::string_view author;
  raw_body summary;
  raw_body content;
  std::string_view published;
  std::string_view updated;
  std::vector<std::string_view> categories;
  std::vector<raw_enclosure> enclosures;
};

struct raw_feed {
  feed_format format = feed_format::rss20;
  raw_title title;
  raw_url site_url;
  std::string_view ttl_minutes;  // RSS 2.0 <ttl>
  std::string_view update_period;  // RSS 1.0 syndication module
  std::string_view update_frequency;
  std::vector<std::string_view> skip_hours;  // RSS 2.0 <skipHours><hour>, as written
  std::vector<std::string_view> skip_days;   // RSS 2.0 <skipDays><day>
  std::vector<raw_entry> entries;
  std::size_t skipped_entries = 0;  // beyond max_entries, counted but not read
  std::vector<std::string> warnings;
  // Every text field above is already what sanitize_utf8 would make of it
  // (taken from a document checked once as a whole, or cleaned by the
  // reader that synthesized it): normalize skips the per-field check.
  bool clean_text = false;
  text_store store;  // what the fields above view that the document does not hold
};

// Entries beyond this are dropped (RELIABILITY M4); the walkers stop reading
// there, so that a document of a million empty items costs no memory.
inline constexpr std::size_t max_entries = 1000;

// Repeated fields of one entry (categories, enclosures) kept by the walkers
// before normalize applies the real caps.
inline constexpr std::size_t max_raw_list = 1024;

template <class Read>
void add_entry(raw_feed& feed, Read read) {
  if (feed.entries.size() < max_entries) {
    feed.entries.push_back(read());
  } else {
    ++feed.skipped_entries;
  }
}

feed normalize(raw_feed raw);

}  // namespace feedd::parsers::detail
