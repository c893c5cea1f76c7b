#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace feedd::parsers::detail {

struct transcoded {
  std::string utf8;                // valid UTF-8
  std::size_t invalid_sequences = 0;  // each became one U+FFFD
};

// Converts bytes in the charset glibc's iconv calls `iconv_name` to UTF-8.
// An unconvertible sequence becomes U+FFFD and conversion resumes
// `unit_size` bytes later (2 for UTF-16, 4 for UTF-32, else 1), so the loop
// always makes progress. nullopt when iconv does not know the name.
std::optional<transcoded> iconv_to_utf8(const char* iconv_name, std::string_view bytes,
                                        std::size_t unit_size);

}  // namespace feedd::parsers::detail
