#include "iconv.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <iconv.h>

#include "utf8.hpp"

namespace feedd::parsers::detail {
namespace {

class iconv_descriptor {
 public:
  explicit iconv_descriptor(const char* from) : cd_(::iconv_open("UTF-8", from)) {}
  ~iconv_descriptor() {
    if (valid()) ::iconv_close(cd_);
  }
  iconv_descriptor(const iconv_descriptor&) = delete;
  iconv_descriptor& operator=(const iconv_descriptor&) = delete;

  bool valid() const { return cd_ != reinterpret_cast<iconv_t>(-1); }
  iconv_t get() const { return cd_; }

 private:
  iconv_t cd_;
};

constexpr std::size_t iconv_failed = static_cast<std::size_t>(-1);

}  // namespace

std::optional<transcoded> iconv_to_utf8(const char* iconv_name, std::string_view bytes,
                                        std::size_t unit_size) {
  iconv_descriptor cd(iconv_name);
  if (!cd.valid()) return std::nullopt;

  transcoded result;
  result.utf8.reserve(bytes.size() + bytes.size() / 2);
  // Large enough for any single character of any charset, so E2BIG always
  // comes with output to flush.
  std::array<char, 16 * 1024> buffer{};
  char* in = const_cast<char*>(bytes.data());  // iconv(3) takes char** but does not write
  std::size_t in_left = bytes.size();
  bool flushing = false;
  while (true) {
    char* out = buffer.data();
    std::size_t out_left = buffer.size();
    // With a null input pointer iconv writes the shift sequence that ends a
    // stateful encoding (ISO-2022-JP).
    const std::size_t rc = flushing ? ::iconv(cd.get(), nullptr, nullptr, &out, &out_left)
                                    : ::iconv(cd.get(), &in, &in_left, &out, &out_left);
    const int error = rc == iconv_failed ? errno : 0;
    const std::size_t produced = static_cast<std::size_t>(out - buffer.data());
    result.utf8.append(buffer.data(), produced);
    if (flushing) break;
    if (rc != iconv_failed) {
      flushing = true;  // all input consumed
    } else if (error == E2BIG && produced > 0) {
      continue;
    } else if (error == EILSEQ) {
      append_utf8(result.utf8, replacement_character);
      ++result.invalid_sequences;
      const std::size_t skip = std::min(unit_size, in_left);
      in += skip;
      in_left -= skip;
      if (in_left == 0) flushing = true;
    } else {
      // EINVAL: the input ends inside a sequence; anything else is unexpected.
      append_utf8(result.utf8, replacement_character);
      ++result.invalid_sequences;
      flushing = true;
    }
  }
  if (!is_valid_utf8(result.utf8)) result.utf8 = to_valid_utf8(result.utf8);
  return result;
}

}  // namespace feedd::parsers::detail
