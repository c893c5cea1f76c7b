#include "log.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "terminal_line.hpp"

namespace feedd::daemon {
namespace {

constexpr std::string_view level_name(log_level level) {
  switch (level) {
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warning: return "warning";
    case log_level::error: return "error";
  }
  return "info";
}

// sd-daemon(3) priorities: <3> error, <4> warning, <6> info, <7> debug.
constexpr std::string_view journal_prefix(log_level level) {
  switch (level) {
    case log_level::debug: return "<7>";
    case log_level::info: return "<6>";
    case log_level::warning: return "<4>";
    case log_level::error: return "<3>";
  }
  return "<6>";
}

// A quoted logfmt value with control characters escaped (\x1b), so no raw
// CR, LF or ESC ever reaches the log.
void append_quoted(std::string& out, std::string_view value) {
  static constexpr char digits[] = "0123456789abcdef";
  out += '"';
  for (unsigned char c : value) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\x";
          out += digits[c >> 4];
          out += digits[c & 0xf];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

// logfmt value: bare when it is a plain token, else quoted.
void append_logfmt_value(std::string& out, std::string_view value) {
  bool bare = !value.empty();
  for (unsigned char c : value) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f) {
      bare = false;
      break;
    }
  }
  if (bare) out += value;
  else append_quoted(out, value);
}

// nlohmann escapes every control character, so a line stays one line. Feed
// text that is not UTF-8 becomes U+FFFD rather than an invalid JSON line
// (dump's default is to throw).
void append_json_string(std::string& out, std::string_view value) {
  out += nlohmann::json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string utc_now() {
  using namespace std::chrono;
  auto now = system_clock::now();
  std::time_t seconds = system_clock::to_time_t(now);
  auto millis = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  char buf[40];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(millis));
  return buf;
}

}  // namespace

void logger::set_level(log_level level) {
  std::lock_guard lock(mutex_);
  level_ = level;
}

void logger::set_live_line(terminal_line* line) {
  std::lock_guard lock(mutex_);
  live_line_ = line;
}

bool logger::enabled(log_level level) const {
  std::lock_guard lock(mutex_);
  return level >= level_;
}

std::string logger::format(log_level level, std::string_view event, std::initializer_list<log_field> fields) const {
  std::string line;
  line.reserve(128);
  if (style_ == log_style::json) {
    line += "{\"time\":";
    append_json_string(line, utc_now());
    line += ",\"level\":";
    append_json_string(line, level_name(level));
    line += ",\"event\":";
    append_json_string(line, event);
    for (const auto& f : fields) {
      line += ',';
      append_json_string(line, f.key);
      line += ':';
      if (f.quoted) append_json_string(line, f.value);
      else line += f.value;
    }
    line += '}';
    return line;
  }
  if (style_ == log_style::journal) {
    line += journal_prefix(level);
  } else {
    line += "time=";
    line += utc_now();
    line += ' ';
  }
  line += "level=";
  line += level_name(level);
  line += " event=";
  append_logfmt_value(line, event);
  for (const auto& f : fields) {
    line += ' ';
    line += f.key;
    line += '=';
    append_logfmt_value(line, f.value);
  }
  return line;
}

void logger::write(log_level level, std::string_view event, std::initializer_list<log_field> fields) {
  if (!enabled(level)) return;
  std::string line = format(level, event, fields);
  line += '\n';
  std::lock_guard lock(mutex_);
  if (live_line_ != nullptr) {
    live_line_->write_above(line);
    return;
  }
  std::size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(STDERR_FILENO, line.data() + done, line.size() - done);
    if (n <= 0) break;  // nowhere to report a failing stderr
    done += static_cast<std::size_t>(n);
  }
}

log_style pick_style(std::string_view configured_format) {
  if (configured_format == "json") return log_style::json;
  if (configured_format == "text") return log_style::text;
  const char* stream = std::getenv("JOURNAL_STREAM");
  return stream != nullptr && *stream != '\0' ? log_style::journal : log_style::text;
}

}  // namespace feedd::daemon
