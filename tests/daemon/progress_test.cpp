// The live progress line of `run --once` and `feeds import`: drawn on a
// pseudo-terminal (the real binary under forkpty), absent when stderr is a
// pipe, and erased before anything that follows it.
#include <gtest/gtest.h>

#include "daemon_harness.hpp"
#include "feed_fixtures.hpp"
#include "pty_run.hpp"
#include "support/fake_server.hpp"
#include "support/paths.hpp"

namespace feedd::test {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view erase = "\r\x1b[K";

class Progress : public ::testing::Test {
 protected:
  Progress() : harness_(::testing::UnitTest::GetInstance()->current_test_info()->name()) {
    fixtures_ = write_feed_fixtures(root_.path(), 30);
    server_ = serve_directory(root_.path());
    // Slow enough answers (four at a time) that the line is redrawn.
    harness_.write_config("  max_per_host: 4\n");
    for (const auto& f : fixtures_) urls_.push_back(server_->url("/feeds/" + f.file + "?delay_ms=150"));
    urls_.push_back(server_->url("/feeds/missing.xml"));
  }

  std::vector<std::string> argv(const std::vector<std::string>& args) const {
    std::vector<std::string> out = {feedd_binary().string(), "--config", harness_.config_path().string()};
    out.insert(out.end(), args.begin(), args.end());
    return out;
  }

  daemon_harness harness_;
  temp_dir root_;
  std::vector<generated_feed> fixtures_;
  std::unique_ptr<fake_server> server_;
  std::vector<std::string> urls_;
};

TEST_F(Progress, RunOnceDrawsOneLiveLineOnATerminalAndErasesIt) {
  harness_.add_feeds(urls_);
  const auto r = run_on_pty(argv({"run", "--once"}), 60s);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto first = r.output.find("checked ");
  ASSERT_NE(first, std::string::npos) << r.output;
  EXPECT_NE(r.output.find("/31 feeds ("), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("checked 31/31 feeds (100%), 1 failed, queue "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(", ETA "), std::string::npos) << r.output;
  // Redrawn in place, each time behind an erase.
  EXPECT_EQ(r.output.substr(first - erase.size(), erase.size()), erase) << r.output;
  // Log lines go above it: the line is erased before each, never mixed in.
  const auto stopped = r.output.find("level=info event=stopped");
  ASSERT_NE(stopped, std::string::npos) << r.output;
  const auto stopped_line = r.output.rfind("time=", stopped);
  ASSERT_GE(stopped_line, erase.size()) << r.output;
  EXPECT_EQ(r.output.substr(stopped_line - erase.size(), erase.size()), erase) << r.output;
  // Gone at the end: the last thing drawn after the last summary is an erase.
  const auto last_line = r.output.rfind("checked ");
  EXPECT_NE(r.output.find(erase, last_line), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("checked ", r.output.find("event=exit")), std::string::npos) << r.output;
}

TEST_F(Progress, RunOnceDrawsNothingWhenStderrIsAPipe) {
  harness_.add_feeds(urls_);
  const auto r = harness_.feedd({"run", "--once"}, 60s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("event=stopped fetched=30"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("checked "), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\r'), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
}

TEST_F(Progress, ImportDrawsItsLineOnATerminalOnlyAndClearsItBeforeTheSummary) {
  std::string opml = "<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><head><title>t</title></head><body>\n";
  for (const auto& u : urls_) opml += "<outline xmlUrl=\"" + u + "\"/>\n";
  write_file(harness_.dir() / "feeds.opml", opml + "<outline xmlUrl=\"file:///etc/passwd\"/>\n</body></opml>\n");
  const auto r = run_on_pty(argv({"feeds", "import", "--no-check", (harness_.dir() / "feeds.opml").string()}), 60s);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("import 1/31 feeds ("), std::string::npos) << r.output;
  const auto summary = r.output.find("imported 31, already present 0, refused 1");
  ASSERT_NE(summary, std::string::npos) << r.output;
  EXPECT_EQ(r.output.substr(summary - erase.size(), erase.size()), erase) << r.output;

  harness_.db().exec("DELETE FROM feeds");
  const auto piped = harness_.feedd({"feeds", "import", "--no-check", (harness_.dir() / "feeds.opml").string()});
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.err.find("import "), std::string::npos) << piped.err;
  EXPECT_EQ(piped.err.find('\x1b'), std::string::npos) << piped.err;
}

}  // namespace
}  // namespace feedd::test
