#include "final_response.hpp"

#include <utility>

#include "http_headers.hpp"
#include "inflate.hpp"

namespace feedd::daemon {
namespace {

fetch_response failed(fetch_response out, std::string_view detail) {
  out.what = fetch_response::outcome::failed;
  out.error = fetch_error("body", detail);
  return out;
}

}  // namespace

fetch_response conclude(final_response response, fetch_response out, std::size_t max_body,
                        std::chrono::system_clock::time_point now) {
  const int status = response.status;
  out.status = status;
  if (status / 100 == 2 || status == 304) {
    out.etag = std::move(response.etag);
    out.last_modified = std::move(response.last_modified);
    out.max_age = parse_max_age(response.cache_control);
  }
  if (status == 304) {
    // A 304 body, if any, is ignored (RFC 9110 15.4.5); Beast does not read one.
    out.what = fetch_response::outcome::not_modified;
    return out;
  }
  if (status / 100 != 2) {
    out.what = fetch_response::outcome::http_error;
    out.error = fetch_error("http", std::to_string(status) + (response.reason.empty() ? "" : " " + response.reason));
    if (status == 429 || status == 503) out.retry_after = parse_retry_after(response.retry_after, response.date, now);
    return out;
  }

  out.wire_bytes = response.body.size();
  const auto coding = parse_content_encoding(response.content_encoding);
  if (!coding) return failed(std::move(out), coding.error());
  std::string body = std::move(response.body);
  if (coding.value() && !body.empty()) {
    auto decoded = inflate(body, *coding.value(), max_body);
    if (!decoded) return failed(std::move(out), decoded.error());
    body = std::move(*decoded);
  }
  if (body.empty()) return failed(std::move(out), "empty response body");

  auto media = parse_content_type(response.content_type);
  out.content_type = std::move(media.type);
  out.charset = std::move(media.charset);
  out.body = std::move(body);
  out.what = fetch_response::outcome::ok;
  return out;
}

}  // namespace feedd::daemon
