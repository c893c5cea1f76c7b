#include "fields.hpp"

#include <algorithm>
#include <array>

namespace feedd::config {
namespace {

constexpr std::int64_t one_day_ms = 86'400'000;
// Durations end up added to clock time points; a year keeps every sum far
// from overflowing nanosecond clocks and is longer than any sane setting.
constexpr std::int64_t longest = 365 * one_day_ms;
constexpr std::int64_t gib = std::int64_t{1} << 30;

const std::array<field, 34> table{{
    {"database", "url", +[](config& c) -> std::string& { return c.database.url; }, 0, 0, text_rule::secret},
    {"database", "password_file", +[](config& c) -> std::string& { return c.database.password_file; }, 0, 0,
     text_rule::credential},
    {"database", "migrate", +[](config& c) -> bool& { return c.database.migrate; }},
    {"database", "synchronous_commit", +[](config& c) -> bool& { return c.database.synchronous_commit; }},
    // PostgreSQL takes both in milliseconds as an int; a day is far below that.
    {"database", "statement_timeout", +[](config& c) -> duration& { return c.database.statement_timeout; }, 1,
     one_day_ms},
    {"database", "lock_timeout", +[](config& c) -> duration& { return c.database.lock_timeout; }, 1, one_day_ms},

    {"fetch", "threads", +[](config& c) -> int& { return c.fetch.threads; }, 1, 64},
    {"fetch", "max_concurrent", +[](config& c) -> int& { return c.fetch.max_concurrent; }, 1, 10'000},
    {"fetch", "max_per_host", +[](config& c) -> int& { return c.fetch.max_per_host; }, 1, 10'000},
    // Zero is allowed: fetches to one host start as soon as max_per_host lets them.
    {"fetch", "host_delay", +[](config& c) -> duration& { return c.fetch.host_delay; }, 0, longest},
    {"fetch", "connect_timeout", +[](config& c) -> duration& { return c.fetch.connect_timeout; }, 1, longest},
    {"fetch", "timeout", +[](config& c) -> duration& { return c.fetch.timeout; }, 1, longest},
    // The whole body is held in memory before parsing.
    {"fetch", "max_body", +[](config& c) -> std::size_t& { return c.fetch.max_body; }, 1, gib},
    // 0 means "never follow"; curl and Go stop well below 20 (RFC 9110 15.4 asks
    // clients to detect loops).
    {"fetch", "max_redirects", +[](config& c) -> int& { return c.fetch.max_redirects; }, 0, 20},
    {"fetch", "user_agent", +[](config& c) -> std::string& { return c.fetch.user_agent; }, 0, 0,
     text_rule::header_value},
    {"fetch", "tls_verify", +[](config& c) -> bool& { return c.fetch.tls_verify; }},
    {"fetch", "ca_file", +[](config& c) -> std::string& { return c.fetch.ca_file; }, 0, 0, text_rule::absolute_path},
    {"fetch", "block_private_addresses", +[](config& c) -> bool& { return c.fetch.block_private_addresses; }},
    {"fetch", "proxy", +[](config& c) -> std::string& { return c.fetch.proxy; }, 0, 0, text_rule::proxy_url},

    {"queue", "capacity", +[](config& c) -> int& { return c.queue.capacity; }, 1, 100'000},

    {"schedule", "interval", +[](config& c) -> duration& { return c.schedule.interval; }, 1, longest},
    {"schedule", "min_interval", +[](config& c) -> duration& { return c.schedule.min_interval; }, 1, longest},
    {"schedule", "max_interval", +[](config& c) -> duration& { return c.schedule.max_interval; }, 1, longest},
    {"schedule", "error_backoff_max", +[](config& c) -> duration& { return c.schedule.error_backoff_max; }, 1,
     longest},
    {"schedule", "claim_batch", +[](config& c) -> int& { return c.schedule.claim_batch; }, 1, 10'000},
    {"schedule", "lease", +[](config& c) -> duration& { return c.schedule.lease; }, 1, longest},
    // Zero is allowed: imported and overdue feeds are all due at once.
    {"schedule", "first_check_spread", +[](config& c) -> duration& { return c.schedule.first_check_spread; }, 0,
     longest},
    {"schedule", "adaptive", +[](config& c) -> bool& { return c.schedule.adaptive; }},

    // Zero is allowed: cancel in-flight fetches at once, still store the queue.
    {"shutdown", "drain_timeout", +[](config& c) -> duration& { return c.shutdown.drain_timeout; }, 0, longest},

    {"log", "level", +[](config& c) -> log_level& { return c.log.level; }},
    {"log", "format", +[](config& c) -> log_format& { return c.log.format; }},

    {"metrics", "listen", +[](config& c) -> std::optional<listen_address>& { return c.metrics.listen; }},

    // Zero is allowed and the default: keep everything. Ten years bound the
    // age (sent to the database as seconds; far from any overflow).
    {"retention", "max_age", +[](config& c) -> duration& { return c.retention.max_age; }, 0, 3650 * one_day_ms},
    {"retention", "max_entries_per_feed", +[](config& c) -> int& { return c.retention.max_entries_per_feed; }, 0,
     100'000'000},
}};

constexpr std::array<std::string_view, 8> sections{"database", "fetch", "queue",   "schedule",
                                                   "shutdown", "log",   "metrics", "retention"};
constexpr std::array<std::string_view, 4> level_names{"debug", "info", "warning", "error"};
// Same order as log_format: automatic is spelled "auto" in the file.
constexpr std::array<std::string_view, 3> format_names{"auto", "text", "json"};

}  // namespace

std::span<const field> fields() { return table; }

std::span<const std::string_view> section_names() { return sections; }

bool is_section(std::string_view name) { return std::find(sections.begin(), sections.end(), name) != sections.end(); }

const field* find_field(std::string_view section, std::string_view name) {
  for (const auto& f : fields()) {
    if (f.section == section && f.name == name) return &f;
  }
  return nullptr;
}

config defaults(std::string_view version) {
  config c;
  c.fetch.user_agent = "feedd/" + std::string(version);
  return c;
}

std::span<const std::string_view> log_level_names() { return level_names; }
std::span<const std::string_view> log_format_names() { return format_names; }

std::optional<log_level> parse_log_level(std::string_view text) {
  for (std::size_t i = 0; i < level_names.size(); ++i) {
    if (level_names[i] == text) return static_cast<log_level>(i);
  }
  return std::nullopt;
}

std::optional<log_format> parse_log_format(std::string_view text) {
  for (std::size_t i = 0; i < format_names.size(); ++i) {
    if (format_names[i] == text) return static_cast<log_format>(i);
  }
  return std::nullopt;
}

std::string_view to_string(log_level level) { return level_names.at(static_cast<std::size_t>(level)); }
std::string_view to_string(log_format format) { return format_names.at(static_cast<std::size_t>(format)); }

}  // namespace feedd::config
