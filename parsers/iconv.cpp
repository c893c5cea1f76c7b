#include "iconv.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <iconv.h>
#include <string>
#include <utility>
#include <vector>

#include "utf8.hpp"

namespace feedd::parsers::detail {
namespace {

const iconv_t no_descriptor = reinterpret_cast<iconv_t>(-1);

// iconv_open loads the charset's gconv module and iconv_close unloads it:
// per document that was 7 % of parse()'s time on bench/run's corpus (a few
// charsets). Each thread keeps the descriptors of the last few charsets it
// used: the parse-and-store thread meets a handful.
class descriptor_cache {
 public:
  descriptor_cache() { entries_.reserve(capacity); }
  ~descriptor_cache() {
    for (const entry& e : entries_) ::iconv_close(e.cd);
  }
  descriptor_cache(const descriptor_cache&) = delete;
  descriptor_cache& operator=(const descriptor_cache&) = delete;

  // A descriptor from name to UTF-8 in its initial state, or no_descriptor
  // when iconv does not know the name (not kept: such names are rare).
  iconv_t get(const char* name) {
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->name != name) continue;
      // The last conversion may have stopped inside a shift state.
      ::iconv(it->cd, nullptr, nullptr, nullptr, nullptr);
      std::rotate(it, it + 1, entries_.end());  // most recently used last
      return entries_.back().cd;
    }
    std::string key{name};  // before iconv_open: nothing may throw after it
    const iconv_t cd = ::iconv_open("UTF-8", name);
    if (cd == no_descriptor) return cd;
    if (entries_.size() == capacity) {
      ::iconv_close(entries_.front().cd);
      entries_.erase(entries_.begin());
    }
    entries_.push_back({std::move(key), cd});
    return cd;
  }

 private:
  static constexpr std::size_t capacity = 8;
  struct entry {
    std::string name;
    iconv_t cd;
  };
  std::vector<entry> entries_;
};

constexpr std::size_t iconv_failed = static_cast<std::size_t>(-1);

}  // namespace

std::optional<transcoded> iconv_to_utf8(const char* iconv_name, std::string_view bytes,
                                        std::size_t unit_size) {
  thread_local descriptor_cache descriptors;
  const iconv_t cd = descriptors.get(iconv_name);
  if (cd == no_descriptor) return std::nullopt;

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
    const std::size_t rc = flushing ? ::iconv(cd, nullptr, nullptr, &out, &out_left)
                                    : ::iconv(cd, &in, &in_left, &out, &out_left);
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
