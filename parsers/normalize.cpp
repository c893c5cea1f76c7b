#include "normalize.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cstdint>
#include <functional>
#include <limits>
#include <string_view>
#include <utility>

#include "feedd/parsers/dates.hpp"
#include "feedd/parsers/url.hpp"
#include "ascii.hpp"
#include "c1_controls.hpp"
#include "html_urls.hpp"
#include "identity.hpp"
#include "sanitize.hpp"
#include "skip_hints.hpp"
#include "text.hpp"
#include "truncate.hpp"
#include "whitespace.hpp"

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

// ascii::trim without a copy: summaries and contents are most of a document.
void trim_in_place(std::string& text) {
  const auto kept = ascii::trim(text);
  const auto offset = static_cast<std::size_t>(kept.data() - text.data());
  text.erase(offset + kept.size());
  text.erase(0, offset);
}

std::optional<std::int64_t> non_negative_integer(std::string_view text) {
  text = ascii::trim(text);
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

// Whether a URL starts with a scheme (RFC 3986 §3.1), as an absolute one
// does.
bool has_scheme(std::string_view url) {
  if (url.empty() || !ascii::is_alpha(url[0])) return false;
  for (const char c : url.substr(1)) {
    if (c == ':') return true;
    if (!ascii::is_alnum(c) && c != '+' && c != '-' && c != '.') return false;
  }
  return false;
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

// The guids of the entries kept so far, to drop later duplicates: indexes
// into the entries, in one open-addressing table (linear probing) sized
// for all of them, rather than a node and a copy per guid.
class guid_index {
 public:
  explicit guid_index(std::size_t capacity) : slots_(std::bit_ceil(2 * capacity + 1), empty) {}

  // Adds entries[i].guid unless an equal guid is there already.
  bool insert(const std::vector<entry>& entries, std::size_t i) {
    const std::string_view guid = entries[i].guid;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t slot = std::hash<std::string_view>{}(guid) & mask;; slot = (slot + 1) & mask) {
      if (slots_[slot] == empty) {
        slots_[slot] = static_cast<std::uint32_t>(i);
        return true;
      }
      if (entries[slots_[slot]].guid == guid) return false;
    }
  }

 private:
  static constexpr std::uint32_t empty = std::numeric_limits<std::uint32_t>::max();
  std::vector<std::uint32_t> slots_;
};

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

  // Titles, authors, categories, in place (moved from the raw feed).
  void plain(std::string& value, bool html, std::size_t max, cap kind) {
    clean(value);
    // Most are settled already. Clean text stays clean through both (see
    // to_plain_text): no second sanitize_utf8.
    if (!is_settled_text(value, html)) {
      map_c1_controls(value);
      if (html) {
        to_plain_text(value);
      } else {
        collapse_whitespace_in_place(value);
      }
    }
    cut(value, max, kind);
  }

  std::string url(const raw_url& raw) {
    // Clean text needs no copy before resolving.
    std::string cleaned;
    std::string_view value = raw.value;
    if (!clean_text_) {
      cleaned = value;
      clean(cleaned);
      value = cleaned;
    }
    const auto reference = ascii::trim(value);
    if (reference.empty()) return {};
    std::string resolved = resolve_url(raw.base, reference);
    // Most links come back as written, and the reference is clean already.
    if (resolved != reference) sanitize_utf8(resolved);
    cut(resolved, max_short, cap::url);
    // Without a document URL (feedd parse without --url) or an absolute
    // xml:base, a relative link has nothing to resolve against: the
    // reference is still worth more than nothing.
    if (!has_scheme(resolved) && !has_scheme(raw.base) && relative_kept_++ == 0) first_relative_ = resolved;
    return resolved;
  }

  // Summaries and contents, in place (copied from raw.value). Relative
  // links in HTML resolve against the base in effect where it was written
  // (RFC 3986 §5.1), as they did on the publisher's page.
  void body(std::string& value, const raw_body& raw, cap kind) {
    clean(value);
    // Trimming first is the same: it takes only ASCII white space from the
    // ends, which mapping C1 controls neither makes nor removes.
    trim_in_place(value);
    const html_survey survey = survey_html(value);
    if (survey.c1_controls) map_c1_controls(value);
    if (raw.html && html_urls_left_ > 0 && (survey.may_resolve || survey.c1_controls)) {
      html_urls_left_ -= resolve_html_urls(value, raw.base, max_text,
                                           std::min(html_urls_left_, max_html_urls_per_field));
    }
    cut(value, max_text, kind);
  }

  std::optional<timestamp> date(std::string_view raw, std::size_t entry_number) {
    const auto value = ascii::trim(raw);
    if (value.empty()) return std::nullopt;
    auto parsed = parse_date(value);
    if (!parsed && ++bad_dates_ <= max_date_warnings) {
      warnings_.push_back("date: cannot parse " + quoted(value) + " (entry " + std::to_string(entry_number) + ")");
    }
    return parsed;
  }

  // Copies every field of raw into out, a new entry, and cleans it there.
  void convert(const raw_entry& raw, std::size_t number, entry& out) {
    out.url = url(raw.url);
    out.title = raw.title.value;
    plain(out.title, raw.title.html, max_title, cap::title);
    // Authors are text in every format (RSS: an e-mail address, often "Jo
    // <jo@example.com>"); stripping tags would eat the address.
    out.author = raw.author;
    plain(out.author, false, max_short, cap::author);
    out.summary = raw.summary.value;
    body(out.summary, raw.summary, cap::summary);
    out.content = raw.content.value;
    body(out.content, raw.content, cap::content);
    out.published_at = date(raw.published, number);
    out.updated_at = date(raw.updated, number);
    out.categories.reserve(std::min(raw.categories.size(), max_categories));
    for (const auto raw_category : raw.categories) {
      std::string category{raw_category};
      plain(category, true, max_short, cap::category);
      if (category.empty() || contains(out.categories, category)) continue;
      if (out.categories.size() == max_categories) {
        count(cap::categories);
        break;
      }
      out.categories.push_back(std::move(category));
    }
    out.enclosures.reserve(std::min(raw.enclosures.size(), max_enclosures));
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
    out.guid = raw.guid;
    identify(out);
  }

  std::vector<std::string> finish() && {
    if (bad_dates_ > max_date_warnings) {
      warnings_.push_back("date: " + std::to_string(bad_dates_ - max_date_warnings) + " more unparseable dates");
    }
    if (relative_kept_ > 0) {
      warnings_.push_back("urls: kept " + std::to_string(relative_kept_) + " relative links as written (first " +
                          quoted(first_relative_) + "): no absolute base URL to resolve them against");
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
  // stable hash of title and content. e.guid holds the raw guid.
  void identify(entry& e) {
    clean(e.guid);
    trim_in_place(e.guid);
    if (e.guid.size() > max_short) {
      // A cut guid could collide with another; a hash of the whole cannot
      // (in practice) and stays the same on every fetch.
      count(cap::guid);
      e.guid = "fnv:" + fnv1a64_hex(e.guid);
    } else if (e.guid.empty()) {
      e.guid = !e.url.empty() ? e.url : content_hash_guid(e.title, e.content.empty() ? e.summary : e.content);
    }
  }

  // Text as the reader gave it; text made here (entities decoded, URLs
  // resolved) is always sanitized.
  void clean(std::string& value) const {
    if (!clean_text_) sanitize_utf8(value);
  }

  void cut(std::string& value, std::size_t max, cap kind) {
    if (value.size() > max && truncate_utf8(value, max)) count(kind);
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
  std::size_t relative_kept_ = 0;
  std::string first_relative_;
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
  const auto period_name = ascii::trim(raw.update_period);
  const auto frequency_text = ascii::trim(raw.update_frequency);
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
  out.title = raw.title.value;
  n.plain(out.title, raw.title.html, max_title, cap::title);
  out.site_url = n.url(raw.site_url);
  out.ttl = ttl_of(raw);
  out.skip = skip_hints_of(raw.skip_hours, raw.skip_days);
  if (raw.skipped_entries > 0 || raw.entries.size() > max_entries) {
    const auto total = raw.entries.size() + raw.skipped_entries;
    if (raw.entries.size() > max_entries) raw.entries.resize(max_entries);
    n.warnings().push_back("entries: kept the first " + std::to_string(raw.entries.size()) + " of " +
                           std::to_string(total));
  }
  out.entries.reserve(raw.entries.size());
  guid_index seen{raw.entries.size()};
  std::size_t duplicates = 0;
  std::string first_duplicate;
  for (std::size_t i = 0; i < raw.entries.size(); ++i) {
    entry& converted = out.entries.emplace_back();
    n.convert(raw.entries[i], i + 1, converted);
    if (!seen.insert(out.entries, out.entries.size() - 1)) {
      if (duplicates++ == 0) first_duplicate = converted.guid;
      out.entries.pop_back();
    }
  }
  if (duplicates > 0) {
    n.warnings().push_back("entries: dropped " + std::to_string(duplicates) + " with a duplicate guid (first " +
                           quoted(first_duplicate) + "); kept the first of each");
  }
  out.warnings = std::move(n).finish();
  return out;
}

}  // namespace feedd::parsers::detail
