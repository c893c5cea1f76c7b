#include "entries_output.hpp"

#include <cstdio>
#include <iomanip>
#include <iostream>

#include <nlohmann/json.hpp>

#include "feedd/config/config.hpp"
#include "feedd/parsers/url.hpp"

namespace feedd::daemon {

namespace {

constexpr std::size_t title_width = 50;

std::size_t code_points(const std::string& text) {
  std::size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

// At most `width` characters (UTF-8 code points), padded to that width; a
// longer text keeps width - 1 of them and ends in "~".
std::string fit(const std::string& text, std::size_t width) {
  const std::size_t length = code_points(text);
  if (length <= width) return text + std::string(width - length, ' ');
  std::string out;
  std::size_t kept = 0;
  for (char c : text) {
    const bool starts = (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (starts && kept == width - 1) break;
    kept += starts ? 1 : 0;
    out += c;
  }
  return out + '~';
}

std::string minutes(const std::optional<std::string>& t) {
  if (!t || t->size() < 16) return "-";
  return t->substr(0, 10) + ' ' + t->substr(11, 5);
}

nlohmann::json json_of(const storage::entry_item& e) {
  auto or_null = [](const std::optional<std::string>& v) -> nlohmann::json {
    if (v) return *v;
    return nullptr;
  };
  return {{"id", e.id},
          {"feed_id", e.feed_id},
          {"feed_url", parsers::redact_url(e.feed_url)},
          {"guid", e.guid},
          {"title", e.title},
          {"link", without_credentials(e.link)},
          {"published", or_null(e.published)},
          {"updated", or_null(e.updated)},
          {"first_seen", e.first_seen},
          {"changed", e.changed},
          {"cursor", storage::to_string(e.cursor)}};
}

}  // namespace

std::string without_credentials(const std::string& url) {
  auto parsed = parsers::parse_http_url(url);
  if (!parsed || parsed->userinfo.empty()) return url;
  const auto at = url.find(parsed->userinfo + '@');
  if (at == std::string::npos) return url;
  return url.substr(0, at) + "***" + url.substr(at + parsed->userinfo.size());
}

bool entries_printer::print(const std::vector<storage::entry_item>& items) {
  if (!json_ && !header_done_) {
    std::cout << std::setw(8) << "id" << "  " << std::setw(6) << "feed" << "  " << std::left << std::setw(16)
              << "published" << "  " << fit("title", title_width) << "  link\n" << std::right;
    header_done_ = true;
  }
  for (const auto& e : items) {
    if (json_) {
      std::cout << json_of(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
      continue;
    }
    // Titles and links come from the feeds: control characters are escaped
    // before they reach a terminal.
    std::cout << std::setw(8) << e.id << "  " << std::setw(6) << e.feed_id << "  " << std::left << std::setw(16)
              << minutes(e.published) << "  " << fit(config::printable(e.title), title_width) << "  "
              << config::printable(without_credentials(e.link)) << '\n'
              << std::right;
  }
  std::cout.flush();
  return static_cast<bool>(std::cout);
}

}  // namespace feedd::daemon
