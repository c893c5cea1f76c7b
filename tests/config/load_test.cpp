#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "feedd/config/config.hpp"
#include "problem_matchers.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"

namespace feedd::config {
namespace {

using namespace std::chrono_literals;
using test::contains;
using test::only_problem;

std::filesystem::path fixture(const char* name) { return feedd::test::source_dir() / "tests/config/data" / name; }

TEST(ConfigLoad, EmptyDocumentGivesSpecDefaults) {
  auto loaded = load_string("", "0.1.0");
  ASSERT_TRUE(loaded.has_value());
  const config& c = *loaded;
  // SPEC.md "Configuration (YAML)", key by key.
  EXPECT_EQ(c.database.url, "");
  EXPECT_EQ(c.database.password_file, "");
  EXPECT_TRUE(c.database.migrate);
  EXPECT_TRUE(c.database.synchronous_commit);
  EXPECT_EQ(c.database.statement_timeout, 30s);
  EXPECT_EQ(c.database.lock_timeout, 10s);
  EXPECT_EQ(c.fetch.threads, 2);
  EXPECT_EQ(c.fetch.max_concurrent, 64);
  EXPECT_EQ(c.fetch.max_per_host, 2);
  EXPECT_EQ(c.fetch.host_delay, 0s);
  EXPECT_EQ(c.fetch.connect_timeout, 10s);
  EXPECT_EQ(c.fetch.timeout, 30s);
  EXPECT_EQ(c.fetch.max_body, std::size_t{16} << 20);
  EXPECT_EQ(c.fetch.max_redirects, 5);
  EXPECT_EQ(c.fetch.user_agent, "feedd/0.1.0");
  EXPECT_TRUE(c.fetch.tls_verify);
  EXPECT_EQ(c.fetch.ca_file, "");
  EXPECT_TRUE(c.fetch.block_private_addresses);
  EXPECT_EQ(c.queue.capacity, 32);
  EXPECT_EQ(c.schedule.interval, 30min);
  EXPECT_EQ(c.schedule.min_interval, 5min);
  EXPECT_EQ(c.schedule.max_interval, 24h);
  EXPECT_EQ(c.schedule.error_backoff_max, 24h);
  EXPECT_EQ(c.schedule.claim_batch, 100);
  EXPECT_EQ(c.schedule.lease, 5min);
  EXPECT_FALSE(c.schedule.adaptive);
  EXPECT_EQ(c.shutdown.drain_timeout, 20s);
  EXPECT_EQ(c.log.level, log_level::info);
  EXPECT_EQ(c.log.format, log_format::automatic);
  EXPECT_EQ(c.metrics.listen, std::nullopt);
  EXPECT_EQ(c.retention.max_age, 0ms);
  EXPECT_EQ(c.retention.max_entries_per_feed, 0);
}

TEST(ConfigLoad, FileWithOnlyCommentsAndEmptySectionsGivesDefaults) {
  auto loaded = load_file(fixture("comments_only.yaml"), "2.0");
  ASSERT_TRUE(loaded.has_value()) << to_string(loaded.error().front());
  config expected_value;
  expected_value.fetch.user_agent = "feedd/2.0";
  EXPECT_EQ(*loaded, expected_value);
}

TEST(ConfigLoad, EmptyFlowMappingIsAnEmptySection) {
  auto loaded = load_string("fetch: {}\nlog: {}\n", "1");
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->fetch.threads, 2);
}

TEST(ConfigLoad, ReadsEveryKeyOfTheSpec) {
  auto loaded = load_string(feedd::test::read_file(fixture("every_key_set.yaml")), "1.0");
  ASSERT_TRUE(loaded.has_value()) << to_string(loaded.error().front());
  const config& c = *loaded;
  EXPECT_EQ(c.database.url, "postgresql://feedd@db.example/feeds?sslmode=verify-full");
  EXPECT_EQ(c.database.password_file, "/run/credentials/feedd.service/db-password");
  EXPECT_FALSE(c.database.migrate);
  EXPECT_FALSE(c.database.synchronous_commit);
  EXPECT_EQ(c.database.statement_timeout, 1min);
  EXPECT_EQ(c.database.lock_timeout, 2s);
  EXPECT_EQ(c.fetch.threads, 4);
  EXPECT_EQ(c.fetch.max_concurrent, 200);
  EXPECT_EQ(c.fetch.max_per_host, 4);
  EXPECT_EQ(c.fetch.connect_timeout, 5s);
  EXPECT_EQ(c.fetch.timeout, 90s);
  EXPECT_EQ(c.fetch.max_body, std::size_t{8} << 20);
  EXPECT_EQ(c.fetch.max_redirects, 0);
  EXPECT_EQ(c.fetch.user_agent, "feedd/9.9 (+https://example.org/bot)");
  EXPECT_FALSE(c.fetch.tls_verify);
  EXPECT_EQ(c.fetch.ca_file, "/etc/feedd/extra-ca.pem");
  EXPECT_FALSE(c.fetch.block_private_addresses);
  EXPECT_EQ(c.fetch.proxy, "http://feedd:s3cret@proxy.example:3128");
  EXPECT_EQ(c.queue.capacity, 128);
  EXPECT_EQ(c.schedule.interval, 1h);
  EXPECT_EQ(c.schedule.min_interval, 10min);
  EXPECT_EQ(c.schedule.max_interval, 48h);
  EXPECT_EQ(c.schedule.error_backoff_max, 12h);
  EXPECT_EQ(c.schedule.claim_batch, 50);
  EXPECT_EQ(c.schedule.lease, 10min);
  EXPECT_TRUE(c.schedule.adaptive);
  EXPECT_EQ(c.shutdown.drain_timeout, 500ms);
  EXPECT_EQ(c.log.level, log_level::debug);
  EXPECT_EQ(c.log.format, log_format::json);
  EXPECT_EQ(c.metrics.listen, (listen_address{"127.0.0.1", 9118}));
  EXPECT_EQ(c.retention.max_age, 90 * 24h);
  EXPECT_EQ(c.retention.max_entries_per_feed, 1000);
  // Nothing in the fixture may equal its default, or the test could not
  // notice that key being ignored.
  EXPECT_EQ(describe_changes(load_string("", "1.0").value(), c).size(), 32u);
}

TEST(ConfigLoad, ExplicitUserAgentReplacesTheVersionDefault) {
  auto loaded = load_string("fetch:\n  user_agent: mybot/1\n", "0.1.0");
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->fetch.user_agent, "mybot/1");
}

TEST(ConfigLoad, EmptyStringValueMeansEmpty) {
  auto loaded = load_string("database:\n  url:\n  password_file: ''\nmetrics:\n  listen: ~\n", "1");
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->database.url, "");
  EXPECT_EQ(loaded->metrics.listen, std::nullopt);
}

TEST(ConfigLoad, AliasesAndQuotedDurationsAreValues) {
  auto loaded = load_string("fetch:\n  timeout: &t \"20s\"\n  connect_timeout: *t\n", "1");
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->fetch.timeout, 20s);
  EXPECT_EQ(loaded->fetch.connect_timeout, 20s);
}

TEST(ConfigLoad, HostDelayAndFirstCheckSpreadAreDurationsThatMayBeZero) {
  auto loaded = load_string("fetch:\n  host_delay: 250ms\nschedule:\n  first_check_spread: 0s\n", "1");
  ASSERT_TRUE(loaded.has_value()) << to_string(loaded.error().front());
  EXPECT_EQ(loaded->fetch.host_delay, 250ms);
  EXPECT_EQ(loaded->schedule.first_check_spread, 0s);
  EXPECT_EQ(load_string("", "1")->schedule.first_check_spread, 5min);

  auto wrong = load_string("fetch:\n  host_delay: soon\n", "1");
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().front().key, "fetch.host_delay");
  auto negative = load_string("schedule:\n  first_check_spread: -1s\n", "1");
  ASSERT_FALSE(negative.has_value());
  EXPECT_EQ(negative.error().front().key, "schedule.first_check_spread");
}

TEST(ConfigLoad, SizeWithoutUnitIsBytes) {
  auto loaded = load_string("fetch:\n  max_body: 1048576\n", "1");
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->fetch.max_body, 1048576u);
}

TEST(ConfigLoad, ShippedExampleConfigIsValid) {
  // The example beside the unit is what operators copy; it must not drift
  // from what the loader accepts. Files it names need not exist here, so
  // this checks the document, not the file system.
  const auto example = feedd::test::source_dir() / "systemd/feedd.yaml";
  const std::string text = feedd::test::read_file(example);
  // An empty document is valid: a missing example must fail, not pass.
  ASSERT_FALSE(text.empty()) << example << " is missing or empty";
  auto loaded = load_string(text, "1.0");
  ASSERT_TRUE(loaded.has_value()) << to_string(loaded.error().front());
}

TEST(ConfigLoadFile, MissingFileIsOneProblemNamingThePath) {
  feedd::test::temp_dir dir;
  const auto path = dir.path() / "absent.yaml";
  auto loaded = load_file(path, "1");
  ASSERT_FALSE(loaded.has_value());
  ASSERT_EQ(loaded.error().size(), 1u);
  const problem& p = loaded.error().front();
  EXPECT_EQ(p.key, path.string());
  EXPECT_EQ(p.line, 0);
  EXPECT_EQ(to_string(p), "config: " + path.string() + ": no such file");
}

TEST(ConfigLoadFile, DirectoryIsNotAConfigFile) {
  feedd::test::temp_dir dir;
  auto loaded = load_file(dir.path(), "1");
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().front().key, dir.path().string());
  EXPECT_TRUE(contains(loaded.error().front().message, "directory"));
}

// Reading a FIFO blocks until a writer comes; if the loader ever opens one,
// this opens the other end after a while so that the test fails instead of
// hanging.
class fifo_unblocker {
 public:
  explicit fifo_unblocker(std::filesystem::path fifo)
      : fifo_(std::move(fifo)), thread_([this] {
          const auto deadline = std::chrono::steady_clock::now() + 3s;
          while (!done_ && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
          if (done_) return;
          const int fd = ::open(fifo_.c_str(), O_WRONLY | O_NONBLOCK);
          if (fd >= 0) ::close(fd);
        }) {}
  ~fifo_unblocker() {
    done_ = true;
    thread_.join();
  }

 private:
  std::filesystem::path fifo_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

TEST(ConfigLoadFile, FifoIsRefusedWithoutOpeningIt) {
  feedd::test::temp_dir dir;
  const auto fifo = dir.path() / "feedd.yaml";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::optional<expected<config, std::vector<problem>>> loaded;
  {
    fifo_unblocker unblock(fifo);
    loaded.emplace(load_file(fifo, "1"));
  }
  ASSERT_FALSE(loaded->has_value()) << "a FIFO was read as a configuration";
  EXPECT_EQ(to_string(loaded->error().front()), "config: " + fifo.string() + ": is a FIFO (named pipe), not a regular file");
}

TEST(ConfigLoadFile, NamedFileThatIsAFifoOrDeviceIsAProblem) {
  feedd::test::temp_dir dir;
  const auto fifo = dir.path() / "ca.pem";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto path = dir.path() / "feedd.yaml";
  feedd::test::write_file(path, "database:\n  password_file: /dev/zero\nfetch:\n  ca_file: " + fifo.string() + "\n");
  std::optional<expected<config, std::vector<problem>>> loaded;
  {
    fifo_unblocker unblock(fifo);
    loaded.emplace(load_file(path, "1"));
  }
  ASSERT_FALSE(loaded->has_value());
  ASSERT_EQ(loaded->error().size(), 2u);
  EXPECT_EQ(loaded->error()[0].key, "database.password_file");
  EXPECT_TRUE(contains(loaded->error()[0].message, "\"/dev/zero\" is a device")) << loaded->error()[0].message;
  EXPECT_EQ(loaded->error()[1].key, "fetch.ca_file");
  EXPECT_TRUE(contains(loaded->error()[1].message, "is a FIFO")) << loaded->error()[1].message;
}

TEST(ConfigLoadFile, PathWithControlCharactersIsEscapedInProblems) {
  feedd::test::temp_dir dir;
  const auto path = dir.path() / "\x1b[2Jfeedd.yaml";
  auto loaded = load_file(path, "1");
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().front().key, dir.path().string() + "/\\x1b[2Jfeedd.yaml");
}

TEST(ConfigLoadFile, SyntaxErrorNamesTheFileAndLine) {
  feedd::test::temp_dir dir;
  const auto path = dir.path() / "feedd.yaml";
  feedd::test::write_file(path, "fetch:\n  threads: 2\n timeout: 3s\n");
  auto loaded = load_file(path, "1");
  ASSERT_FALSE(loaded.has_value());
  ASSERT_EQ(loaded.error().size(), 1u);
  EXPECT_EQ(loaded.error().front().key, path.string());
  EXPECT_EQ(loaded.error().front().line, 3);
  EXPECT_TRUE(contains(to_string(loaded.error().front()), "(line 3): invalid YAML"));
}

TEST(ConfigLoadFile, NamedFilesMustExist) {
  feedd::test::temp_dir dir;
  const auto path = dir.path() / "feedd.yaml";
  feedd::test::write_file(path, "database:\n  password_file: " + (dir.path() / "nope").string() +
                                    "\nfetch:\n  ca_file: " + dir.path().string() + "\n");
  auto loaded = load_file(path, "1");
  ASSERT_FALSE(loaded.has_value());
  ASSERT_EQ(loaded.error().size(), 2u);
  EXPECT_EQ(loaded.error()[0].key, "database.password_file");
  EXPECT_EQ(loaded.error()[0].line, 2);
  EXPECT_TRUE(contains(loaded.error()[0].message, "no such file"));
  EXPECT_EQ(loaded.error()[1].key, "fetch.ca_file");
  EXPECT_EQ(loaded.error()[1].line, 4);
  EXPECT_TRUE(contains(loaded.error()[1].message, "directory"));
}

TEST(ConfigLoadFile, ExistingNamedFilesAreAccepted) {
  feedd::test::temp_dir dir;
  feedd::test::write_file(dir.path() / "password", "secret\n");
  feedd::test::write_file(dir.path() / "ca.pem", "");
  const auto path = dir.path() / "feedd.yaml";
  feedd::test::write_file(path, "database:\n  password_file: " + (dir.path() / "password").string() +
                                    "\nfetch:\n  ca_file: " + (dir.path() / "ca.pem").string() + "\n");
  auto loaded = load_file(path, "1");
  ASSERT_TRUE(loaded.has_value()) << to_string(loaded.error().front());
  EXPECT_EQ(loaded->database.password_file, (dir.path() / "password").string());
}

TEST(ConfigLoadFile, ReadsTheSameValuesAsLoadString) {
  // every_key_set.yaml names files that need not exist here, so drop them.
  feedd::test::temp_dir dir;
  std::string text = feedd::test::read_file(fixture("every_key_set.yaml"));
  for (const char* key : {"  password_file:", "  ca_file:"}) {
    const auto at = text.find(key);
    ASSERT_NE(at, std::string::npos);
    text.erase(at, text.find('\n', at) - at + 1);
  }
  feedd::test::write_file(dir.path() / "feedd.yaml", text);
  auto from_file = load_file(dir.path() / "feedd.yaml", "1");
  auto from_string = load_string(text, "1");
  ASSERT_TRUE(from_file.has_value());
  ASSERT_TRUE(from_string.has_value());
  EXPECT_EQ(*from_file, *from_string);
}

}  // namespace
}  // namespace feedd::config
