// libFuzzer target: feedd::config::load_string, what `feedd check-config`,
// start-up and SIGHUP reload read.
//
// Oracles:
// - Nothing throws out of load_string, whatever the text.
// - A refused document has at least one problem; each names a key or a
//   line (1-based), has a message, and prints (to_string) as one line
//   without control characters, in UTF-8 whatever the document's bytes;
//   the problems come in line order.
// - An accepted document keeps every limit of the field table: counts,
//   durations and sizes in range, a User-Agent that cannot inject header
//   lines, absolute paths where the table says so, a listen address that
//   parse_listen_address reads back from to_string.
// - Written back as YAML (yaml-cpp's emitter, durations and sizes as
//   format_duration and format_size spell them), an accepted configuration
//   loads again to the same values; describe_changes against the defaults
//   prints one UTF-8 line per change, against itself nothing.
// - parse_duration and format_duration agree: what parses, formatted, parses
//   to the same duration.

#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "feedd/config/config.hpp"
#include "fields.hpp"
#include "oracle.hpp"

namespace {

using feedd::fuzz::require;
namespace config = feedd::config;

constexpr std::string_view version = "0.0.0-fuzz";

using listen = std::optional<config::listen_address>;

// The types of the field table's values that this target knows how to
// write; fields of others are left out of the round trip.
template <class T>
constexpr bool is_known = std::is_same_v<T, std::string> || std::is_same_v<T, bool> || std::is_same_v<T, int> ||
                          std::is_same_v<T, config::duration> || std::is_same_v<T, std::size_t> ||
                          std::is_same_v<T, config::log_level> || std::is_same_v<T, config::log_format> ||
                          std::is_same_v<T, listen>;

config::config load(std::string_view yaml, bool& ok, std::vector<config::problem>& problems) {
  try {
    auto loaded = config::load_string(yaml, version);
    ok = loaded.has_value();
    if (ok) return *loaded;
    problems = loaded.error();
    return {};
  } catch (const std::exception& e) {
    feedd::fuzz::broken("load_string never throws", e.what());
  } catch (...) {
    feedd::fuzz::broken("load_string never throws");
  }
}

void check_problems(std::string_view yaml, const std::vector<config::problem>& problems) {
  require(!problems.empty(), "a refused document has a problem", yaml);
  int previous_line = 0;
  for (const auto& p : problems) {
    const std::string line = config::to_string(p);
    require(!p.key.empty() || p.line > 0, "every problem names a key or a line", line);
    require(p.line >= 0 && p.column >= 0, "lines and columns are 1-based or 0", line);
    require(!p.message.empty(), "every problem says what is wrong", line);
    require(!feedd::fuzz::has_control(line), "a problem prints as one line without control characters", line);
    require(feedd::contract::is_well_formed_utf8(line), "a problem prints in UTF-8", line);
    require(p.line >= previous_line, "problems come in line order", line);
    previous_line = p.line;
  }
}

// One field's value as the configuration file spells it.
template <class T>
void emit_value(YAML::Emitter& out, const T& value) {
  if constexpr (std::is_same_v<T, std::string>) {
    out << YAML::DoubleQuoted << value;
  } else if constexpr (std::is_same_v<T, bool>) {
    out << (value ? "true" : "false");
  } else if constexpr (std::is_same_v<T, int>) {
    out << std::to_string(value);
  } else if constexpr (std::is_same_v<T, config::duration>) {
    out << config::format_duration(value);
  } else if constexpr (std::is_same_v<T, std::size_t>) {
    out << config::format_size(value);
  } else if constexpr (std::is_same_v<T, listen>) {
    out << YAML::DoubleQuoted << (value ? config::to_string(*value) : std::string());
  } else {
    out << std::string(config::to_string(value));
  }
}

void check_field(const config::field& f, const config::config& c) {
  auto copy = c;
  std::visit(
      [&](auto target) {
        const auto& value = target(copy);
        using T = std::remove_cvref_t<decltype(value)>;
        const std::string name = f.dotted();
        if constexpr (std::is_same_v<T, int>) {
          require(value >= f.min && value <= f.max, "counts stay within their limits", name);
        } else if constexpr (std::is_same_v<T, config::duration>) {
          require(value.count() >= f.min && value.count() <= f.max, "durations stay within their limits", name);
        } else if constexpr (std::is_same_v<T, std::size_t>) {
          require(value >= static_cast<std::size_t>(f.min) && value <= static_cast<std::size_t>(f.max),
                  "sizes stay within their limits", name);
        } else if constexpr (std::is_same_v<T, std::string>) {
          if (f.rule == config::text_rule::header_value) {
            require(!value.empty() && !feedd::fuzz::has_control(value), "a header value cannot inject lines", value);
          }
          if (f.rule == config::text_rule::absolute_path && !value.empty()) {
            require(value.starts_with('/'), "paths are absolute", value);
          }
        } else if constexpr (std::is_same_v<T, listen>) {
          if (value) {
            require(!value->host.empty() && value->port != 0 && !feedd::fuzz::has_control(value->host, true),
                    "a listen address has a host and a port", value->host);
            const auto again = config::parse_listen_address(config::to_string(*value));
            require(again && *again == *value, "parse_listen_address reads what to_string writes",
                    config::to_string(*value));
          }
        }
      },
      f.target);
}

std::string written(const config::config& c) {
  auto copy = c;
  YAML::Emitter out;
  out << YAML::BeginMap;
  for (const auto section : config::section_names()) {
    out << YAML::Key << std::string(section) << YAML::Value << YAML::BeginMap;
    for (const auto& f : config::fields()) {
      if (f.section != section) continue;
      std::visit(
          [&](auto target) {
            const auto& value = target(copy);
            if constexpr (is_known<std::remove_cvref_t<decltype(value)>>) {
              out << YAML::Key << std::string(f.name) << YAML::Value;
              emit_value(out, value);
            }
          },
          f.target);
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  return out.c_str();
}

bool same_known_fields(const config::config& a, const config::config& b) {
  auto left = a;
  auto right = b;
  bool same = true;
  for (const auto& f : config::fields()) {
    std::visit(
        [&](auto target) {
          if constexpr (is_known<std::remove_cvref_t<decltype(target(left))>>) {
            if (!(target(left) == target(right))) same = false;
          }
        },
        f.target);
  }
  return same;
}

void check_round_trip(const config::config& c) {
  const std::string yaml = written(c);
  bool ok = false;
  std::vector<config::problem> problems;
  const auto again = load(yaml, ok, problems);
  if (!ok) feedd::fuzz::broken("an accepted configuration, written out, loads again", config::to_string(problems[0]));
  require(same_known_fields(again, c), "an accepted configuration, written out, loads to the same values", yaml);
  require(config::describe_changes(c, c).empty(), "describe_changes finds no change against itself");
  for (const auto& line : config::describe_changes(config::load_string("", version).value(), c)) {
    require(!feedd::fuzz::has_control(line), "describe_changes prints one line per change", line);
    require(feedd::contract::is_well_formed_utf8(line), "describe_changes prints UTF-8", line);
  }
}

void check_duration_text(std::string_view text) {
  if (text.size() > 40) return;
  const auto parsed = config::parse_duration(text);
  if (!parsed) return;
  require(parsed->count() >= 0, "parse_duration never gives a negative duration", text);
  const std::string formatted = config::format_duration(*parsed);
  require(config::parse_duration(formatted) == parsed, "format_duration spells what parse_duration reads", formatted);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view yaml{reinterpret_cast<const char*>(data), size};
  check_duration_text(yaml);
  bool ok = false;
  std::vector<config::problem> problems;
  const auto loaded = load(yaml, ok, problems);
  if (!ok) {
    check_problems(yaml, problems);
    return 0;
  }
  for (const auto& f : config::fields()) check_field(f, loaded);
  if (feedd::contract::is_well_formed_utf8(yaml)) check_round_trip(loaded);
  return 0;
}
