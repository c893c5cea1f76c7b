#include "values.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <string_view>
#include <type_traits>

#include "document.hpp"
#include "suggest.hpp"
#include "units.hpp"

namespace feedd::config {
namespace {

using message = std::optional<std::string>;

// yaml-cpp tags a quoted scalar "!" and an explicit !!str with the full tag;
// both mean "this is a string", which a count or a boolean is not.
bool is_quoted(const YAML::Node& node) { return node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str"; }

bool is_control(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

// The shape of fetch.proxy; the fetcher parses it for real at start.
message proxy_url_problem(std::string_view text) {
  if (text.empty()) return std::nullopt;
  constexpr std::string_view scheme = "http://";
  const std::string_view usage = "expected http://[user:pass@]host:port";
  if (std::any_of(text.begin(), text.end(), [](char c) { return is_control(c) || c == ' '; })) {
    return std::string(usage) + ", got a value with spaces or control characters";
  }
  if (text.size() <= scheme.size() || text.substr(0, scheme.size()) != scheme) {
    return std::string(usage) + " (only http:// proxies are supported)";
  }
  const auto authority = text.substr(scheme.size());
  const auto end = authority.find_first_of("/?#");
  if (end != std::string_view::npos && authority.substr(end) != "/") return std::string(usage) + ", with no path";
  const auto at = authority.rfind('@', end);
  if (authority.substr(at == std::string_view::npos ? 0 : at + 1, end).empty()) {
    return std::string(usage) + ", got no host";
  }
  return std::nullopt;
}

std::string join(std::span<const std::string_view> words) {
  std::string out;
  for (auto w : words) {
    if (!out.empty()) out += ", ";
    out += w;
  }
  return out;
}

message read_text(const field& f, const YAML::Node& node, std::string& out) {
  if (node.IsMap() || node.IsSequence()) return "expected a string, got " + describe_node(node);
  const std::string text = node.IsNull() ? std::string() : node.Scalar();
  switch (f.rule) {
    case text_rule::any:
    case text_rule::secret:
      break;
    case text_rule::absolute_path:
      // Under systemd the working directory is "/", so a relative path would
      // silently mean something else than in the operator's shell.
      if (!text.empty() && text.front() != '/') return "expected an absolute path (starting with /), got " + quote(text);
      break;
    case text_rule::credential:
      // systemd's LoadCredential= puts the secret in $CREDENTIALS_DIRECTORY,
      // which exists only inside the service: a bare name refers to it.
      if (!text.empty() && text.front() != '/' && text.find('/') != std::string::npos) {
        return "expected an absolute path or a credential name without '/', got " + quote(text);
      }
      break;
    case text_rule::header_value:
      if (text.empty()) return std::string("must not be empty: it is sent as the User-Agent header");
      // Beast writes header values verbatim: a CR/LF here would inject headers.
      if (std::any_of(text.begin(), text.end(), is_control)) {
        return "must not contain control characters (it is sent as an HTTP header), got " + quote(text);
      }
      if (text.front() == ' ' || text.back() == ' ') return "must not start or end with a space, got " + quote(text);
      break;
    case text_rule::proxy_url:
      // Never echoed: the URL may carry the proxy's password.
      if (auto wrong = proxy_url_problem(text)) return wrong;
      break;
  }
  out = text;
  return std::nullopt;
}

// Empty (off), or a host and port read once, here.
message read_listen(const YAML::Node& node, std::optional<listen_address>& out) {
  if (node.IsMap() || node.IsSequence()) return "expected a string, got " + describe_node(node);
  const std::string text = node.IsNull() ? std::string() : node.Scalar();
  if (text.empty()) {
    out.reset();
    return std::nullopt;
  }
  auto parsed = parse_listen_address(text);
  if (!parsed) return std::move(parsed.error());
  out = std::move(*parsed);
  return std::nullopt;
}

message read_flag(const YAML::Node& node, bool& out) {
  if (!node.IsScalar()) return "expected true or false, got " + describe_node(node);
  const std::string& text = node.Scalar();
  // YAML 1.1's yes/no/on/off (which yaml-cpp would accept) and 0/1 are
  // rejected: only the two spellings nobody misreads.
  if (!is_quoted(node) && text == "true") {
    out = true;
    return std::nullopt;
  }
  if (!is_quoted(node) && text == "false") {
    out = false;
    return std::nullopt;
  }
  if (is_quoted(node)) return "expected true or false without quotes, got " + quote(text);
  return "expected true or false, got " + quote(text);
}

message read_count(const field& f, const YAML::Node& node, int& out) {
  if (!node.IsScalar()) return "expected a whole number, got " + describe_node(node);
  const std::string& text = node.Scalar();
  if (is_quoted(node)) return "expected a whole number without quotes, got " + quote(text);
  // YAML 1.2 core schema integers: [-+]?[0-9]+ (from_chars takes no "+").
  std::string_view digits = text;
  if (digits.size() > 1 && digits[0] == '+' && digits[1] != '-') digits.remove_prefix(1);
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || end != digits.data() + digits.size() || ec == std::errc::invalid_argument) {
    return "expected a whole number, got " + quote(text);
  }
  if (ec == std::errc::result_out_of_range) {
    value = digits.starts_with('-') ? std::numeric_limits<std::int64_t>::min() : std::numeric_limits<std::int64_t>::max();
  }
  if (value < f.min) return "must be at least " + std::to_string(f.min) + ", got " + quote(text);
  if (value > f.max) return "is too large: at most " + std::to_string(f.max) + ", got " + quote(text);
  out = static_cast<int>(value);
  return std::nullopt;
}

std::string unit_message(unit_error e, std::string_view example, const YAML::Node& node) {
  const std::string got = quote(node.Scalar());
  switch (e) {
    case unit_error::empty:
      return "expected " + std::string(example) + ", got nothing";
    case unit_error::negative:
      return "must not be negative, got " + got;
    case unit_error::missing_unit:
      return "expected " + std::string(example) + ", got " + got + " (a number needs a unit)";
    case unit_error::overflow:
      return "is too large, got " + got;
    case unit_error::malformed:
      break;
  }
  return "expected " + std::string(example) + ", got " + got;
}

message read_duration(const field& f, const YAML::Node& node, duration& out) {
  constexpr std::string_view example = "a duration such as 30s";
  if (!node.IsScalar()) return "expected " + std::string(example) + ", got " + describe_node(node);
  auto parsed = parse_duration_checked(node.Scalar());
  if (!parsed) return unit_message(parsed.error(), example, node);
  const auto ms = parsed->count();
  if (ms < f.min && f.min == 1) return "must be greater than zero, got " + quote(node.Scalar());
  if (ms < f.min) return "must be at least " + format_duration(duration{f.min}) + ", got " + quote(node.Scalar());
  if (ms > f.max) return "is too large: at most " + format_duration(duration{f.max}) + ", got " + quote(node.Scalar());
  out = *parsed;
  return std::nullopt;
}

message read_size(const field& f, const YAML::Node& node, std::size_t& out) {
  constexpr std::string_view example = "a size such as 16MiB";
  if (!node.IsScalar()) return "expected " + std::string(example) + ", got " + describe_node(node);
  auto parsed = parse_size_checked(node.Scalar());
  if (!parsed) return unit_message(parsed.error(), example, node);
  // Both limits are far below INT64_MAX, so comparing as unsigned is exact.
  const auto least = static_cast<std::size_t>(f.min);
  const auto most = static_cast<std::size_t>(f.max);
  if (*parsed < least && least == 1) return "must be greater than zero, got " + quote(node.Scalar());
  if (*parsed < least) return "must be at least " + format_size(least) + ", got " + quote(node.Scalar());
  if (*parsed > most) return "is too large: at most " + format_size(most) + ", got " + quote(node.Scalar());
  out = *parsed;
  return std::nullopt;
}

template <class E>
message read_choice(const YAML::Node& node, std::span<const std::string_view> names, std::optional<E> (*parse)(std::string_view),
                    E& out) {
  const std::string expected = "expected one of " + join(names);
  if (!node.IsScalar()) return expected + ", got " + describe_node(node);
  if (auto parsed = parse(node.Scalar())) {
    out = *parsed;
    return std::nullopt;
  }
  std::string wrong = expected + ", got " + quote(node.Scalar());
  if (auto guess = closest(node.Scalar(), names)) wrong += " (did you mean " + std::string(*guess) + "?)";
  return wrong;
}

}  // namespace

std::string describe_node(const YAML::Node& node) {
  if (node.IsMap()) return "a mapping";
  if (node.IsSequence()) return "a sequence";
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  return quote(node.Scalar());
}

std::optional<std::string> read_value(const field& f, const YAML::Node& node, config& out) {
  return std::visit(
      [&](auto target) -> message {
        auto& slot = target(out);
        using value_type = std::remove_reference_t<decltype(slot)>;
        if constexpr (std::is_same_v<value_type, std::string>) {
          return read_text(f, node, slot);
        } else if constexpr (std::is_same_v<value_type, bool>) {
          return read_flag(node, slot);
        } else if constexpr (std::is_same_v<value_type, int>) {
          return read_count(f, node, slot);
        } else if constexpr (std::is_same_v<value_type, duration>) {
          return read_duration(f, node, slot);
        } else if constexpr (std::is_same_v<value_type, std::size_t>) {
          return read_size(f, node, slot);
        } else if constexpr (std::is_same_v<value_type, std::optional<listen_address>>) {
          return read_listen(node, slot);
        } else if constexpr (std::is_same_v<value_type, log_level>) {
          return read_choice<log_level>(node, log_level_names(), parse_log_level, slot);
        } else {
          static_assert(std::is_same_v<value_type, log_format>);
          return read_choice<log_format>(node, log_format_names(), parse_log_format, slot);
        }
      },
      f.target);
}

}  // namespace feedd::config
