#include "structure_repair.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <map>

#include "damaged_feed.hpp"
#include "feed_testing.hpp"

namespace feedd::parsers {
namespace {

using namespace testkit;
using detail::repair_structure;

std::string repaired(std::string_view text) {
  const auto out = repair_structure(text);
  EXPECT_TRUE(out.has_value());
  return out ? out->text : std::string{};
}

bool warns(std::string_view text, std::string_view needle) {
  const auto out = repair_structure(text);
  if (!out) return false;
  for (const auto& warning : out->warnings) {
    if (warning.find(needle) != std::string::npos) return true;
  }
  return out->end_note.find(needle) != std::string::npos;
}

TEST(StructureRepair, WellFormedInputComesOutUnchanged) {
  const std::string document = R"(<?xml version="1.0"?><!DOCTYPE rss [<!-- it's --><!ENTITY x "</rss>">]>)"
                               R"(<rss a=">"><!-- </rss> --><channel><title><![CDATA[</title>]]></title>)"
                               R"(<br/><?pi </channel>?></channel></rss>)";
  const auto out = repair_structure(document);
  ASSERT_TRUE(out.has_value());
  EXPECT_FALSE(out->changed);
  EXPECT_EQ(out->text, document);
  EXPECT_TRUE(out->warnings.empty());
}

TEST(StructureRepair, EndTagOfAnAncestorClosesTheElementsLeftOpenAboveIt) {
  EXPECT_EQ(repaired("<a><b><c>x</a>"), "<a><b><c>x</c></b></a>");
  EXPECT_TRUE(warns("<a><b><c>x</a>", "closed 2 elements left open, at an end tag of an enclosing element"));
}

TEST(StructureRepair, EndTagMatchingNoOpenElementIsSkipped) {
  EXPECT_EQ(repaired("<a><b>x</b></b></c></a>"), "<a><b>x</b></a>");
  EXPECT_TRUE(warns("<a><b>x</b></b></c></a>", "skipped 2 end tags that close no open element (first </b>"));
}

TEST(StructureRepair, AnEntryClosesWhatIsLeftOpenInsideTheChannelOrThePreviousEntry) {
  EXPECT_EQ(repaired("<rss><channel><x><item><title>1</item><item>2</item></channel></rss>"),
            "<rss><channel><x></x><item><title>1</title></item><item>2</item></channel></rss>");
  // RSS 1.0 puts its items beside the channel.
  EXPECT_EQ(repaired("<rdf:RDF><channel><title>t</title><item>1</item></rdf:RDF>"),
            "<rdf:RDF><channel><title>t</title></channel><item>1</item></rdf:RDF>");
  EXPECT_EQ(repaired("<feed><entry><id>1</id><entry><id>2</id></entry></feed>"),
            "<feed><entry><id>1</id></entry><entry><id>2</id></entry></feed>");
  // Elements named like entries in other vocabularies are not entries.
  EXPECT_EQ(repaired("<rss><channel><item><x:list><x:item/><entry/></x:list></item></b></channel></rss>"),
            "<rss><channel><item><x:list><x:item/><entry/></x:list></item></channel></rss>");
}

TEST(StructureRepair, HtmlVoidElementsCloseWhereTheyStart) {
  EXPECT_EQ(repaired(R"(<description><p>a<br>b<IMG src="x.png">c<hr/></p></description></x>)"),
            R"(<description><p>a<br/>b<IMG src="x.png"/>c<hr/></p></description>)");
}

TEST(StructureRepair, LessThanThatStartsNoMarkupIsText) {
  EXPECT_EQ(repaired("<a>1 < 2 <= 3</a></b>"), "<a>1 &lt; 2 &lt;= 3</a>");
}

TEST(StructureRepair, RootEndTagFollowedByMoreElementsIsIgnored) {
  EXPECT_EQ(repaired("<feed><entry>1</entry></feed>\n<entry>2</entry></feed>"),
            "<feed><entry>1</entry>\n<entry>2</entry></feed>");
  // A second root of the same name stays a second root.
  EXPECT_EQ(repaired("<rss><a></rss><rss></b></rss>"), "<rss><a></a></rss><rss></rss>");
}

TEST(StructureRepair, TheEndOfInputClosesWhatIsOpenAfterTheLastCompleteTag) {
  EXPECT_EQ(repaired("<rss><channel><title>cut short"), "<rss><channel><title></title></channel></rss>");
  EXPECT_EQ(repaired("<rss><channel><title>t</title></channel></rss"),
            "<rss><channel><title>t</title></channel></rss>");
  EXPECT_EQ(repaired("<rss><channel><x a=\"unfinished"), "<rss><channel></channel></rss>");
  EXPECT_EQ(repaired("<feed><!-- unfinished"), "<feed></feed>");
}

TEST(StructureRepair, TheEndOfInputDropsAnUnfinishedEntry) {
  const std::string cut = "<rss><channel><item><guid>1</guid></item><item><guid>2</guid><title>ha";
  EXPECT_EQ(repaired(cut), "<rss><channel><item><guid>1</guid></item></channel></rss>");
  EXPECT_TRUE(warns(cut, "the unfinished <item> dropped"));
}

TEST(StructureRepair, MalformedTagsAreRewritten) {
  EXPECT_EQ(repaired("<a><b x=\"1\"\n<c></c></b ></a junk>"), "<a><b x=\"1\"\n><c></c></b></a>");
  EXPECT_EQ(repaired("<!doctype html><html><br></html>"), "<!DOCTYPE html><html><br/></html>");
}

TEST(StructureRepair, NamesInWarningsAreCut) {
  const std::string name(5000, 'n');
  const auto out = repair_structure("<a></" + name + "></a>");
  ASSERT_TRUE(out.has_value());
  ASSERT_EQ(out->warnings.size(), 1u);
  EXPECT_LT(out->warnings[0].size(), 200u);
}

TEST(StructureRepair, TooManyOpenElementsGiveUp) {
  std::string document;
  for (std::size_t i = 0; i <= detail::max_repair_depth; ++i) document += "<a>";
  EXPECT_FALSE(repair_structure(document).has_value());
}

// Every step of the repair is amortized constant time: stray end tags
// under a deep stack, and elements closed by the thousand, stay linear.
TEST(StructureRepair, AdversarialInputsTakeLinearTime) {
  std::string deep;
  for (std::size_t i = 0; i < detail::max_repair_depth - 1; ++i) deep += "<d" + std::to_string(i) + ">";
  std::string strays = deep;
  for (int i = 0; i < 500000; ++i) strays += "</x>";
  std::string closes;
  for (int i = 0; i < 1000; ++i) closes += deep + "</d0>";
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(repair_structure(strays).has_value());
  EXPECT_TRUE(repair_structure(closes).has_value());
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // Sanitized code runs 10-50 times slower: a bound loose enough for it
  // would no longer tell linear from quadratic, so only the results count.
  (void)started;
#else
  // Quadratic work here is ~5e8 steps: seconds, where linear takes well
  // under one on an optimized build.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds{5});
#endif
}

// Issue 13's generated family: well-formed RSS 2.0, Atom and RSS 1.0 feeds
// with one end tag deleted, duplicated or renamed; every entry outside the
// one holding the damage must come out with its guid and title.
TEST(StructureRepair, GeneratedFeedsWithOneDamagedEndTagKeepEveryOtherEntry) {
  constexpr int documents = 900;
  constexpr std::array<const char*, 3> kinds{"deleted", "duplicated", "renamed"};
  struct tally {
    std::size_t documents = 0, outside = 0, kept = 0, damaged = 0, damaged_kept = 0;
  };
  std::map<std::string, tally> tallies;
  std::vector<std::string> failures;
  pseudo_random random{13};
  for (int i = 0; i < documents; ++i) {
    std::array<std::uint8_t, 256> choices{};
    for (auto& c : choices) c = static_cast<std::uint8_t>(random());
    const auto generated = contract::make_damaged_feed(choices);
    const auto parsed = parse(generated.document, {});
    const std::vector<std::string> lost =
        parsed ? contract::lost_entries(generated, *parsed) : std::vector<std::string>{"(not a feed)"};
    const std::size_t outside = generated.entries.size() - (generated.damaged ? 1 : 0);
    for (const auto& key : {generated.format + " " + kinds[static_cast<int>(generated.kind)], std::string{"all"}}) {
      auto& t = tallies[key];
      ++t.documents;
      t.outside += outside;
      t.kept += parsed ? outside - lost.size() : 0;
      if (!generated.damaged) continue;
      ++t.damaged;
      const auto& e = generated.entries[*generated.damaged];
      t.damaged_kept += parsed && std::any_of(parsed->entries.begin(), parsed->entries.end(),
                                              [&](const entry& p) { return p.guid == e.guid; });
    }
    if (!lost.empty()) failures.push_back(generated.format + ": " + generated.description + ": lost " + lost[0]);
  }
  std::printf("%-22s %9s %9s %9s %8s %15s\n", "generated family", "documents", "outside", "recovered", "share",
              "damaged entry");
  for (const auto& [key, t] : tallies) {
    std::printf("%-22s %9zu %9zu %9zu %7.2f%% %7zu of %5zu\n", key.c_str(), t.documents, t.outside, t.kept,
                100.0 * static_cast<double>(t.kept) / static_cast<double>(t.outside), t.damaged_kept, t.damaged);
  }
  EXPECT_TRUE(failures.empty()) << failures.size() << " documents lost entries, first: " << failures.front();
}

}  // namespace
}  // namespace feedd::parsers
