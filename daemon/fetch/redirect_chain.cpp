#include "redirect_chain.hpp"

#include "http_headers.hpp"

namespace feedd::daemon {

std::string origin_of(const parsers::http_url& url) {
  return std::string(url.tls ? "https://" : "http://") + url.host + ":" + url.port;
}

bool is_redirect_status(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

expected<redirect_chain, std::string> redirect_chain::start(std::string url, int max_redirects) {
  auto target = parsers::parse_http_url(url);
  if (!target) return unexpected{std::string(unfetchable_url)};
  return redirect_chain(std::move(url), std::move(*target), max_redirects);
}

redirect_chain::redirect_chain(std::string url, parsers::http_url target, int max_redirects)
    : url_(std::move(url)),
      target_(target),
      first_(std::move(target)),
      max_redirects_(max_redirects),
      send_credentials_(!first_.userinfo.empty()),
      visited_{url_} {}

expected<void, std::string> redirect_chain::follow(int status, std::string_view location) {
  if (location.empty()) return unexpected{std::to_string(status) + " without Location"};
  if (redirects_ >= max_redirects_) {
    return unexpected{"too many redirects (more than " + std::to_string(max_redirects_) + ")"};
  }
  std::string next = parsers::resolve_url(url_, location);
  const std::string shown = is_safe_field_value(next) ? parsers::redact_url(next) : "(unprintable)";
  auto parsed = parsers::parse_http_url(next);
  if (!parsed) return unexpected{"location " + shown + " is not an http or https URL"};
  if (!visited_.insert(next).second) return unexpected{"redirect loop at " + shown};
  ++redirects_;
  all_permanent_ = all_permanent_ && (status == 301 || status == 308);
  url_ = std::move(next);
  target_ = std::move(*parsed);
  send_credentials_ = send_credentials_ && origin_of(target_) == origin_of(first_);
  return {};
}

}  // namespace feedd::daemon
