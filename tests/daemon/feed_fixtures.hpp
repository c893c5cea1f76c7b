#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace feedd::test {

// What one generated entry must look like in the entries table.
struct expected_entry {
  std::string guid;
  std::string url;
  std::string title;
  std::string author;
  std::string summary;
  std::string content;
  std::string published_at;  // RFC 3339 UTC as the test reads it back, or ""
  std::vector<std::string> categories;
  std::string enclosure_url;  // "" when none
  std::string enclosure_type;
  long enclosure_length = -1;
};

struct generated_feed {
  std::string file;    // relative to the served root, e.g. "rss20_07.xml"
  std::string format;  // rss2.0, atom1.0, rss1.0
  std::string title;
  std::vector<expected_entry> entries;
};

// Writes `count` feeds (RSS 2.0, Atom 1.0 and RSS 1.0 in turn, 1 to 12
// entries each, every field of the model filled, some with markup and
// non-ASCII text) under root and returns what each must store as.
std::vector<generated_feed> write_feed_fixtures(const std::filesystem::path& root, int count);

}  // namespace feedd::test
