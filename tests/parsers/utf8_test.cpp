#include "utf8.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "feed_testing.hpp"

namespace feedd::parsers::detail {
namespace {

using namespace std::string_literals;

constexpr std::size_t npos = std::string_view::npos;

// The definition the vector scan must agree with: one sequence at a time
// through decode_utf8 from the start.
template <bool text>
std::size_t decoder_first_rejected(std::string_view bytes) {
  for (std::size_t pos = 0; pos < bytes.size();) {
    const utf8_sequence sequence = decode_utf8(bytes, pos);
    if (!sequence.valid || (text && is_unwanted_in_text(sequence.code_point))) return pos;
    pos += sequence.length;
  }
  return npos;
}

void expect_agreement(const std::string& input, const std::string& what) {
  ASSERT_EQ(first_rejected<true>(input), decoder_first_rejected<true>(input)) << what;
  ASSERT_EQ(first_rejected<false>(input), decoder_first_rejected<false>(input)) << what;
}

// Valid, invalid and unwanted sequences: every lead byte whose second byte
// has a narrower range on both sides of its limits, bytes that are never
// UTF-8, controls, noncharacters, and sequences cut short.
const std::string probes[] = {
    "\0"s, "\x01", "\x08", "\x0B", "\x0C", "\x0E", "\x1F", "\x7F", "\t", "\n", "\r",
    "\xC0\x80", "\xC1\xBF", "\xC2\x80", "\xDF\xBF", "\xE0\x9F\xBF", "\xE0\xA0\x80", "\xE1\x80\x80",
    "\xED\x9F\xBF", "\xED\xA0\x80", "\xEE\x80\x80", "\xEF\xBF\xBD", "\xEF\xBF\xBE", "\xEF\xBF\xBF",
    "\xEF\xBE\xBF", "\xF0\x8F\xBF\xBF", "\xF0\x90\x80\x80", "\xF3\xBF\xBF\xBF", "\xF4\x8F\xBF\xBF",
    "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF", "\x80", "\xBF", "\xC3", "\xE2\x82", "\xF0\x9F\x98",
    "\xC3\xA9\xA9", "\xE2\x82\xAC\x80"};

// Valid text around the probes: ASCII only, or a mix with multi-byte
// sequences (two, three and four bytes) that land on every offset.
std::string filler(std::size_t length, bool mixed) {
  static const std::string pieces[] = {"a", "\xC3\xA9", "b", "\xE6\x97\xA5", "\n", "\xF0\x9F\x98\x80", "c"};
  std::string out;
  for (std::size_t i = 0; out.size() < length; ++i) {
    const std::string& piece = mixed ? pieces[i % std::size(pieces)] : pieces[0];
    out += out.size() + piece.size() <= length ? piece : std::string(length - out.size(), 'x');
  }
  return out;
}

TEST(FirstRejected, AgreesWithTheDecoderForEveryProbeAtEveryOffsetOfABlock) {
  // Offsets through the first three blocks of 64 bytes; documents that
  // end right after the probe, inside the next block, or blocks later.
  for (const std::string& probe : probes) {
    for (std::size_t offset = 0; offset <= 3 * 64 + 3; ++offset) {
      for (const std::size_t tail : {std::size_t{0}, std::size_t{1}, std::size_t{5}, std::size_t{70}}) {
        for (const bool mixed : {false, true}) {
          const std::string input = filler(offset, mixed) + probe + filler(tail, mixed);
          expect_agreement(input, "offset " + std::to_string(offset) + " tail " + std::to_string(tail));
        }
      }
    }
  }
}

TEST(FirstRejected, AcceptsSequencesThatStraddleBlockBoundaries) {
  const std::string sequences[] = {"\xC3\xA9", "\xE2\x82\xAC", "\xE0\xA0\x80", "\xED\x9F\xBF", "\xF0\x9F\x98\x80",
                                   "\xF4\x8F\xBF\xBF", "\xEF\xBF\xBD"};
  for (const std::string& sequence : sequences) {
    for (const std::size_t boundary : {std::size_t{64}, std::size_t{128}, std::size_t{192}}) {
      for (std::size_t before = 1; before < sequence.size(); ++before) {
        for (const std::size_t after : {std::size_t{0}, std::size_t{3}, std::size_t{64}, std::size_t{100}}) {
          const std::string input = std::string(boundary - before, 'a') + sequence + std::string(after, 'b');
          EXPECT_EQ(first_rejected<true>(input), npos) << boundary << " " << before << " " << after;
          EXPECT_EQ(first_rejected<false>(input), npos) << boundary << " " << before << " " << after;
        }
        // Cut short by the end of the document.
        const std::string cut = std::string(boundary - before, 'a') + sequence.substr(0, sequence.size() - 1);
        EXPECT_EQ(first_rejected<false>(cut), boundary - before) << boundary << " " << before;
      }
    }
  }
}

TEST(FirstRejected, HandlesDocumentsShorterThanABlock) {
  for (std::size_t length = 0; length <= 70; ++length) {
    const std::string plain(length, 'a');
    EXPECT_EQ(first_rejected<true>(plain), npos) << length;
    for (const std::string& probe : probes) {
      for (std::size_t at = 0; at <= length; ++at) {
        const std::string input = plain.substr(0, at) + probe + plain.substr(at);
        expect_agreement(input, "length " + std::to_string(length) + " at " + std::to_string(at));
      }
    }
  }
}

TEST(FirstRejected, FindsTheFirstOfSeveralProblemsInOneBlock) {
  for (std::size_t first = 0; first < 64; first += 7) {
    for (std::size_t second = first + 1; second < 140; second += 13) {
      std::string input = filler(200, true);
      input[first] = '\x01';
      input[second] = '\xFF';
      expect_agreement(input, std::to_string(first) + " " + std::to_string(second));
    }
  }
}

TEST(FirstRejected, AgreesWithTheDecoderOnRandomMixtures) {
  // Mostly valid text with a probe here and there, so that rejected blocks
  // are followed by accepted ones and the other way round.
  const std::string valid[] = {"abc", "<p>", "\xC3\xA9", "\xE6\x97\xA5\xE6\x9C\xAC", "\xF0\x9F\x98\x80", "\n",
                               "\xED\x95\x9C", "\xE0\xA4\xB9", "\xEF\xBC\x8C", "\xF4\x80\x80\x80"};
  feedd::parsers::testkit::pseudo_random next{7};
  for (int round = 0; round < 3000; ++round) {
    std::string input;
    const unsigned pieces = next() % 120;
    for (unsigned i = 0; i < pieces; ++i) {
      input += next() % 40 == 0 ? probes[next() % std::size(probes)] : valid[next() % std::size(valid)];
    }
    expect_agreement(input, "round " + std::to_string(round));
  }
}

TEST(IsValidUtf8, AcceptsEveryValidSequenceAfterEveryControl) {
  // Controls are text's concern, not validity's.
  for (int control = 0; control < 0x20; ++control) {
    const std::string input = filler(100, true) + static_cast<char>(control) + filler(100, true);
    EXPECT_TRUE(is_valid_utf8(input)) << control;
    const bool kept = control == '\t' || control == '\n' || control == '\r';
    EXPECT_EQ(first_rejected<true>(input) == npos, kept) << control;
  }
}

TEST(ToValidUtf8, ReplacesEachInvalidSequenceOnceAndCopiesTheRest) {
  for (const std::string& probe : probes) {
    for (const std::size_t run : {std::size_t{0}, std::size_t{15}, std::size_t{16}, std::size_t{40}}) {
      const std::string input = std::string(run, 'a') + probe + "\xC3\xA9" + std::string(run, 'b') + probe;
      std::string expected;
      for (std::size_t pos = 0; pos < input.size();) {
        const utf8_sequence sequence = decode_utf8(input, pos);
        if (sequence.valid) {
          expected += input.substr(pos, sequence.length);
        } else {
          append_utf8(expected, replacement_character);
        }
        pos += sequence.length;
      }
      EXPECT_EQ(to_valid_utf8(input), expected) << run;
    }
  }
}

TEST(EndOfAscii, FindsTheFirstHighByteFromAnyStart) {
  for (std::size_t length = 0; length <= 40; ++length) {
    for (std::size_t high = 0; high <= length; ++high) {
      std::string text(length, 'a');
      if (high < length) text[high] = '\x80';
      for (std::size_t from = 0; from <= high; ++from) {
        EXPECT_EQ(lanes::end_of_ascii(text, from), high) << length << " " << from;
      }
    }
  }
}

}  // namespace
}  // namespace feedd::parsers::detail
