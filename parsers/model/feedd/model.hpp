#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

// The normalized feed every format is turned into, and the only parser type
// storage/ and daemon/ see. All strings are valid UTF-8 without NUL or other
// C0 controls except TAB, LF and CR: PostgreSQL rejects invalid text
// (SQLSTATE 22021), so the parsers guarantee it once here.
namespace feedd {

using timestamp = std::chrono::sys_seconds;

enum class feed_format { rss090, rss091, rss092, rss093, rss094, rss20, rss10, atom03, atom10, json_feed };

struct enclosure {
  std::string url;
  std::string type;
  std::optional<std::int64_t> length;

  friend bool operator==(const enclosure&, const enclosure&) = default;
};

struct entry {
  std::string guid;     // identity within the feed; never empty after parsing
  std::string url;      // absolute when it could be resolved
  std::string title;
  std::string author;
  std::string summary;
  std::string content;
  std::optional<timestamp> published_at;
  std::optional<timestamp> updated_at;
  std::vector<std::string> categories;
  std::vector<enclosure> enclosures;

  friend bool operator==(const entry&, const entry&) = default;
};

// RSS 2.0 <skipHours> and <skipDays>: when the publisher asks aggregators
// not to check. Bit h of hours is hour h GMT (0-23), bit d of days is
// weekday d with 0 = Sunday (std::chrono::weekday's encoding); 0: no hint.
struct skip_hints {
  std::uint32_t hours = 0;
  std::uint8_t days = 0;

  bool empty() const { return hours == 0 && days == 0; }
  friend bool operator==(const skip_hints&, const skip_hints&) = default;
};

struct feed {
  feed_format format = feed_format::rss20;
  std::string title;
  std::string site_url;
  std::optional<std::chrono::seconds> ttl;
  skip_hints skip;
  std::vector<entry> entries;
  std::vector<std::string> warnings;  // what was recovered from, in document order
};

}  // namespace feedd
