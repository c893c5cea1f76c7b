#include "normalize.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <unordered_set>
#include <utility>

#include "feedd/parsers/dates.hpp"
#include "feedd/parsers/url.hpp"
#include "c1_controls.hpp"
#include "html_urls.hpp"
#include "identity.hpp"
#include "text.hpp"

namespace feedd::parsers::detail {
namespace {

// Field caps (RELIABILITY M4): bounded rows whatever a publisher sends.
constexpr std::size_t max_title = 4 * 1024;
constexpr std::size_t max_short = 2 * 1024;  // author, URL, guid, category, media type
constexpr std::size_t max_text = 1024 * 1024;  // summary, content
constexpr std::size_t max_categories = 64;
constexpr std::size_t max_enclosures = 64;
constexpr std::size_t max_date_warnings = 10;
constexpr std::size_t max_quoted = 64;
// Relative links resolved in summaries and contents, per field and per
// document: bounded work whatever the markup (RELIABILITY M4).
constexpr std::size_t max_html_urls_per_field = 4096;
constexpr std::size_t max_html_urls = 65536;

enum class cap { title, author, url, guid, category, summary, content, categories, enclosures, count };

constexpr std::array<std::string_view, static_cast<std::size_t>(cap::count)> cap_names{
    "title", "author", "url", "guid", "category", "summary", "content", "categories", "enclosures"};

std::string_view trim(std::string_view text) {
  constexpr std::string_view space = " \t\r\n";
  const auto first = text.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(space) - first + 1);
}

// trim() without a copy: summaries and contents are most of a document.
void trim_in_place(std::string& text) {
  const auto kept = trim(text);
  if (kept.empty()) {
    text.clear();
    return;
  }
  const auto offset = static_cast<std::size_t>(kept.data() - text.data());
  text.erase(offset + kept.size());
  text.erase(0, offset);
}

std::optional<std::int64_t> non_negative_integer(std::string_view text) {
  text = trim(text);
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

// A value quoted in a warning: short, clean, one line.
std::string quoted(std::string_view text) {
  std::string out{text};
  truncate_utf8(out, max_quoted);
  sanitize_utf8(out);
  for (auto& c : out) {
    if (c == '\n' || c == '\r' || c == '\t' || c == '"') c = c == '"' ? '\'' : ' ';
  }
  return "\"" + out + "\"";
}

class normalizer {
 public:
  normalizer(std::vector<std::string> warnings, bool clean_text)
      : warnings_(std::move(warnings)), clean_text_(clean_text) {}

  std::string text(std::string value, std::size_t max, cap kind) {
    clean(value);
    trim_in_place(value);
    cut(value, max, kind);
    return value;
  }

  std::string title(const raw_title& raw, std::size_t max = max_title, cap kind = cap::title) {
    std::string value{raw.value};
    clean(value);
    map_c1_controls(value);
    value = raw.html ? plain_text(value) : collapse_whitespace(value);
    sanitize_utf8(value);
    cut(value, max, kind);
    return value;
  }

  std::string url(const raw_url& raw) {
    std::string value{raw.value};
    clean(value);
    const auto reference = trim(value);
    std::string resolved = reference.empty() ? std::string{} : resolve_url(raw.base, reference);
    sanitize_utf8(resolved);
    cut(resolved, max_short, cap::url);
    return resolved;
  }

  // Relative links in HTML resolve against the base in effect where it was
  // written (RFC 3986 §5.1), as they did on the publisher's page.
  std::string body(raw_body& raw, cap kind) {
    std::string value{raw.value};
    clean(value);
    map_c1_controls(value);
    trim_in_place(value);
    if (raw.html && html_urls_left_ > 0) {
      html_urls_left_ -= resolve_html_urls(value, raw.base, max_text,
                                           std::min(html_urls_left_, max_html_urls_per_field));
    }
    cut(value, max_text, kind);
    return value;
  }

  std::optional<timestamp> date(std::string_view raw, std::size_t entry_number) {
    const auto value = trim(raw);
    if (value.empty()) return std::nullopt;
    auto parsed = parse_date(value);
    if (!parsed && ++bad_dates_ <= max_date_warnings) {
      warnings_.push_back("date: cannot parse " + quoted(value) + " (entry " + std::to_string(entry_number) + ")");
    }
    return parsed;
  }

  // Moves the summary and content (most of a document) out of raw.
  entry convert(raw_entry& raw, std::size_t number) {
    entry out;
    out.url = url(raw.url);
    out.title = title(raw.title);
    // Authors are text in every format (RSS: an e-mail address, often "Jo
    // <jo@example.com>"); stripping tags would eat the address.
    out.author = title({raw.author, false}, max_short, cap::author);
    out.summary = body(raw.summary, cap::summary);
    out.content = body(raw.content, cap::content);
    out.published_at = date(raw.published, number);
    out.updated_at = date(raw.updated, number);
    for (const auto& category : raw.categories) {
      auto value = title({category, true}, max_short, cap::category);
      if (value.empty() || contains(out.categories, value)) continue;
      if (out.categories.size() == max_categories) {
        count(cap::categories);
        break;
      }
      out.categories.push_back(std::move(value));
    }
    for (const auto& attached : raw.enclosures) {
      enclosure value{url(attached.url), text(std::string{attached.type}, max_short, cap::url),
                      non_negative_integer(attached.length)};
      if (value.url.empty() || has_enclosure(out.enclosures, value.url)) continue;
      if (out.enclosures.size() == max_enclosures) {
        count(cap::enclosures);
        break;
      }
      out.enclosures.push_back(std::move(value));
    }
    out.guid = guid(raw.guid, out);
    return out;
  }

  std::vector<std::string> finish() && {
    if (bad_dates_ > max_date_warnings) {
      warnings_.push_back("date: " + std::to_string(bad_dates_ - max_date_warnings) + " more unparseable dates");
    }
    for (std::size_t i = 0; i < cut_counts_.size(); ++i) {
      if (cut_counts_[i] == 0) continue;
      warnings_.push_back("caps: " + std::string{cap_names[i]} + " cut in " + std::to_string(cut_counts_[i]) +
                          (cut_counts_[i] == 1 ? " place" : " places"));
    }
    for (auto& warning : warnings_) sanitize_utf8(warning);
    return std::move(warnings_);
  }

  std::vector<std::string>& warnings() { return warnings_; }

 private:
  // Identity (SPEC, Database): guid when present, else the link, else a
  // stable hash of title and content.
  std::string guid(std::string_view raw, const entry& e) {
    std::string value{raw};
    clean(value);
    value = std::string{trim(value)};
    if (value.size() > max_short) {
      // A cut guid could collide with another; a hash of the whole cannot
      // (in practice) and stays the same on every fetch.
      count(cap::guid);
      return "fnv:" + fnv1a64_hex(value);
    }
    if (!value.empty()) return value;
    if (!e.url.empty()) return e.url;
    return content_hash_guid(e.title, e.content.empty() ? e.summary : e.content);
  }

  // Text as the reader gave it; text made here (entities decoded, URLs
  // resolved) is always sanitized.
  void clean(std::string& value) const {
    if (!clean_text_) sanitize_utf8(value);
  }

  void cut(std::string& value, std::size_t max, cap kind) {
    if (truncate_utf8(value, max)) count(kind);
  }

  void count(cap kind) { ++cut_counts_[static_cast<std::size_t>(kind)]; }

  static bool contains(const std::vector<std::string>& values, const std::string& value) {
    for (const auto& v : values) {
      if (v == value) return true;
    }
    return false;
  }

  static bool has_enclosure(const std::vector<enclosure>& values, const std::string& url) {
    for (const auto& v : values) {
      if (v.url == url) return true;
    }
    return false;
  }

  std::vector<std::string> warnings_;
  std::array<std::size_t, static_cast<std::size_t>(cap::count)> cut_counts_{};
  std::size_t bad_dates_ = 0;
  std::size_t html_urls_left_ = max_html_urls;
  bool clean_text_ = false;
};

// RSS <ttl> is minutes; the syndication module gives a period and how many
// updates per period. Both become seconds; nonsense is ignored.
std::optional<std::chrono::seconds> ttl_of(const raw_feed& raw) {
  constexpr std::int64_t max_minutes = std::numeric_limits<std::int64_t>::max() / 60;
  if (const auto minutes = non_negative_integer(raw.ttl_minutes); minutes && *minutes > 0 && *minutes <= max_minutes) {
    return std::chrono::seconds{*minutes * 60};
  }
  const auto period_name = trim(raw.update_period);
  const auto frequency_text = trim(raw.update_frequency);
  if (period_name.empty() && frequency_text.empty()) return std::nullopt;
  constexpr std::array<std::pair<std::string_view, std::int64_t>, 5> periods{{
      {"hourly", 3600}, {"daily", 86400}, {"weekly", 604800}, {"monthly", 2592000}, {"yearly", 31536000}}};
  std::int64_t period = 0;
  if (period_name.empty()) period = 86400;  // the module's default
  for (const auto& [name, seconds] : periods) {
    if (name == period_name) period = seconds;
  }
  const auto frequency = frequency_text.empty() ? std::optional<std::int64_t>{1} : non_negative_integer(frequency_text);
  if (period == 0 || !frequency || *frequency <= 0) return std::nullopt;
  return std::chrono::seconds{std::max<std::int64_t>(1, period / *frequency)};
}

}  // namespace

feed normalize(raw_feed raw) {
  normalizer n{std::move(raw.warnings), raw.clean_text};
  feed out;
  out.format = raw.format;
  out.title = n.title(raw.title);
  out.site_url = n.url(raw.site_url);
  out.ttl = ttl_of(raw);
  if (raw.skipped_entries > 0 || raw.entries.size() > max_entries) {
    const auto total = raw.entries.size() + raw.skipped_entries;
    if (raw.entries.size() > max_entries) raw.entries.resize(max_entries);
    n.warnings().push_back("entries: kept the first " + std::to_string(raw.entries.size()) + " of " +
                           std::to_string(total));
  }
  std::unordered_set<std::string> seen;
  std::size_t duplicates = 0;
  std::string first_duplicate;
  out.entries.reserve(raw.entries.size());
  for (std::size_t i = 0; i < raw.entries.size(); ++i) {
    auto converted = n.convert(raw.entries[i], i + 1);
    if (!seen.insert(converted.guid).second) {
      if (duplicates++ == 0) first_duplicate = converted.guid;
      continue;
    }
    out.entries.push_back(std::move(converted));
  }
  if (duplicates > 0) {
    n.warnings().push_back("entries: dropped " + std::to_string(duplicates) + " with a duplicate guid (first " +
                           quoted(first_duplicate) + "); kept the first of each");
  }
  out.warnings = std::move(n).finish();
  return out;
}

}  // namespace feedd::parsers::detail
