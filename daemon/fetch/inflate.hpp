#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "feedd/expected.hpp"

namespace feedd::daemon {

enum class compression {
  gzip,     // RFC 1952, concatenated members allowed
  deflate,  // RFC 9110 says zlib-wrapped (RFC 1950); raw RFC 1951 is accepted too
};

// Decompresses `input`, stopping with an error as soon as more than
// `max_output` bytes would come out (a gzip bomb of 1 GiB of zeros is ~1 MiB
// on the wire). Errors are details for "fetch: body: <detail>":
// "decompressed body exceeds 16777216 bytes", "corrupt gzip data: ...",
// "truncated gzip data".
expected<std::string, std::string> inflate(std::string_view input, compression format, std::size_t max_output);

}  // namespace feedd::daemon
