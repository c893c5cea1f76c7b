#include "charset.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "ascii.hpp"
#include "iconv.hpp"
#include "utf8.hpp"
#include "windows1252.hpp"

namespace feedd::parsers::detail {
namespace {

constexpr std::size_t max_label_length = 40;

struct alias_group {
  std::string_view canonical;
  std::array<std::string_view, 16> labels;
};

// WHATWG Encoding Standard labels, folded the way browsers fold them:
// ISO-8859-1 and US-ASCII are read as windows-1252 (a superset whose
// 0x80-0x9F are what the authors meant), Shift_JIS as windows-31j, GBK and
// GB2312 as GB18030, EUC-KR as windows-949.
constexpr std::array<alias_group, 8> alias_groups = {{
    {"utf-8", {"utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "x-unicode20utf8"}},
    {"windows-1252",
     {"windows-1252", "cp1252", "x-cp1252", "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1", "cp819",
      "ibm819", "iso-ir-100", "csisolatin1", "iso-8859-1:1987", "us-ascii", "ascii", "ansi_x3.4-1968"}},
    {"windows-1254", {"windows-1254", "cp1254", "iso-8859-9", "iso8859-9", "iso_8859-9", "latin5", "l5"}},
    {"windows-874", {"windows-874", "tis-620", "iso-8859-11", "iso8859-11", "dos-874"}},
    {"shift_jis", {"shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "ms932", "windows-31j", "csshiftjis"}},
    {"gbk", {"gbk", "x-gbk", "gb2312", "gb_2312", "gb_2312-80", "cp936", "chinese", "csgb2312", "iso-ir-58"}},
    {"euc-kr", {"euc-kr", "cseuckr", "ks_c_5601-1987", "ks_c_5601-1989", "ksc5601", "ksc_5601", "windows-949",
                "korean", "iso-ir-149"}},
    {"big5", {"big5", "big5-hkscs", "cn-big5", "csbig5", "x-x-big5"}},
}};

// What glibc calls the decoder we want, where its name differs.
const char* iconv_name_for(const std::string& canonical) {
  if (canonical == "shift_jis") return "CP932";
  if (canonical == "gbk") return "GB18030";
  if (canonical == "euc-kr") return "CP949";
  if (canonical == "big5") return "BIG5-HKSCS";
  if (canonical == "windows-874") return "CP874";
  return canonical.c_str();
}

// Lower case, trimmed, unquoted; empty when it cannot be a charset name. The
// character check also keeps iconv's "//TRANSLIT"-style suffixes out.
std::string normalize_label(std::string_view label) {
  while (!label.empty() && (ascii::is_xml_space(label.front()) || label.front() == '"' || label.front() == '\'')) {
    label.remove_prefix(1);
  }
  while (!label.empty() && (ascii::is_xml_space(label.back()) || label.back() == '"' || label.back() == '\'')) {
    label.remove_suffix(1);
  }
  if (label.empty() || label.size() > max_label_length) return {};
  std::string out;
  for (const char c : label) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
                    c == ':' || c == '(' || c == ')';
    if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    } else if (ok) {
      out += c;
    } else {
      return {};
    }
  }
  for (const alias_group& group : alias_groups) {
    if (std::find(group.labels.begin(), group.labels.end(), out) != group.labels.end()) {
      return std::string(group.canonical);
    }
  }
  return out;
}

bool is_wide(std::string_view charset) { return charset.starts_with("utf-16") || charset.starts_with("utf-32"); }

std::size_t unit_size(std::string_view charset) {
  if (charset.starts_with("utf-16")) return 2;
  if (charset.starts_with("utf-32")) return 4;
  return 1;
}

struct byte_order_mark {
  std::string_view charset;
  std::size_t length = 0;
};

// XML 1.0 Appendix F.1; the UTF-32 marks before UTF-16 LE, whose mark is
// their prefix.
byte_order_mark find_byte_order_mark(std::string_view bytes) {
  if (bytes.starts_with("\xEF\xBB\xBF")) return {"utf-8", 3};
  if (bytes.starts_with(std::string_view("\xFF\xFE\x00\x00", 4))) return {"utf-32le", 4};
  if (bytes.starts_with(std::string_view("\x00\x00\xFE\xFF", 4))) return {"utf-32be", 4};
  if (bytes.starts_with("\xFE\xFF")) return {"utf-16be", 2};
  if (bytes.starts_with("\xFF\xFE")) return {"utf-16le", 2};
  return {};
}

// XML 1.0 Appendix F.1 without a mark: the first character is '<', so the
// zero bytes around it give the width and byte order away.
std::string_view sniff_wide_encoding(std::string_view bytes) {
  if (bytes.size() < 4) return {};
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
  if (b(0) == 0 && b(1) == 0 && b(2) == 0 && b(3) == '<') return "utf-32be";
  if (b(0) == '<' && b(1) == 0 && b(2) == 0 && b(3) == 0) return "utf-32le";
  if (b(0) == 0 && b(1) == '<' && b(2) == 0 && b(3) != 0) return "utf-16be";
  if (b(0) == '<' && b(1) == 0 && b(2) != 0 && b(3) == 0) return "utf-16le";
  return {};
}

// Where the value of the XML declaration's encoding pseudo-attribute sits
// (XML 1.0 §4.3.3) in an ASCII-compatible text, pos npos when absent; the
// answer depends on text[0, examined) alone.
struct declared_encoding {
  std::size_t pos = std::string_view::npos;
  std::size_t length = 0;
  std::size_t examined = 0;
};

declared_encoding find_declared_encoding(std::string_view text) {
  constexpr std::size_t npos = std::string_view::npos;
  std::size_t start = 0;
  while (start < text.size() && ascii::is_xml_space(text[start])) ++start;  // tolerated, though not XML
  if (!text.substr(start).starts_with("<?xml") || start + 5 >= text.size() || !ascii::is_xml_space(text[start + 5])) {
    return {npos, 0, start + 6};
  }
  const std::size_t end = text.find("?>", start);
  if (end == npos || end - start > 512) return {npos, 0, start + 514};
  const declared_encoding none{npos, 0, end + 2};
  const std::string_view declaration = text.substr(0, end);
  std::size_t pos = declaration.find("encoding", start);
  if (pos == npos || !ascii::is_xml_space(declaration[pos - 1])) return none;
  pos += 8;
  while (pos < declaration.size() && ascii::is_xml_space(declaration[pos])) ++pos;
  if (pos >= declaration.size() || declaration[pos] != '=') return none;
  ++pos;
  while (pos < declaration.size() && ascii::is_xml_space(declaration[pos])) ++pos;
  if (pos >= declaration.size() || (declaration[pos] != '"' && declaration[pos] != '\'')) return none;
  const std::size_t close = declaration.find(declaration[pos], pos + 1);
  if (close == npos) return none;
  return {pos + 1, close - pos - 1, end + 2};
}

// How many bytes are not ASCII.
std::size_t count_high_bytes(std::string_view bytes) {
  std::size_t count = 0;
  std::size_t pos = 0;
  for (; pos + lanes::size <= bytes.size(); pos += lanes::size) {
    count += static_cast<std::size_t>(std::popcount(lanes::mask(lanes::load(bytes.data() + pos))));
  }
  for (; pos < bytes.size(); ++pos) count += static_cast<unsigned char>(bytes[pos]) >> 7;
  return count;
}

std::string decode_windows1252(std::string_view bytes) {
  struct encoded {
    char bytes[4];
    unsigned char length;
  };
  static const auto table = [] {
    std::array<encoded, 0x100> out{};
    for (std::size_t byte = 0; byte < out.size(); ++byte) {
      std::string utf8;
      append_utf8(utf8, windows1252_code_point(static_cast<unsigned char>(byte)));
      utf8.copy(out[byte].bytes, utf8.size());
      out[byte].length = static_cast<unsigned char>(utf8.size());
    }
    return out;
  }();
  // A byte above 0x7F becomes at most three (U+20AC and the other marks at
  // 0x80-0x9F); three more let each be written as four, without a branch
  // on the length.
  std::string out(bytes.size() + 2 * count_high_bytes(bytes) + 3, '\0');
  char* end = out.data();
  const auto decode = [&](std::size_t from, std::size_t to) {
    for (std::size_t pos = from; pos < to; ++pos) {
      const encoded& e = table[static_cast<unsigned char>(bytes[pos])];
      std::memcpy(end, e.bytes, sizeof e.bytes);
      end += e.length;
    }
  };
  std::size_t pos = 0;
  for (; pos + lanes::size <= bytes.size(); pos += lanes::size) {
    if (lanes::any(lanes::load(bytes.data() + pos))) {
      decode(pos, pos + lanes::size);
    } else {
      std::memcpy(end, bytes.data() + pos, lanes::size);  // ASCII is the same in both
      end += lanes::size;
    }
  }
  decode(pos, bytes.size());
  out.resize(static_cast<std::size_t>(end - out.data()));
  return out;
}

// UTF-8 with a stray byte or two (one pasted item) keeps its UTF-8 and loses
// those bytes; text without a single valid multi-byte sequence is windows-1252
// mislabeled (or unlabeled) as UTF-8, the common case on the web. Stops as
// soon as the non-ASCII bytes left cannot change the answer.
bool mostly_utf8(std::string_view bytes) {
  std::size_t high_left = count_high_bytes(bytes);
  std::size_t valid_multibyte = 0;
  std::size_t invalid = 0;
  for (std::size_t pos = 0; pos < bytes.size();) {
    // Each sequence left takes at least one of those bytes, a valid one two.
    if (valid_multibyte + high_left / 2 <= invalid) return false;
    if (valid_multibyte > invalid + high_left) return true;
    pos = lanes::end_of_ascii(bytes, pos);  // ASCII counts neither way
    const utf8_sequence sequence = decode_utf8(bytes, pos);
    if (!sequence.valid) {
      ++invalid;
    } else {
      ++valid_multibyte;
    }
    pos += sequence.length;
    high_left -= sequence.length;
  }
  return valid_multibyte > invalid;
}

void decode_as_utf8(std::string_view bytes, bool from_bom, bool declared, decoded_document& result) {
  // One pass tells both: valid, and clean as text (the common case); what
  // follows an unclean but valid sequence is checked for validity only.
  const std::size_t unclean = first_rejected<true>(bytes);
  if (unclean == std::string_view::npos || is_valid_utf8(bytes.substr(unclean))) {
    result.utf8.assign(bytes);
    result.charset = "utf-8";
    result.clean_text = unclean == std::string_view::npos;
  } else if (from_bom || mostly_utf8(bytes)) {
    result.utf8 = to_valid_utf8(bytes);
    result.charset = "utf-8";
    result.warnings.emplace_back("encoding: invalid UTF-8 sequences replaced with U+FFFD");
  } else {
    result.utf8 = decode_windows1252(bytes);
    result.charset = "windows-1252";
    result.warnings.emplace_back(declared ? "encoding: declared utf-8 but bytes are not; read as windows-1252"
                                          : "encoding: bytes are not utf-8; read as windows-1252");
  }
}

void transcode(std::string_view bytes, const std::string& charset, bool from_bom, bool declared,
               decoded_document& result) {
  if (charset == "utf-8") return decode_as_utf8(bytes, from_bom, declared, result);
  if (charset == "windows-1252") {
    result.utf8 = decode_windows1252(bytes);
    result.charset = charset;
    return;
  }
  // Without a mark, UTF-16 and UTF-32 are big-endian (RFC 2781 §4.3).
  const std::string name = charset == "utf-16" || charset == "utf-32" ? charset + "be" : charset;
  std::optional<transcoded> converted = iconv_to_utf8(iconv_name_for(name), bytes, unit_size(name));
  if (!converted) {
    result.warnings.push_back("encoding: unknown charset \"" + charset + "\"; guessed from the bytes");
    return decode_as_utf8(bytes, false, false, result);
  }
  result.utf8 = std::move(converted->utf8);
  result.charset = name;
  if (converted->invalid_sequences > 0) {
    result.warnings.push_back("encoding: " + std::to_string(converted->invalid_sequences) +
                              " invalid byte sequences for " + name + " replaced with U+FFFD");
  }
}

struct choice {
  std::string charset;
  bool declared = false;  // named by HTTP or the document, not assumed
};

bool has_multibyte_utf8(std::string_view bytes) {
  return lanes::end_of_ascii(bytes, 0) != bytes.size() && is_valid_utf8(bytes);
}

// RFC 7303 §3 and XML 1.0 Appendix F: the byte order mark, then the HTTP
// charset, then the XML declaration, then UTF-8. A label that the bytes
// plainly contradict is overruled, with a warning: an 8-bit charset for a
// UTF-16 document, UTF-16 for an ASCII-compatible one, and a server's
// default ISO-8859-1 for a document that declares UTF-8 and is valid UTF-8
// beyond ASCII (which windows-1252 text practically never is).
choice choose_charset(std::string_view bytes, const declared_encoding& declaration, std::string_view http_charset,
                      std::vector<std::string>& warnings) {
  const std::string_view sniffed = sniff_wide_encoding(bytes);
  std::string declared;
  if (sniffed.empty()) {
    if (declaration.pos != std::string_view::npos) {
      declared = normalize_label(bytes.substr(declaration.pos, declaration.length));
      if (declared.empty()) warnings.emplace_back("encoding: unusable encoding name in the XML declaration ignored");
    }
  }

  if (!http_charset.empty()) {
    const std::string http = normalize_label(http_charset);
    if (http.empty()) {
      warnings.emplace_back("encoding: unusable HTTP charset name ignored");
    } else if (!sniffed.empty()) {
      if (http != sniffed && http != sniffed.substr(0, 6)) {
        warnings.push_back("encoding: HTTP charset " + http + " contradicts the bytes; read as " +
                           std::string(sniffed));
      }
      return {std::string(sniffed), true};
    } else if (is_wide(http) && bytes.substr(0, 4).find('\0') == std::string_view::npos) {
      warnings.push_back("encoding: HTTP charset " + http + " contradicts the bytes; ignored");
    } else if (http == "windows-1252" && (declared.empty() || declared == "utf-8") && has_multibyte_utf8(bytes)) {
      warnings.push_back("encoding: HTTP charset " + http + " contradicts the document; read as utf-8");
      return {"utf-8", true};
    } else {
      return {http, true};
    }
  }
  if (!sniffed.empty()) return {std::string(sniffed), false};
  if (is_wide(declared)) {
    // We read the declaration as ASCII, so the document is not UTF-16.
    warnings.push_back("encoding: declared " + declared + " but bytes are 8-bit; read as utf-8");
    return {"utf-8", false};
  }
  if (!declared.empty()) return {declared, true};
  return {"utf-8", false};
}

}  // namespace

decoded_document decode_document(std::string_view bytes, std::string_view http_charset) {
  decoded_document result;
  declared_encoding declaration;
  const byte_order_mark bom = find_byte_order_mark(bytes);
  if (bom.length > 0) {
    const std::string http = normalize_label(http_charset);
    if (!http.empty() && http != bom.charset && !(http == "utf-16" && bom.charset.starts_with("utf-16")) &&
        !(http == "utf-32" && bom.charset.starts_with("utf-32"))) {
      result.warnings.push_back("encoding: HTTP charset " + http + " contradicts the byte order mark; read as " +
                                std::string(bom.charset));
    }
    transcode(bytes.substr(bom.length), std::string(bom.charset), true, true, result);
  } else {
    declaration = find_declared_encoding(bytes);
    const choice chosen = choose_charset(bytes, declaration, http_charset, result.warnings);
    transcode(bytes, chosen.charset, false, chosen.declared, result);
  }

  // Transcoded text was not checked on the way (UTF-8 was, in decode_as_utf8).
  if (result.charset != "utf-8") result.clean_text = first_rejected<true>(result.utf8) == std::string_view::npos;
  // The text is UTF-8 now; say so, or pugixml and anyone reading the
  // document later would convert it again. Text that starts as the bytes
  // did (UTF-8, copied) has its declaration where they had it.
  const std::string_view text = result.utf8;
  const std::size_t examined = declaration.examined;
  if (bom.length > 0 || text.substr(0, examined) != bytes.substr(0, examined)) {
    declaration = find_declared_encoding(text);
  }
  if (declaration.pos != std::string::npos) result.utf8.replace(declaration.pos, declaration.length, "UTF-8");
  return result;
}

}  // namespace feedd::parsers::detail
