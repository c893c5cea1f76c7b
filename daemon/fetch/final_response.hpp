#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "fetcher.hpp"

namespace feedd::daemon {

// The last response of a fetch as plain values: the fields we act on, and
// the body as it came off the wire (read for 2xx only).
struct final_response {
  int status = 0;
  std::string reason;
  std::string body;
  std::string etag;
  std::string last_modified;
  std::string cache_control;  // all Cache-Control fields joined by ", "
  std::string content_type;
  std::string content_encoding;
  std::string retry_after;
  std::string date;
};

// What a final response means for the feed (RFC 9110): 304 not modified,
// 2xx decoded body (one content-coding at most, at most max_body bytes
// after decoding, never empty), anything else an HTTP error with Retry-After
// on 429/503. `out` already carries final_url; errors are "fetch: body: ..."
// and "fetch: http: 404 Not Found".
fetch_response conclude(final_response response, fetch_response out, std::size_t max_body,
                        std::chrono::system_clock::time_point now);

}  // namespace feedd::daemon
