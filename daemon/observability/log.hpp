#pragma once

#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>

namespace feedd::daemon {

class terminal_line;

enum class log_level { debug, info, warning, error };
enum class log_style {
  text,     // logfmt
  journal,  // logfmt behind an sd-daemon priority prefix, no timestamp (journald adds it)
  json,     // one JSON object per line
};

// One key=value of a log line. Values are escaped by the logger, so feed
// text (titles, error strings) can never forge a line.
struct log_field {
  log_field(std::string_view k, std::string_view v) : key(k), value(v) {}
  log_field(std::string_view k, const std::string& v) : key(k), value(v) {}
  log_field(std::string_view k, const char* v) : key(k), value(v) {}
  log_field(std::string_view k, std::int64_t v) : key(k), value(std::to_string(v)), quoted(false) {}
  log_field(std::string_view k, int v) : key(k), value(std::to_string(v)), quoted(false) {}
  log_field(std::string_view k, std::size_t v) : key(k), value(std::to_string(v)), quoted(false) {}

  std::string_view key;
  std::string value;
  bool quoted = true;  // JSON only: numbers are written bare
};

// Lines go to stderr, one write(2) per line so that threads never interleave.
class logger {
 public:
  logger(log_level level, log_style style) : level_(level), style_(style) {}

  void set_level(log_level level);
  // Lines go above this live line (erased, then drawn again) while it is
  // set; nullptr: straight to stderr. The line must outlive its setting.
  void set_live_line(terminal_line* line);
  bool enabled(log_level level) const;
  void write(log_level level, std::string_view event, std::initializer_list<log_field> fields);

  void debug(std::string_view event, std::initializer_list<log_field> f) { write(log_level::debug, event, f); }
  void info(std::string_view event, std::initializer_list<log_field> f) { write(log_level::info, event, f); }
  void warning(std::string_view event, std::initializer_list<log_field> f) { write(log_level::warning, event, f); }
  void error(std::string_view event, std::initializer_list<log_field> f) { write(log_level::error, event, f); }

  // The line write() would emit, without the trailing newline (for tests).
  std::string format(log_level level, std::string_view event, std::initializer_list<log_field> fields) const;

 private:
  mutable std::mutex mutex_;
  log_level level_;
  log_style style_;
  terminal_line* live_line_ = nullptr;
};

// auto: journal when JOURNAL_STREAM is set (we run under systemd), else text.
log_style pick_style(std::string_view configured_format);

}  // namespace feedd::daemon
