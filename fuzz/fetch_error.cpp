// fetch_error() for http_response_fuzzer: conclude() (final_response.cpp)
// words its errors with it, and its definition lives in fetcher.cpp, the
// fetch module's translation unit with Asio's SSL context, which stays out
// of the fuzz build (see CMakeLists.txt). The same one line as there; the
// replay test (tests/fuzz_replay) links the real one from feedd_fetch.

#include <string>
#include <string_view>

#include "fetcher.hpp"

namespace feedd::daemon {

std::string fetch_error(std::string_view step, std::string_view detail) {
  return "fetch: " + std::string(step) + ": " + std::string(detail);
}

}  // namespace feedd::daemon
