#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <iostream>

#include "corpus_sweep.hpp"
#include "feedparser_suite.hpp"
#include "gofeed_suite.hpp"
#include "support/paths.hpp"

// feedd's parser against other projects' test corpora (../shared/corpus, see
// its README.md). The tables printed here are the progress report; the
// floors below make a regression fail the build.
namespace feedd::conformance {
namespace {

// Floors: raise as the parser improves. Each sits just below the rate
// reached when it was last set (feedparser 612/613 = 99.8%, gofeed
// 188/188 = 100%), rounded down to a whole point and, at 100%, one point
// under it. Both are above the targets: 98% of the applicable
// feedparser checks, 98% agreement with gofeed, and no crash, hang or
// invalid output at all.
constexpr double feedparser_floor_percent = 99.0;
constexpr double gofeed_floor_percent = 99.0;
constexpr std::size_t max_contract_violations = 0;

// Time per document: the target, and the bound this build must
// keep. Debug and sanitizer builds run several times slower than the
// release daemon, so they get a larger bound; the real numbers are printed
// either way.
constexpr std::chrono::milliseconds document_target{100};
#ifdef NDEBUG
constexpr std::chrono::milliseconds document_budget = document_target;
#else
constexpr std::chrono::milliseconds document_budget{1000};
#endif

constexpr std::size_t failures_shown = 400;

std::filesystem::path corpus() { return test::shared_dir() / "corpus"; }

TEST(Conformance, FeedparserEqualityChecksPassAboveTheFloor) {
  if (!std::filesystem::exists(corpus() / "feedparser/EXPECTATIONS.jsonl")) GTEST_SKIP() << "no " << corpus();
  const auto board = run_feedparser_suite(corpus());
  board.print(std::cout, "feedparser (EXPECTATIONS.jsonl)", failures_shown);
  EXPECT_GT(board.total().applicable(), 600u) << "most checks must apply; is the corpus complete?";
  EXPECT_GE(board.total().rate(), feedparser_floor_percent);
}

TEST(Conformance, GofeedTranslatorGoldensAgreeAboveTheFloor) {
  if (!std::filesystem::exists(corpus() / "gofeed/testdata/translator")) GTEST_SKIP() << "no " << corpus();
  const auto board = run_gofeed_suite(corpus());
  board.print(std::cout, "gofeed (testdata/translator goldens)", failures_shown);
  EXPECT_GT(board.total().applicable(), 150u) << "most goldens must apply; is the corpus complete?";
  EXPECT_GE(board.total().rate(), gofeed_floor_percent);
}

TEST(Conformance, EveryCorpusDocumentParsesQuicklyIntoCleanOutput) {
  if (!std::filesystem::exists(corpus())) GTEST_SKIP() << "no " << corpus();
  const auto report = sweep_corpus(corpus(), document_target, document_budget);
  report.print(std::cout);
  EXPECT_GT(report.total.documents, 4000u) << "is the corpus complete?";
  EXPECT_EQ(report.total.over_budget, 0u) << "slowest: " << report.total.slowest_file;
  EXPECT_LE(report.total.broken, max_contract_violations);
}

}  // namespace
}  // namespace feedd::conformance
