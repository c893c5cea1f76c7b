#include "feed_listing.hpp"

#include <algorithm>
#include <array>
#include <ostream>

#include <nlohmann/json.hpp>

#include "feed_output.hpp"
#include "feedd/parsers/url.hpp"
#include "progress_line.hpp"

namespace feedd::daemon {

namespace {

using json = nlohmann::json;

json optional_json(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

// The last error as a table cell: one line, at most `width` bytes.
std::string short_error(const storage::feed_state& f, std::size_t width) {
  if (f.error_count == 0) return "";
  std::string e = shown_text(f.last_error.empty() && f.last_status ? "HTTP " + std::to_string(*f.last_status) : f.last_error);
  if (e.size() <= width) return e;
  return fit_to_width(std::move(e), width > 3 ? width - 2 : 1) + "...";
}

using row = std::array<std::string, 7>;

row table_row(const storage::feed_state& f, const config::schedule_settings& s) {
  return {std::to_string(f.id), std::string(storage::status_of(f)), interval_text(f, s), next_check_text(f),
          std::to_string(f.error_count), shown_text(f.claimed_by.value_or("")), shown_url(f.url)};
}

}  // namespace

std::string interval_text(const storage::feed_state& f, const config::schedule_settings& s) {
  if (f.interval) return config::format_duration(std::chrono::duration_cast<config::duration>(*f.interval));
  if (s.adaptive) return "adaptive";
  return config::format_duration(s.interval) + " (default)";
}

std::string next_check_text(const storage::feed_state& f) {
  if (f.disabled || !f.next_check_in_s) return "-";
  if (*f.next_check_in_s <= 0) return "now";
  return "in " + format_eta(std::chrono::seconds(*f.next_check_in_s));
}

// Columns as wide as their widest cell; CLAIMED BY only when some feed is
// claimed (several instances at work); the last error gets what is left.
void print_feed_table(std::ostream& out, const std::vector<storage::feed_state>& feeds,
                      const config::schedule_settings& s, std::size_t columns) {
  const row header = {"ID", "STATUS", "INTERVAL", "NEXT CHECK", "ERRORS", "CLAIMED BY", "URL"};
  std::vector<row> rows = {header};
  for (const auto& f : feeds) rows.push_back(table_row(f, s));
  const bool claims = std::any_of(feeds.begin(), feeds.end(), [](const auto& f) { return f.claimed_by.has_value(); });
  std::array<std::size_t, 7> width{};
  for (const auto& r : rows) {
    for (std::size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  }
  std::size_t used = 0;
  for (std::size_t c = 0; c < width.size(); ++c) used += c == 5 && !claims ? 0 : width[c] + 2;
  const std::size_t error_width = columns > used + 20 ? columns - used - 1 : 20;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::string line;
    for (std::size_t c = 0; c < width.size(); ++c) {
      if (c == 5 && !claims) continue;
      line += rows[i][c] + std::string(width[c] - rows[i][c].size() + 2, ' ');
    }
    line += i == 0 ? "LAST ERROR" : short_error(feeds[i - 1], error_width);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  }
}

// The columns `feeds list` always had first, then the new ones, so that
// scripts cutting fields by number keep working.
void print_feed_tsv(std::ostream& out, const std::vector<storage::feed_state>& feeds,
                    const config::schedule_settings& s) {
  out << "id\turl\ttitle\tstatus\tlast_check\tnext_check\terrors\tinterval\tclaimed_by\tlease_until\tlast_error\n";
  for (const auto& f : feeds) {
    out << f.id << '\t' << shown_url(f.url) << '\t' << (f.title.empty() ? "-" : shown_text(f.title)) << '\t'
        << storage::status_of(f) << '\t' << f.last_checked_at.value_or("-") << '\t'
        << (f.disabled ? "-" : f.next_check_at.value_or("-")) << '\t' << f.error_count << '\t' << interval_text(f, s)
        << '\t' << shown_text(f.claimed_by.value_or("-")) << '\t' << f.lease_until.value_or("-") << '\t'
        << (f.last_error.empty() ? "-" : shown_text(f.last_error)) << '\n';
  }
}

std::string feed_json(const storage::feed_state& f) {
  json j = {{"id", f.id},
            {"url", parsers::redact_url(f.url)},
            {"title", f.title},
            {"site_url", f.site_url},
            {"status", storage::status_of(f)},
            {"interval_s", f.interval ? json(f.interval->count()) : json(nullptr)},
            {"next_check_at", f.disabled ? json(nullptr) : optional_json(f.next_check_at)},
            {"last_checked_at", optional_json(f.last_checked_at)},
            {"last_status", f.last_status ? json(*f.last_status) : json(nullptr)},
            {"last_error", f.last_error.empty() ? json(nullptr) : json(f.last_error)},
            {"error_count", f.error_count},
            {"disabled", f.disabled},
            {"claimed_by", optional_json(f.claimed_by)},
            {"lease_until", optional_json(f.lease_until)}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace feedd::daemon
