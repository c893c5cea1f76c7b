#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "feedd/config/config.hpp"

namespace feedd::config {

// One table drives reading, unknown-key suggestions and describe_changes, so
// a key added here is parsed, suggested and reported on reload alike.
template <class T>
using field_ref = T& (*)(config&);

using field_target =
    std::variant<field_ref<std::string>, field_ref<bool>, field_ref<int>, field_ref<duration>, field_ref<std::size_t>,
                 field_ref<log_level>, field_ref<log_format>, field_ref<std::optional<listen_address>>>;

// What a text value must look like beyond being a scalar.
enum class text_rule {
  any,
  secret,          // never echoed: a conninfo may carry a password
  absolute_path,   // resolved relative to nothing under systemd, so require "/"
  credential,      // an absolute path, or a bare name looked up in $CREDENTIALS_DIRECTORY
  header_value,    // sent in a request header: no control characters (no CR/LF injection)
  proxy_url,       // http://[user:pass@]host:port; shown with its credentials masked
};

struct field {
  std::string_view section;
  std::string_view name;
  field_target target;
  std::int64_t min = 0;  // counts, milliseconds or bytes, inclusive
  std::int64_t max = 0;
  text_rule rule = text_rule::any;

  std::string dotted() const { return std::string(section) + "." + std::string(name); }
};

std::span<const field> fields();
std::span<const std::string_view> section_names();
bool is_section(std::string_view name);
const field* find_field(std::string_view section, std::string_view name);

// Every key has a default; only the user agent depends on the build.
config defaults(std::string_view version);

std::span<const std::string_view> log_level_names();
std::span<const std::string_view> log_format_names();
std::optional<log_level> parse_log_level(std::string_view text);
std::optional<log_format> parse_log_format(std::string_view text);

}  // namespace feedd::config
