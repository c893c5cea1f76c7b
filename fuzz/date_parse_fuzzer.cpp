// libFuzzer target: parse_date() on any text returns a time or nothing
// without a crash or sanitizer report, and whatever it returns survives
// format_rfc3339() and a second parse_date() exactly: the daemon stores the
// instant and `feedd parse` prints it in that form, so the two must agree.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "feedd/parsers/dates.hpp"
#include "output_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text{reinterpret_cast<const char*>(data), size};
  const auto parsed = feedd::parsers::parse_date(text);
  if (!parsed) return 0;
  const std::string formatted = feedd::parsers::format_rfc3339(*parsed);
  feedd::fuzz::require_clean("format_rfc3339", formatted);
  const auto again = feedd::parsers::parse_date(formatted);
  if (!again || *again != *parsed || feedd::parsers::format_rfc3339(*again) != formatted) {
    std::fprintf(stderr, "round trip broken: %s parsed back as %s\n", formatted.c_str(),
                 again ? feedd::parsers::format_rfc3339(*again).c_str() : "nothing");
    std::abort();
  }
  return 0;
}
