#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "support/paths.hpp"

// Each fuzz target's LLVMFuzzerTestOneInput, renamed (CMakeLists.txt).
extern "C" {
int feed_parse_fuzzer_one_input(const std::uint8_t* data, std::size_t size);
int date_parse_fuzzer_one_input(const std::uint8_t* data, std::size_t size);
int url_fuzzer_one_input(const std::uint8_t* data, std::size_t size);
int opml_fuzzer_one_input(const std::uint8_t* data, std::size_t size);
int charset_fuzzer_one_input(const std::uint8_t* data, std::size_t size);
int config_fuzzer_one_input(const std::uint8_t* data, std::size_t size);
int http_response_fuzzer_one_input(const std::uint8_t* data, std::size_t size);
}

namespace {

namespace fs = std::filesystem;
using one_input = int (*)(const std::uint8_t*, std::size_t);

// The seed being replayed, for the SIGABRT handler: a broken oracle aborts
// (fuzz/oracle.hpp), and the file that broke it is what one needs to know.
char replaying[4096];

extern "C" void name_the_seed(int signal) {
  constexpr std::string_view prefix = "fuzz replay: the seed that aborted: ";
  [[maybe_unused]] auto written = ::write(STDERR_FILENO, prefix.data(), prefix.size());
  written = ::write(STDERR_FILENO, replaying, std::strlen(replaying));
  written = ::write(STDERR_FILENO, "\n", 1);
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Every file of fuzz/corpus/<target> through the target, in name order.
void replay(std::string_view target, one_input run) {
  const fs::path corpus = feedd::test::source_dir() / "fuzz" / "corpus" / target;
  ASSERT_TRUE(fs::is_directory(corpus)) << corpus;
  std::vector<fs::path> seeds;
  for (const auto& entry : fs::directory_iterator(corpus)) {
    if (entry.is_regular_file()) seeds.push_back(entry.path());
  }
  std::sort(seeds.begin(), seeds.end());
  ASSERT_FALSE(seeds.empty()) << corpus;
  std::signal(SIGABRT, name_the_seed);
  for (const auto& seed : seeds) {
    const std::string bytes = read_file(seed);
    const std::string name = seed.string();
    std::memcpy(replaying, name.c_str(), std::min(name.size() + 1, sizeof replaying - 1));
    // libFuzzer's contract: 0, or -1 for "keep this out of the corpus".
    const int result = run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    EXPECT_TRUE(result == 0 || result == -1) << seed;
  }
  std::signal(SIGABRT, SIG_DFL);
  ::testing::Test::RecordProperty("seeds", static_cast<int>(seeds.size()));
}

TEST(FuzzReplay, FeedParseSeedsKeepTheParseResultsContract) { replay("feed_parse_fuzzer", feed_parse_fuzzer_one_input); }
TEST(FuzzReplay, DateParseSeedsRoundTrip) { replay("date_parse_fuzzer", date_parse_fuzzer_one_input); }
TEST(FuzzReplay, UrlSeedsKeepTheUrlOracles) { replay("url_fuzzer", url_fuzzer_one_input); }
TEST(FuzzReplay, OpmlSeedsKeepTheOpmlOracles) { replay("opml_fuzzer", opml_fuzzer_one_input); }
TEST(FuzzReplay, CharsetSeedsDecodeToUtf8) { replay("charset_fuzzer", charset_fuzzer_one_input); }
TEST(FuzzReplay, ConfigSeedsKeepTheConfigOracles) { replay("config_fuzzer", config_fuzzer_one_input); }
TEST(FuzzReplay, HttpResponseSeedsKeepTheFetchOracles) {
  replay("http_response_fuzzer", http_response_fuzzer_one_input);
}

}  // namespace
