// libFuzzer target: charset detection and conversion to UTF-8
// (parsers/charset.hpp decode_document, parsers/iconv.hpp iconv_to_utf8)
// and the UTF-8 checks they rely on (parsers/utf8.hpp).
//
// Input: the first byte picks the charset the "server" claims and a charset
// for a direct iconv conversion; the rest is the document.
//
// Oracles:
// - decode_document's output is valid UTF-8 by a byte-at-a-time reference
//   (output_contract.hpp), whatever the bytes and labels; clean_text is
//   true only for text without NUL, other C0 controls, U+FFFE or U+FFFF; the
//   charset used is named; warnings are clean text.
// - The output is a UTF-8 document that says so: decoded again without a
//   label, it comes back unchanged as UTF-8, without warnings (unless it
//   starts with a byte order mark or, through NUL bytes, looks like
//   UTF-16/32: those decide before any label).
// - iconv_to_utf8 puts out valid UTF-8 and counts at most one invalid
//   sequence per input byte (and one for a cut-off end).
// - The vectorized UTF-8 checks (first_rejected, is_valid_utf8) agree with
//   the reference on the input and the output; to_valid_utf8 repairs and
//   leaves valid UTF-8 alone.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "charset.hpp"
#include "iconv.hpp"
#include "oracle.hpp"
#include "utf8.hpp"

namespace {

using feedd::fuzz::require;
namespace detail = feedd::parsers::detail;

constexpr std::array<std::string_view, 16> http_charsets{
    "",          "utf-8",     "ISO-8859-1", "windows-1252", "utf-16", "UTF-16LE", "utf-32", "shift_jis",
    "iso-2022-jp", "gb2312",  "big5",       "koi8-r",       "euc-kr", "ibm037",   "utf-7",  "x-no-such-charset"};

constexpr std::array<const char*, 8> iconv_names{"UTF-16LE", "UTF-16BE", "UTF-32LE", "CP932",
                                                 "ISO-2022-JP", "GB18030", "BIG5-HKSCS", "UTF-7"};

std::size_t unit_size(std::string_view iconv_name) {
  if (iconv_name.starts_with("UTF-16")) return 2;
  if (iconv_name.starts_with("UTF-32")) return 4;
  return 1;
}

// Clean as decoded_document::clean_text promises, decoded by the reference
// decoder one sequence at a time.
bool is_clean_text(std::string_view text) {
  for (std::size_t pos = 0; pos < text.size();) {
    const auto sequence = detail::decode_utf8(text, pos);
    if (!sequence.valid || detail::is_unwanted_in_text(sequence.code_point)) return false;
    pos += sequence.length;
  }
  return true;
}

void check_utf8_checks(std::string_view text) {
  const bool valid = feedd::contract::is_well_formed_utf8(text);
  require(detail::is_valid_utf8(text) == valid, "is_valid_utf8 agrees with the reference", text);
  require((detail::first_rejected<false>(text) == std::string_view::npos) == valid,
          "first_rejected<false> agrees with the reference", text);
  require((detail::first_rejected<true>(text) == std::string_view::npos) == is_clean_text(text),
          "first_rejected<true> agrees with the reference", text);
  const std::string repaired = detail::to_valid_utf8(text);
  require(feedd::contract::is_well_formed_utf8(repaired), "to_valid_utf8 puts out valid UTF-8", text);
  if (valid) require(repaired == text, "to_valid_utf8 leaves valid UTF-8 alone", text);
}

bool starts_with_byte_order_mark(std::string_view text) {
  return text.starts_with("\xEF\xBB\xBF") || text.starts_with("\xFE\xFF") || text.starts_with("\xFF\xFE") ||
         text.starts_with(std::string_view("\x00\x00\xFE\xFF", 4));
}

void check_decoded(std::string_view bytes, std::string_view http_charset) {
  const auto decoded = detail::decode_document(bytes, http_charset);
  require(feedd::contract::is_well_formed_utf8(decoded.utf8), "decode_document puts out valid UTF-8", bytes);
  if (decoded.clean_text) require(is_clean_text(decoded.utf8), "clean_text only for clean text", decoded.utf8);
  require(!decoded.charset.empty(), "decode_document names the charset it used");
  for (const auto& warning : decoded.warnings) feedd::fuzz::require_clean_text("warnings are clean text", warning);
  check_utf8_checks(decoded.utf8);

  const std::string_view text = decoded.utf8;
  if (starts_with_byte_order_mark(text) || text.substr(0, 4).find('\0') != std::string_view::npos) return;
  const auto again = detail::decode_document(text, {});
  require(again.utf8 == decoded.utf8 && again.charset == "utf-8" && again.warnings.empty(),
          "decoded output decodes again to itself, as UTF-8", decoded.utf8);
  if (decoded.clean_text) require(again.clean_text, "clean text stays clean text", decoded.utf8);
}

void check_iconv(const char* name, std::string_view bytes) {
  const auto converted = detail::iconv_to_utf8(name, bytes, unit_size(name));
  require(converted.has_value(), "iconv knows the charsets glibc ships", name);
  require(feedd::contract::is_well_formed_utf8(converted->utf8), "iconv_to_utf8 puts out valid UTF-8", bytes);
  require(converted->invalid_sequences <= bytes.size() + 1, "at most one invalid sequence per byte", bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t choice = data[0];
  const std::string_view bytes{reinterpret_cast<const char*>(data) + 1, size - 1};
  check_utf8_checks(bytes);
  check_decoded(bytes, http_charsets[choice % http_charsets.size()]);
  check_iconv(iconv_names[choice / http_charsets.size() % iconv_names.size()], bytes);
  return 0;
}
