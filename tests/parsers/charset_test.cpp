#include <gtest/gtest.h>
#include <iconv.h>

#include <algorithm>
#include <string>
#include <string_view>

#include "charset.hpp"
#include "utf8.hpp"

namespace {

using feedd::parsers::detail::decode_document;
using feedd::parsers::detail::decoded_document;
using feedd::parsers::detail::is_valid_utf8;
using namespace std::string_literals;

// The test's own converter: glibc iconv, independent of the code under
// test's name folding.
std::string convert(std::string_view bytes, const char* from, const char* to) {
  iconv_t cd = iconv_open(to, from);
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    ADD_FAILURE() << "iconv does not know " << from << " or " << to;
    return {};
  }
  std::string out(bytes.size() * 4 + 16, '\0');
  char* in = const_cast<char*>(bytes.data());
  std::size_t in_left = bytes.size();
  char* dest = out.data();
  std::size_t out_left = out.size();
  const std::size_t rc = iconv(cd, &in, &in_left, &dest, &out_left);
  iconv_close(cd);
  EXPECT_NE(rc, static_cast<std::size_t>(-1)) << from << " to " << to;
  out.resize(out.size() - out_left);
  return out;
}

std::string encode(std::string_view utf8, const char* charset) { return convert(utf8, "UTF-8", charset); }

std::string encode_from(std::string_view bytes, const char* charset) { return convert(bytes, charset, "UTF-8"); }

std::string feed_with(std::string_view encoding, std::string_view title) {
  std::string doc = "<?xml version=\"1.0\"";
  if (!encoding.empty()) doc += " encoding=\"" + std::string(encoding) + "\"";
  return doc + "?><rss><title>" + std::string(title) + "</title></rss>";
}

std::string utf8_feed(std::string_view title) { return feed_with("UTF-8", title); }

bool has_warning(const decoded_document& d, std::string_view needle) {
  return std::any_of(d.warnings.begin(), d.warnings.end(),
                     [&](const std::string& w) { return w.find(needle) != std::string::npos; });
}

struct legacy_case {
  const char* label;          // as declared in the document
  const char* iconv_name;     // what the test encodes with
  std::string_view text;      // UTF-8
  const char* expected_charset;
};

TEST(DecodeDocument, TranscodesDeclaredLegacyCharsets) {
  const legacy_case rows[] = {
      {"windows-1252", "WINDOWS-1252", "Caf\xC3\xA9 \xE2\x82\xAC \xE2\x80\x9Cquoted\xE2\x80\x9D", "windows-1252"},
      {"ISO-8859-1", "ISO-8859-1", "Caf\xC3\xA9 na\xC3\xAFve", "windows-1252"},
      {"ISO-8859-15", "ISO-8859-15", "\xE2\x82\xAC 5 \xC5\x93uvre", "iso-8859-15"},
      {"KOI8-R", "KOI8-R", "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82", "koi8-r"},
      {"windows-1251", "WINDOWS-1251", "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82", "windows-1251"},
      {"Shift_JIS", "SHIFT_JIS", "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", "shift_jis"},
      {"GBK", "GBK", "\xE4\xB8\xAD\xE6\x96\x87", "gbk"},
      {"gb2312", "GB2312", "\xE4\xB8\xAD\xE6\x96\x87", "gbk"},
      {"EUC-KR", "EUC-KR", "\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4", "euc-kr"},
      {"ISO-8859-2", "ISO-8859-2", "\xC5\x81\xC3\xB3\xC5\xBA", "iso-8859-2"},
      {"latin1", "ISO-8859-1", "\xC3\xA9t\xC3\xA9", "windows-1252"},
  };
  for (const legacy_case& row : rows) {
    const std::string bytes = feed_with(row.label, encode(row.text, row.iconv_name));
    const decoded_document d = decode_document(bytes, "");
    EXPECT_EQ(d.utf8, utf8_feed(row.text)) << row.label;
    EXPECT_EQ(d.charset, row.expected_charset) << row.label;
    EXPECT_TRUE(d.warnings.empty()) << row.label << ": " << (d.warnings.empty() ? "" : d.warnings[0]);
  }
}

// iconv descriptors are kept per thread, a few charsets at a time: more
// charsets than are kept, in turn and three times over, decode as each does
// alone, also after an ISO-2022-JP document that ends in a shift state.
TEST(DecodeDocument, DecodesTheSameAfterOtherCharsets) {
  const legacy_case rows[] = {
      {"ISO-2022-JP", "ISO-2022-JP", "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", "iso-2022-jp"},
      {"KOI8-R", "KOI8-R", "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82", "koi8-r"},
      {"windows-1251", "WINDOWS-1251", "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82", "windows-1251"},
      {"ISO-8859-5", "ISO-8859-5", "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82", "iso-8859-5"},
      {"Shift_JIS", "SHIFT_JIS", "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", "shift_jis"},
      {"GBK", "GBK", "\xE4\xB8\xAD\xE6\x96\x87", "gbk"},
      {"Big5", "BIG5", "\xE4\xB8\xAD\xE6\x96\x87", "big5"},
      {"EUC-KR", "EUC-KR", "\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4", "euc-kr"},
      {"ISO-8859-2", "ISO-8859-2", "\xC5\x81\xC3\xB3\xC5\xBA", "iso-8859-2"},
      {"ISO-8859-7", "ISO-8859-7", "\xCE\x9A\xCE\xB1\xCE\xBB\xCE\xAE", "iso-8859-7"},
      {"windows-1254", "WINDOWS-1254", "\xC4\x9F\xC4\xB1\xC5\x9F", "windows-1254"},
  };
  for (int round = 0; round < 3; ++round) {
    for (const legacy_case& row : rows) {
      // Encoded whole, so that ISO-2022-JP shifts back to ASCII after the title.
      std::string bytes = encode(feed_with(row.label, row.text), row.iconv_name);
      if (row.label == std::string_view{"ISO-2022-JP"}) bytes += "\x1B$B";  // shifts to JIS X 0208 and ends
      const decoded_document d = decode_document(bytes, "");
      EXPECT_EQ(d.utf8, utf8_feed(row.text)) << row.label << ", round " << round;
      EXPECT_EQ(d.charset, row.expected_charset) << row.label;
      EXPECT_TRUE(d.warnings.empty()) << row.label << ": " << (d.warnings.empty() ? "" : d.warnings[0]);
    }
  }
}

TEST(DecodeDocument, KnowsTheEncodedBytesOfCommonCharsets) {
  // Byte-escaped so that the test does not depend on iconv's encoders.
  EXPECT_EQ(decode_document(feed_with("KOI8-R", "\xF0\xD2\xC9\xD7\xC5\xD4"), "").utf8,
            utf8_feed("\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82"));  // Привет
  EXPECT_EQ(decode_document(feed_with("windows-1251", "\xCF\xF0\xE8\xE2\xE5\xF2"), "").utf8,
            utf8_feed("\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82"));
  EXPECT_EQ(decode_document(feed_with("Shift_JIS", "\x93\xFA\x96\x7B\x8C\xEA"), "").utf8,
            utf8_feed("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E"));  // 日本語
  EXPECT_EQ(decode_document(feed_with("GBK", "\xD6\xD0\xCE\xC4"), "").utf8, utf8_feed("\xE4\xB8\xAD\xE6\x96\x87"));
  EXPECT_EQ(decode_document(feed_with("EUC-KR", "\xC7\xD1\xB1\xB9\xBE\xEE"), "").utf8,
            utf8_feed("\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4"));  // 한국어
}

TEST(DecodeDocument, ReadsIso88591AsWindows1252) {
  const decoded_document d = decode_document(feed_with("iso-8859-1", "\x93hi\x94 \x80"), "");
  EXPECT_EQ(d.utf8, utf8_feed("\xE2\x80\x9Chi\xE2\x80\x9D \xE2\x82\xAC"));
  EXPECT_EQ(d.charset, "windows-1252");
}

TEST(DecodeDocument, DecodesUtf16AndUtf32WithByteOrderMarks) {
  const std::string text = utf8_feed("\xC3\xA9\xF0\x9F\x98\x80");
  const std::string expected = text;
  struct bom_case {
    const char* iconv_name;
    std::string bom;
    const char* charset;
  };
  const bom_case rows[] = {
      {"UTF-16LE", "\xFF\xFE", "utf-16le"},
      {"UTF-16BE", "\xFE\xFF", "utf-16be"},
      {"UTF-32LE", "\xFF\xFE\0\0"s, "utf-32le"},
      {"UTF-32BE", "\0\0\xFE\xFF"s, "utf-32be"},
  };
  for (const bom_case& row : rows) {
    const decoded_document d = decode_document(row.bom + encode(feed_with("UTF-16", "\xC3\xA9\xF0\x9F\x98\x80"),
                                                                row.iconv_name), "");
    EXPECT_EQ(d.utf8, expected) << row.iconv_name;  // declaration rewritten to UTF-8, BOM gone
    EXPECT_EQ(d.charset, row.charset);
    EXPECT_TRUE(d.warnings.empty()) << row.iconv_name;
  }
}

TEST(DecodeDocument, SniffsUtf16WithoutByteOrderMark) {
  const std::string text = feed_with("UTF-16", "\xC3\xA9");
  const decoded_document le = decode_document(encode(text, "UTF-16LE"), "");
  EXPECT_EQ(le.utf8, utf8_feed("\xC3\xA9"));
  EXPECT_EQ(le.charset, "utf-16le");
  const decoded_document be = decode_document(encode(text, "UTF-16BE"), "");
  EXPECT_EQ(be.utf8, utf8_feed("\xC3\xA9"));
  EXPECT_EQ(be.charset, "utf-16be");
  // No declaration at all: "<r" is enough.
  const decoded_document bare = decode_document(encode("<rss/>", "UTF-16LE"), "");
  EXPECT_EQ(bare.utf8, "<rss/>");
}

TEST(DecodeDocument, UsesTheByteOrderWhenHttpSaysUtf16) {
  const decoded_document d = decode_document(encode("<rss>\xC3\xA9</rss>", "UTF-16LE"), "utf-16");
  EXPECT_EQ(d.utf8, "<rss>\xC3\xA9</rss>");
  EXPECT_TRUE(d.warnings.empty());
}

TEST(DecodeDocument, PrefersHttpCharsetToXmlDeclaration) {
  // RFC 7303 §3.2: the charset parameter wins over the declaration.
  const decoded_document d = decode_document(feed_with("windows-1252", "\xF0\xD2\xC9\xD7\xC5\xD4"), "KOI8-R");
  EXPECT_EQ(d.utf8, utf8_feed("\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82"));
  EXPECT_EQ(d.charset, "koi8-r");
}

TEST(DecodeDocument, PrefersByteOrderMarkToHttpCharset) {
  const std::string bytes = "\xFF\xFE"s + encode(utf8_feed("\xC3\xA9"), "UTF-16LE");
  const decoded_document d = decode_document(bytes, "utf-8");
  EXPECT_EQ(d.utf8, utf8_feed("\xC3\xA9"));
  EXPECT_EQ(d.charset, "utf-16le");
  EXPECT_TRUE(has_warning(d, "contradicts the byte order mark"));

  const decoded_document utf8_bom = decode_document("\xEF\xBB\xBF" + utf8_feed("\xC3\xA9"), "iso-8859-1");
  EXPECT_EQ(utf8_bom.utf8, utf8_feed("\xC3\xA9"));
  EXPECT_EQ(utf8_bom.charset, "utf-8");
}

TEST(DecodeDocument, PrefersUtf16BytesToAnEightBitHttpCharset) {
  const decoded_document d = decode_document(encode(utf8_feed("x"), "UTF-16LE"), "utf-8");
  EXPECT_EQ(d.utf8, utf8_feed("x"));
  EXPECT_TRUE(has_warning(d, "contradicts the bytes"));
}

TEST(DecodeDocument, IgnoresUtf16LabelsOnEightBitBytes) {
  const decoded_document http = decode_document(utf8_feed("\xC3\xA9"), "utf-16");
  EXPECT_EQ(http.utf8, utf8_feed("\xC3\xA9"));
  EXPECT_TRUE(has_warning(http, "contradicts the bytes"));
  const decoded_document declared = decode_document(feed_with("UTF-16", "\xC3\xA9"), "");
  EXPECT_EQ(declared.utf8, utf8_feed("\xC3\xA9"));
  EXPECT_EQ(declared.charset, "utf-8");
  EXPECT_FALSE(declared.warnings.empty());
}

TEST(DecodeDocument, ReadsValidUtf8DeclaredUtf8DespiteAServerDefaultLatin1) {
  const decoded_document d = decode_document(utf8_feed("\xC3\xA9t\xC3\xA9"), "ISO-8859-1");
  EXPECT_EQ(d.utf8, utf8_feed("\xC3\xA9t\xC3\xA9"));
  EXPECT_EQ(d.charset, "utf-8");
  EXPECT_TRUE(has_warning(d, "contradicts the document"));
  // Plain ASCII gives no reason to doubt the server.
  EXPECT_EQ(decode_document(utf8_feed("ascii"), "ISO-8859-1").charset, "windows-1252");
}

TEST(DecodeDocument, ReadsMislabeledUtf8AsWindows1252) {
  const decoded_document declared = decode_document(utf8_feed("Caf\xE9 \x93x\x94"), "");
  EXPECT_EQ(declared.utf8, utf8_feed("Caf\xC3\xA9 \xE2\x80\x9Cx\xE2\x80\x9D"));
  EXPECT_EQ(declared.charset, "windows-1252");
  EXPECT_TRUE(has_warning(declared, "declared utf-8 but bytes are not; read as windows-1252"));

  const decoded_document http = decode_document("<rss>Caf\xE9</rss>", "utf-8");
  EXPECT_EQ(http.utf8, "<rss>Caf\xC3\xA9</rss>");
  EXPECT_EQ(http.charset, "windows-1252");

  const decoded_document undeclared = decode_document("<rss>Caf\xE9</rss>", "");
  EXPECT_EQ(undeclared.utf8, "<rss>Caf\xC3\xA9</rss>");
  EXPECT_TRUE(has_warning(undeclared, "bytes are not utf-8; read as windows-1252"));
}

TEST(DecodeDocument, KeepsMostlyValidUtf8AndReplacesTheStrayBytes) {
  const decoded_document d = decode_document(utf8_feed("\xC3\xA9t\xC3\xA9 \xE2\x82\xAC \xFF"), "");
  EXPECT_EQ(d.utf8, utf8_feed("\xC3\xA9t\xC3\xA9 \xE2\x82\xAC \xEF\xBF\xBD"));
  EXPECT_EQ(d.charset, "utf-8");
  EXPECT_TRUE(has_warning(d, "U+FFFD"));
}

TEST(DecodeDocument, PassesValidUtf8ThroughWithoutWarnings) {
  const std::string doc = utf8_feed("\xC3\xA9\xF0\x9F\x98\x80");
  const decoded_document d = decode_document(doc, "");
  EXPECT_EQ(d.utf8, doc);
  EXPECT_EQ(d.charset, "utf-8");
  EXPECT_TRUE(d.warnings.empty());
  EXPECT_EQ(decode_document("<rss/>", "UTF8").charset, "utf-8");
  EXPECT_EQ(decode_document("<rss/>", "\"utf-8\"").charset, "utf-8");
}

TEST(DecodeDocument, FallsBackOnUnknownCharsetNames) {
  const decoded_document utf8 = decode_document(feed_with("x-no-such-charset", "\xC3\xA9"), "");
  EXPECT_EQ(utf8.utf8, utf8_feed("\xC3\xA9"));
  EXPECT_TRUE(has_warning(utf8, "unknown charset \"x-no-such-charset\""));

  const decoded_document latin = decode_document(feed_with("x-no-such-charset", "\xE9"), "");
  EXPECT_EQ(latin.utf8, utf8_feed("\xC3\xA9"));
  EXPECT_EQ(latin.charset, "windows-1252");
}

TEST(DecodeDocument, RefusesCharsetNamesWithIconvSuffixes) {
  const decoded_document d = decode_document(utf8_feed("\xC3\xA9"), "utf-8//IGNORE");
  EXPECT_EQ(d.utf8, utf8_feed("\xC3\xA9"));
  EXPECT_TRUE(has_warning(d, "unusable HTTP charset"));
}

TEST(DecodeDocument, ReplacesUndecodableBytesAndWarnsOnce) {
  // 0x81 0x20 is not Shift_JIS; 0x85 alone is not either.
  const decoded_document d = decode_document(feed_with("Shift_JIS", "a\x81 b\x85\x20" "c"), "");
  EXPECT_TRUE(is_valid_utf8(d.utf8));
  EXPECT_NE(d.utf8.find("a\xEF\xBF\xBD"), std::string::npos);
  EXPECT_EQ(std::count_if(d.warnings.begin(), d.warnings.end(),
                          [](const std::string& w) { return w.find("invalid byte sequences") != std::string::npos; }),
            1);

  // Odd length UTF-16: the half character at the end becomes U+FFFD.
  const decoded_document odd = decode_document("\xFF\xFE" + encode("<rss/>", "UTF-16LE") + "\x41", "");
  EXPECT_EQ(odd.utf8, "<rss/>\xEF\xBF\xBD");
  // A lone surrogate in UTF-16.
  const decoded_document lone = decode_document("\xFF\xFE" + encode("<a>", "UTF-16LE") + "\x00\xD8"s +
                                                    encode("</a>", "UTF-16LE"), "");
  EXPECT_EQ(lone.utf8, "<a>\xEF\xBF\xBD</a>");
}

TEST(DecodeDocument, RewritesTheEncodingDeclarationToUtf8) {
  const decoded_document d =
      decode_document("<?xml version='1.0' encoding = 'KOI8-R' standalone='yes'?><rss/>", "");
  EXPECT_EQ(d.utf8, "<?xml version='1.0' encoding = 'UTF-8' standalone='yes'?><rss/>");
  // Without an encoding pseudo-attribute nothing changes.
  EXPECT_EQ(decode_document("<?xml version=\"1.0\"?><rss/>", "").utf8, "<?xml version=\"1.0\"?><rss/>");
}

TEST(DecodeDocument, AlwaysProducesValidUtf8) {
  const char* charsets[] = {"", "utf-8", "windows-1252", "utf-16", "utf-16le", "utf-32", "shift_jis",
                            "gbk", "euc-kr", "koi8-r", "iso-2022-jp", "big5", "nonsense"};
  unsigned state = 2024;
  std::string bytes;
  for (int round = 0; round < 300; ++round) {
    bytes.clear();
    const int length = static_cast<int>(state % 200);
    for (int i = 0; i < length; ++i) {
      state = state * 1103515245u + 12345u;
      bytes += static_cast<char>(state >> 16);
    }
    for (const char* charset : charsets) {
      const decoded_document d = decode_document(bytes, charset);
      EXPECT_TRUE(is_valid_utf8(d.utf8)) << charset << " round " << round;
    }
  }
}

TEST(DecodeDocument, Windows1252KeepsAsciiRunsAndMapsEveryHighByte) {
  // Every byte above 0x7F, at every offset within a word and after runs of
  // every length, against iconv's CP1252 (which leaves 0x81, 0x8D, 0x8F,
  // 0x90 and 0x9D undefined: those are the C1 controls of the same value).
  for (int byte = 0x80; byte <= 0xFF; ++byte) {
    const bool undefined = byte == 0x81 || byte == 0x8D || byte == 0x8F || byte == 0x90 || byte == 0x9D;
    const std::string utf8 = undefined ? std::string{static_cast<char>(0xC2), static_cast<char>(byte)}
                                       : encode_from(std::string(1, static_cast<char>(byte)), "CP1252");
    for (std::size_t run = 0; run <= 17; ++run) {
      const std::string ascii(run, 'x');
      const std::string title = ascii + static_cast<char>(byte) + ascii;
      EXPECT_EQ(decode_document(feed_with("windows-1252", title), "").utf8, feed_with("UTF-8", ascii + utf8 + ascii))
          << byte << " after " << run;
    }
  }
}

// What windows-1252 makes of one byte, by iconv's CP1252 (which leaves
// 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined: those are the C1 controls of
// the same value).
std::string windows1252_byte(unsigned char byte) {
  if (byte < 0x80) return std::string(1, static_cast<char>(byte));
  if (byte == 0x81 || byte == 0x8D || byte == 0x8F || byte == 0x90 || byte == 0x9D) {
    return {static_cast<char>(0xC2), static_cast<char>(byte)};
  }
  return encode_from(std::string(1, static_cast<char>(byte)), "CP1252");
}

TEST(DecodeDocument, Windows1252MapsDenseHighBytesAtEveryOffsetOfAVector) {
  // Runs of high bytes as binary data has them, of every length across
  // vectors of sixteen bytes, between ASCII runs.
  unsigned state = 99;
  for (int round = 0; round < 200; ++round) {
    std::string title;
    std::string expected;
    const std::size_t length = round % 90;
    for (std::size_t i = 0; i < length; ++i) {
      state = state * 1103515245u + 12345u;
      const unsigned bits = state >> 16;
      const auto byte = static_cast<unsigned char>(bits % 3 == 0 ? 'a' + (bits >> 4) % 26 : 0x80 | bits);
      if (byte == '<' || byte == '&') continue;
      title += static_cast<char>(byte);
      expected += windows1252_byte(byte);
    }
    EXPECT_EQ(decode_document(feed_with("windows-1252", title), "").utf8, feed_with("UTF-8", expected)) << round;
  }
}

TEST(DecodeDocument, ChoosesUtf8WhenValidSequencesOutnumberStrayBytes) {
  // k valid two-byte sequences against m stray bytes, in either order and
  // between ASCII runs of any length: UTF-8 with U+FFFD when k > m.
  for (std::size_t valid = 0; valid <= 4; ++valid) {
    for (std::size_t stray = valid == 0 ? 1 : valid - 1; stray <= valid + 1; ++stray) {
      for (const std::size_t run : {std::size_t{0}, std::size_t{1}, std::size_t{17}, std::size_t{70}}) {
        for (const bool stray_first : {false, true}) {
          std::string valid_part;
          std::string stray_part;
          for (std::size_t i = 0; i < valid; ++i) valid_part += std::string(run, 'v') + "\xC3\xA9";
          for (std::size_t i = 0; i < stray; ++i) stray_part += std::string(run, 's') + "\xE9";
          const std::string title = stray_first ? stray_part + valid_part : valid_part + stray_part;
          const decoded_document d = decode_document("<rss>" + title + "</rss>", "");
          const std::string what = std::to_string(valid) + " valid, " + std::to_string(stray) + " stray, run " +
                                   std::to_string(run) + (stray_first ? ", stray first" : "");
          EXPECT_EQ(d.charset, valid > stray ? "utf-8" : "windows-1252") << what;
          EXPECT_TRUE(is_valid_utf8(d.utf8)) << what;
        }
      }
    }
  }
}

TEST(DecodeDocument, RewritesTheDeclarationWhereTheDecodedTextHasIt) {
  // Read as windows-1252, the high byte before the encoding pseudo-attribute
  // grows to two bytes: the value to rewrite moves with it.
  const decoded_document d = decode_document("<?xml version='1.\xE9' encoding='utf-8'?><rss>\xE9</rss>", "");
  EXPECT_EQ(d.charset, "windows-1252");
  EXPECT_EQ(d.utf8, "<?xml version='1.\xC3\xA9' encoding='UTF-8'?><rss>\xC3\xA9</rss>");
  // Copied UTF-8 keeps it in place, also after leading spaces.
  EXPECT_EQ(decode_document("  <?xml version='1.0' encoding='utf-8'?><rss/>", "").utf8,
            "  <?xml version='1.0' encoding='UTF-8'?><rss/>");
  // Cut short: nothing to rewrite, whatever the decoding did.
  EXPECT_EQ(decode_document("<?xml", "").utf8, "<?xml");
  EXPECT_EQ(decode_document("<?xml version='1.0' encoding='utf-8'", "").utf8, "<?xml version='1.0' encoding='utf-8'");
}

TEST(DecodeDocument, ClearsCleanTextForControlsAndNoncharactersOnly) {
  const std::string clean[] = {utf8_feed("plain"), utf8_feed("tab\tlf\ncr\r \xC3\xA9 \xEF\xBF\xBD"),
                               utf8_feed(std::string(100, 'x') + "\xF0\x9F\x98\x80")};
  for (const std::string& doc : clean) EXPECT_TRUE(decode_document(doc, "").clean_text) << doc;
  const std::string unclean[] = {utf8_feed("a\x01" "b"), utf8_feed(std::string(100, 'x') + "\x1F"),
                                 utf8_feed("\xEF\xBF\xBE"), utf8_feed(std::string(63, 'x') + "\xEF\xBF\xBF")};
  for (const std::string& doc : unclean) {
    const decoded_document d = decode_document(doc, "");
    EXPECT_FALSE(d.clean_text) << doc;
    EXPECT_EQ(d.utf8, doc);
    EXPECT_TRUE(d.warnings.empty());
  }
}

}  // namespace
