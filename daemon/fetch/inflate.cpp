#include "inflate.hpp"

#include <algorithm>
#include <climits>

#include <zlib.h>

namespace feedd::daemon {
namespace {

constexpr std::size_t first_chunk = 64 * 1024;

// A zlib inflate stream that always gets inflateEnd, whatever path we leave by.
class inflater {
 public:
  explicit inflater(int window_bits) { ok_ = inflateInit2(&stream_, window_bits) == Z_OK; }
  inflater(const inflater&) = delete;
  inflater& operator=(const inflater&) = delete;
  ~inflater() {
    if (ok_) inflateEnd(&stream_);
  }
  bool ok() const { return ok_; }
  z_stream& stream() { return stream_; }

 private:
  z_stream stream_{};
  bool ok_ = false;
};

// RFC 1950 2.2: CM = 8 (deflate), CINFO <= 7, and the header is a multiple of 31.
bool has_zlib_header(std::string_view input) {
  if (input.size() < 2) return false;
  const auto cmf = static_cast<unsigned char>(input[0]);
  const auto flg = static_cast<unsigned char>(input[1]);
  return (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && ((unsigned{cmf} << 8) | flg) % 31 == 0;
}

bool only_zeros(std::string_view rest) {
  return std::all_of(rest.begin(), rest.end(), [](char c) { return c == '\0'; });
}

}  // namespace

expected<std::string, std::string> inflate(std::string_view input, compression format, std::size_t max_output) {
  const char* name = format == compression::gzip ? "gzip" : "deflate";
  int window_bits = 16 + MAX_WBITS;  // gzip wrapper only
  if (format == compression::deflate) window_bits = has_zlib_header(input) ? MAX_WBITS : -MAX_WBITS;
  inflater state(window_bits);
  if (!state.ok()) return unexpected{std::string("cannot initialise zlib")};
  z_stream& zs = state.stream();

  std::string out;
  std::size_t produced = 0;
  std::size_t consumed = 0;
  const std::size_t ceiling = max_output + 1;  // one byte past the cap proves the cap was exceeded
  for (;;) {
    if (produced == out.size()) out.resize(std::min(ceiling, std::max(first_chunk, out.size() * 2)));
    const std::size_t in_piece = std::min<std::size_t>(input.size() - consumed, UINT_MAX);
    const std::size_t out_piece = std::min<std::size_t>(out.size() - produced, UINT_MAX);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data() + consumed));
    zs.avail_in = static_cast<uInt>(in_piece);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs.avail_out = static_cast<uInt>(out_piece);
    const int ret = ::inflate(&zs, Z_NO_FLUSH);
    consumed += in_piece - zs.avail_in;
    produced += out_piece - zs.avail_out;
    if (produced > max_output) {
      return unexpected{"decompressed body exceeds " + std::to_string(max_output) + " bytes"};
    }
    if (ret == Z_STREAM_END) {
      const std::string_view rest = input.substr(consumed);
      // Some servers pad with zeros; RFC 1952 2.2 allows further gzip members.
      if (only_zeros(rest)) break;
      if (format == compression::deflate || inflateReset(&zs) != Z_OK) {
        return unexpected{std::string("corrupt ") + name + " data: trailing bytes after the stream"};
      }
      continue;
    }
    if (ret == Z_BUF_ERROR && consumed == input.size()) return unexpected{std::string("truncated ") + name + " data"};
    if (ret != Z_OK && ret != Z_BUF_ERROR) {
      const char* detail = zs.msg != nullptr ? zs.msg : "invalid stream";
      return unexpected{std::string("corrupt ") + name + " data: " + detail};
    }
  }
  out.resize(produced);
  return out;
}

}  // namespace feedd::daemon
