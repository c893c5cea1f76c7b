#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "feedd/config/config.hpp"
#include "problem_matchers.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"

namespace feedd::config {
namespace {

using test::contains;
using test::only_problem;
using test::problems_of;

// One document with one problem, and where and what it must be.
struct bad_value {
  const char* yaml;
  const char* key;
  int line;
  const char* message;  // a part of the message
};

void expect_problem(const bad_value& row) {
  SCOPED_TRACE(row.yaml);
  const problem p = only_problem(row.yaml);
  EXPECT_EQ(p.key, row.key);
  EXPECT_EQ(p.line, row.line);
  EXPECT_TRUE(contains(p.message, row.message)) << p.message;
}

TEST(ConfigProblems, ToStringNamesKeyAndLine) {
  EXPECT_EQ(to_string(problem{"fetch.timeout", 7, 12, "expected a duration such as 30s, got \"thirty\""}),
            "config: fetch.timeout (line 7): expected a duration such as 30s, got \"thirty\"");
  EXPECT_EQ(to_string(problem{"/etc/feedd/feedd.yaml", 0, 0, "no such file"}),
            "config: /etc/feedd/feedd.yaml: no such file");
  EXPECT_EQ(to_string(problem{"", 3, 1, "invalid YAML: illegal map value"}),
            "config: line 3: invalid YAML: illegal map value");
}

TEST(ConfigProblems, MalformedDurationReadsAsTheSpecExample) {
  const problem p = only_problem(
      "# feedd\n"
      "database:\n"
      "  migrate: true\n"
      "\n"
      "fetch:\n"
      "  threads: 2\n"
      "  timeout: thirty\n");
  EXPECT_EQ(to_string(p), "config: fetch.timeout (line 7): expected a duration such as 30s, got \"thirty\"");
  EXPECT_EQ(p.column, 3);
}

TEST(ConfigProblems, UnknownKeySuggestsTheNearestKnownKey) {
  expect_problem({"fetch:\n  threads: 2\n  max_per_hots: 3\n", "fetch.max_per_hots", 3,
                  "unknown key; did you mean fetch.max_per_host?"});
  expect_problem({"fetch:\n  tiemout: 3s\n", "fetch.tiemout", 2, "did you mean fetch.timeout?"});
  expect_problem({"schedule:\n  max_int: 1h\n", "schedule.max_int", 2, "did you mean schedule.max_interval?"});
}

// Found by fuzz/config_fuzzer (corpus/config_fuzzer/key_with_escapes.yaml,
// regression_yaml_message_nul.yaml): keys, and yaml-cpp's messages about a
// character, are the file's text too, and a problem prints as one line.
TEST(ConfigProblems, KeysAndMessagesWithControlCharactersPrintOnOneLine) {
  expect_problem({"fetch:\n  \"threads\\nX\": 1\n", "fetch.threads\\x0aX", 2, "unknown key"});
  expect_problem({"\"\\e[31mred\": {}\n", "\\x1b[31mred", 1, "unknown section"});
  const problem p = only_problem(std::string("fetch: \"\\\0\"\n", 12));
  EXPECT_TRUE(contains(p.message, "unknown escape character: \\x00")) << p.message;
}

// A problem prints in UTF-8 whatever the file holds: quote() cuts a long
// value between characters and escapes bytes that are not UTF-8, as
// printable() does with keys.
TEST(ConfigProblems, ProblemsPrintInUtf8) {
  const problem cut = only_problem("log:\n  level: \"" + std::string(59, 'a') + "\u00e9\u00e9\"\n");
  EXPECT_TRUE(contains(cut.message, std::string(59, 'a') + "\u00e9...\"")) << cut.message;
  const problem latin1 = only_problem("log:\n  level: \"caf\xe9\"\n");
  EXPECT_TRUE(contains(latin1.message, "\"caf\\xe9\"")) << latin1.message;
  const problem key = only_problem("fetch:\n  \"\xff\": 1\n");
  EXPECT_EQ(key.key, "fetch.\\xff");
}

// Valid UTF-8 can still drive a terminal: U+009B is CSI to an 8-bit
// terminal, and bidirectional overrides reorder what the operator reads.
TEST(ConfigProblems, C1ControlsAndBidiOverridesAreEscapedNotEchoed) {
  const problem value = only_problem("fetch:\n  timeout: \"\xc2\x9b" "2J\xe2\x80\xae" "abc\"\n");
  EXPECT_TRUE(contains(value.message, "got \"\\xc2\\x9b2J\\xe2\\x80\\xaeabc\"")) << value.message;
  const problem key = only_problem("fetch:\n  \"\xc2\x85x\xe2\x81\xa6\": 1\n");
  EXPECT_EQ(key.key, "fetch.\\xc2\\x85x\\xe2\\x81\\xa6");
  // Other characters beyond ASCII stay as they are.
  EXPECT_EQ(printable("caf\u00e9 \u2014 \u00a0"), "caf\u00e9 \u2014 \u00a0");
}

TEST(ConfigProblems, UnknownKeyWithoutNearMatchListsTheSectionsKeys) {
  const problem p = only_problem("queue:\n  pool_sise: 4\n");
  EXPECT_EQ(p.key, "queue.pool_sise");
  EXPECT_EQ(p.line, 2);
  EXPECT_EQ(p.message, "unknown key; known keys under queue: capacity");
}

TEST(ConfigProblems, KeyInTheWrongSectionPointsToItsSection) {
  expect_problem({"fetch:\n  lease: 5m\n", "fetch.lease", 2, "did you mean schedule.lease?"});
  expect_problem({"threads: 4\n", "threads", 1, "unknown section; did you mean fetch.threads?"});
}

TEST(ConfigProblems, UnknownSectionSuggestsTheNearestSection) {
  expect_problem({"fetch:\n  threads: 2\nshedule:\n  lease: 5m\n", "shedule", 3, "did you mean schedule?"});
  expect_problem({"fetch.timeout: 10s\n", "fetch.timeout", 1, "write timeout: indented under fetch:"});
  expect_problem({"zzz: 1\n", "zzz", 1, "expected one of database, fetch, queue, schedule, shutdown, log, metrics"});
}

TEST(ConfigProblems, WrongTypesNameTheKey) {
  const bad_value rows[] = {
      {"fetch:\n  threads: eight\n", "fetch.threads", 2, "expected a whole number, got \"eight\""},
      {"fetch:\n  threads: 2.5\n", "fetch.threads", 2, "expected a whole number, got \"2.5\""},
      {"fetch:\n  threads: +-5\n", "fetch.threads", 2, "expected a whole number, got \"+-5\""},
      {"fetch:\n  threads: 0x10\n", "fetch.threads", 2, "expected a whole number, got \"0x10\""},
      {"fetch:\n  threads: \"8\"\n", "fetch.threads", 2, "without quotes"},
      {"fetch:\n  threads: [1, 2]\n", "fetch.threads", 2, "got a sequence"},
      {"fetch:\n  threads:\n", "fetch.threads", 2, "got nothing"},
      {"fetch:\n  timeout: {a: 1}\n", "fetch.timeout", 2, "expected a duration such as 30s, got a mapping"},
      {"fetch:\n  timeout:\n", "fetch.timeout", 2, "expected a duration such as 30s, got nothing"},
      {"fetch:\n  user_agent: [a]\n", "fetch.user_agent", 2, "expected a string, got a sequence"},
      {"log:\n  level: 3\n", "log.level", 2, "expected one of debug, info, warning, error, got \"3\""},
  };
  for (const auto& row : rows) expect_problem(row);
}

TEST(ConfigProblems, BooleansAcceptOnlyTrueAndFalse) {
  for (const char* value : {"0", "1", "yes", "no", "on", "off", "True", "y", "\"true\"", "[]"}) {
    const std::string yaml = "fetch:\n  threads: 2\n  tls_verify: " + std::string(value) + "\n";
    expect_problem({yaml.c_str(), "fetch.tls_verify", 3, "expected true or false"});
  }
}

// database.synchronous_commit is a boolean like the others: PostgreSQL's
// own spelling (off) is refused with the key and line, not taken as true.
TEST(ConfigProblems, SynchronousCommitIsTrueOrFalse) {
  expect_problem({"database:\n  synchronous_commit: off\n", "database.synchronous_commit", 2,
                  "expected true or false, got \"off\""});
  expect_problem({"database:\n  synchronous_commit: local\n", "database.synchronous_commit", 2,
                  "expected true or false, got \"local\""});
}

TEST(ConfigProblems, CountsBelowTheirMinimum) {
  const bad_value rows[] = {
      {"fetch:\n  threads: 0\n", "fetch.threads", 2, "must be at least 1, got \"0\""},
      {"fetch:\n  threads: -3\n", "fetch.threads", 2, "must be at least 1, got \"-3\""},
      {"fetch:\n  max_concurrent: 0\n", "fetch.max_concurrent", 2, "must be at least 1"},
      {"fetch:\n  max_per_host: 0\n", "fetch.max_per_host", 2, "must be at least 1"},
      {"fetch:\n  max_redirects: -1\n", "fetch.max_redirects", 2, "must be at least 0, got \"-1\""},
      {"queue:\n  capacity: 0\n", "queue.capacity", 2, "must be at least 1"},
      {"schedule:\n  claim_batch: 0\n", "schedule.claim_batch", 2, "must be at least 1"},
      {"retention:\n  max_entries_per_feed: -1\n", "retention.max_entries_per_feed", 2, "must be at least 0"},
      {"retention:\n  max_age: -1d\n", "retention.max_age", 2, "must not be negative"},
      {"retention:\n  max_age: 3651d\n", "retention.max_age", 2, "is too large: at most 3650d"},
      {"retention:\n  max_age: soon\n", "retention.max_age", 2, "expected a duration such as 30s"},
  };
  for (const auto& row : rows) expect_problem(row);
}

TEST(ConfigProblems, ZeroRedirectsMeansNeverFollow) {
  auto loaded = load_string("fetch:\n  max_redirects: 0\n", "1");
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->fetch.max_redirects, 0);
}

TEST(ConfigProblems, CountsAboveTheirMaximumAreTooLarge) {
  const bad_value rows[] = {
      {"fetch:\n  threads: 65\n", "fetch.threads", 2, "is too large: at most 64, got \"65\""},
      {"fetch:\n  max_concurrent: 10001\n", "fetch.max_concurrent", 2, "is too large: at most 10000"},
      {"queue:\n  capacity: 100001\n", "queue.capacity", 2, "is too large: at most 100000"},
      {"fetch:\n  threads: 99999999999999999999999\n", "fetch.threads", 2, "is too large"},
  };
  for (const auto& row : rows) expect_problem(row);
  // The limits themselves are allowed.
  EXPECT_TRUE(load_string("fetch:\n  threads: +64\n  max_concurrent: 10000\nqueue:\n  capacity: 100000\n", "1"));
}

TEST(ConfigProblems, BadDurations) {
  const bad_value rows[] = {
      {"fetch:\n  timeout: 0s\n", "fetch.timeout", 2, "must be greater than zero, got \"0s\""},
      {"fetch:\n  connect_timeout: 0ms\n", "fetch.connect_timeout", 2, "must be greater than zero"},
      {"schedule:\n  lease: 30\n", "schedule.lease", 2, "got \"30\" (a number needs a unit)"},
      {"schedule:\n  interval: -5m\n", "schedule.interval", 2, "must not be negative, got \"-5m\""},
      {"schedule:\n  error_backoff_max: 1.5h\n", "schedule.error_backoff_max", 2, "expected a duration such as 30s"},
      {"schedule:\n  max_interval: 400d\n", "schedule.max_interval", 2, "is too large: at most 365d, got \"400d\""},
      {"shutdown:\n  drain_timeout: 99999999999999999999d\n", "shutdown.drain_timeout", 2, "is too large"},
      {"shutdown:\n  drain_timeout: ''\n", "shutdown.drain_timeout", 2, "got nothing"},
  };
  for (const auto& row : rows) expect_problem(row);
}

TEST(ConfigProblems, ZeroDrainTimeoutIsAllowed) {
  auto loaded = load_string("shutdown:\n  drain_timeout: 0s\n", "1");
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->shutdown.drain_timeout.count(), 0);
}

TEST(ConfigProblems, BadSizes) {
  const bad_value rows[] = {
      {"fetch:\n  max_body: 16mb\n", "fetch.max_body", 2, "expected a size such as 16MiB, got \"16mb\""},
      {"fetch:\n  max_body: -1\n", "fetch.max_body", 2, "must not be negative"},
      {"fetch:\n  max_body: 0\n", "fetch.max_body", 2, "must be greater than zero"},
      {"fetch:\n  max_body: 2GiB\n", "fetch.max_body", 2, "is too large: at most 1GiB, got \"2GiB\""},
      {"fetch:\n  max_body: 99999999999999999999\n", "fetch.max_body", 2, "is too large"},
  };
  for (const auto& row : rows) expect_problem(row);
}

TEST(ConfigProblems, SectionThatIsNotAMapping) {
  expect_problem({"database:\n  migrate: true\nfetch: 8\n", "fetch", 3, "expected a mapping of keys under fetch:, got \"8\""});
  expect_problem({"log:\n  - debug\n", "log", 1, "got a sequence"});
}

TEST(ConfigProblems, RootThatIsNotAMapping) {
  expect_problem({"- fetch\n- log\n", "", 1, "expected a mapping of sections"});
  expect_problem({"just text\n", "", 1, "got \"just text\""});
}

TEST(ConfigProblems, DuplicateKeyIsAnError) {
  // yaml-cpp would silently keep one of the two values.
  const problem p = only_problem("fetch:\n  timeout: 10s\n  threads: 2\n  timeout: 20s\n");
  EXPECT_EQ(p.key, "fetch.timeout");
  EXPECT_EQ(p.line, 4);
  EXPECT_EQ(p.message, "duplicate key; first written on line 2");
}

TEST(ConfigProblems, DuplicateSectionIsAnError) {
  expect_problem({"fetch:\n  threads: 2\nlog:\n  level: info\nfetch:\n  timeout: 1s\n", "fetch", 5,
                  "duplicate key; first written on line 1"});
}

TEST(ConfigProblems, LogLevelAndFormatAreChoices) {
  expect_problem({"log:\n  level: verbose\n", "log.level", 2, "expected one of debug, info, warning, error, got \"verbose\""});
  expect_problem({"log:\n  level: INFO\n", "log.level", 2, "(did you mean info?)"});
  expect_problem({"log:\n  level: warn\n", "log.level", 2, "(did you mean warning?)"});
  expect_problem({"log:\n  format: jsn\n", "log.format", 2, "expected one of auto, text, json, got \"jsn\" (did you mean json?)"});
  auto loaded = load_string("log:\n  level: warning\n  format: text\n", "1");
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->log.level, log_level::warning);
  EXPECT_EQ(loaded->log.format, log_format::text);
}

TEST(ConfigProblems, MetricsListenIsEmptyOrHostColonPort) {
  for (const char* good : {"''", "127.0.0.1:9118", "localhost:9118", "0.0.0.0:1", "\"[::1]:9118\"",
                           "\"[fe80::1%eth0]:65535\""}) {
    EXPECT_TRUE(load_string("metrics:\n  listen: " + std::string(good) + "\n", "1")) << good;
  }
  for (const char* bad : {"9118", "127.0.0.1", "\"127.0.0.1:\"", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:http",
                          ":9118", "::1:9118", "\"[::1]9118\"", "\"[]:9118\"", "\"host name:80\""}) {
    const std::string yaml = "metrics:\n  listen: " + std::string(bad) + "\n";
    expect_problem({yaml.c_str(), "metrics.listen", 2, ""});
  }
}

TEST(ConfigProblems, FilesMustBeAbsolutePaths) {
  expect_problem({"fetch:\n  ca_file: certs/extra.pem\n", "fetch.ca_file", 2,
                  "expected an absolute path (starting with /), got \"certs/extra.pem\""});
  expect_problem({"database:\n  password_file: secrets/pw\n", "database.password_file", 2,
                  "expected an absolute path or a credential name"});
}

TEST(ConfigProblems, PasswordFileMayNameASystemdCredential) {
  auto loaded = load_string("database:\n  password_file: db-password\n", "1");
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->database.password_file, "db-password");
}

TEST(ConfigProblems, UserAgentCannotInjectHeaders) {
  const problem p = only_problem("fetch:\n  user_agent: \"feedd\\r\\nX-Evil: 1\"\n");
  EXPECT_EQ(p.key, "fetch.user_agent");
  EXPECT_TRUE(contains(p.message, "control characters"));
  // The message itself stays on one line.
  EXPECT_EQ(p.message.find_first_of("\r\n"), std::string::npos);
  expect_problem({"fetch:\n  user_agent: ''\n", "fetch.user_agent", 2, "must not be empty"});
}

TEST(ConfigProblems, DatabaseUrlIsNeverEchoed) {
  const problem p = only_problem("database:\n  url: [\"postgresql://feedd:hunter2@db/feeds\"]\n");
  EXPECT_EQ(p.key, "database.url");
  EXPECT_FALSE(contains(p.message, "hunter2"));
}

TEST(ConfigProblems, ProxyIsAnHttpUrlAndItsPasswordIsNeverEchoed) {
  for (const char* value : {"https://feedd:hunter2@proxy:3128", "http://feedd:hunter2@proxy:3128/path",
                            "http://feedd:hunter2@", "socks5://feedd:hunter2@proxy:1080", "http://feedd:hunter2 @p:1"}) {
    SCOPED_TRACE(value);
    const problem p = only_problem("fetch:\n  proxy: \"" + std::string(value) + "\"\n");
    EXPECT_EQ(p.key, "fetch.proxy");
    EXPECT_EQ(p.line, 2);
    EXPECT_TRUE(contains(p.message, "http://[user:pass@]host:port")) << p.message;
    EXPECT_FALSE(contains(p.message, "hunter2")) << p.message;
  }
  for (const char* value : {"", "http://proxy.example:3128", "http://u:p@[::1]:3128/", "http://10.0.0.1"}) {
    EXPECT_TRUE(load_string("fetch:\n  proxy: \"" + std::string(value) + "\"\n", "1")) << value;
  }
}

TEST(ConfigProblems, SyntaxErrorIsOneProblemWithYamlCppsPosition) {
  const problem p = only_problem("fetch:\n  threads: 2\n  timeout: [3s\nlog:\n  level: info\n");
  // yaml-cpp notices the unclosed flow sequence where the next key starts.
  EXPECT_EQ(p.key, "");
  EXPECT_EQ(p.line, 4);
  EXPECT_TRUE(contains(p.message, "invalid YAML: end of sequence flow not found")) << p.message;
  expect_problem({"fetch:\n  threads: 2\n timeout: 3s\n", "", 3, "invalid YAML: "});
}

TEST(ConfigProblems, SecondYamlDocumentIsAnError) {
  expect_problem({"fetch:\n  threads: 2\n---\nfetch:\n  threads: 3\n", "", 3, "expected one YAML document"});
}

TEST(ConfigProblems, StrayCommaIsAnErrorNotAHang) {
  // YAML::LoadAll loops forever, allocating, on these (yaml-cpp issue #1040);
  // YAML::Load alone would accept "," as an empty document.
  for (const char* yaml : {",", "---\n,\n", "&a ,", "fetch:\n  threads: 2\n...\n,\n"}) {
    const auto problems = problems_of(yaml);
    ASSERT_EQ(problems.size(), 1u) << yaml;
    EXPECT_TRUE(contains(problems.front().message, "YAML")) << problems.front().message;
  }
}

TEST(ConfigProblems, DeepNestingIsAnErrorNotAStackOverflow) {
  const problem p = only_problem(std::string(100'000, '['));
  EXPECT_EQ(p.key, "");
  EXPECT_TRUE(contains(p.message, "invalid YAML: nested")) << p.message;
}

TEST(ConfigProblems, KeyThatIsNotANameIsAnError) {
  expect_problem({"fetch:\n  ? [a, b]\n  : 1\n", "fetch", 2, "keys must be names, got a sequence"});
}

TEST(ConfigProblems, EveryProblemIsCollected) {
  const auto problems =
      problems_of(feedd::test::read_file(feedd::test::source_dir() / "tests/config/data/many_problems.yaml"));
  struct where {
    std::string key;
    int line;
  };
  const std::vector<where> expected_problems{
      {"database.migrate", 2}, {"fetch.threads", 4},   {"fetch.pool_sise", 5}, {"fetch.timeout", 6},
      {"fetch.tls_verify", 7}, {"fetch.max_body", 8},  {"queue.capacity", 10}, {"schedule.interval", 13},
      {"log.level", 15},
  };
  ASSERT_EQ(problems.size(), expected_problems.size());
  for (std::size_t i = 0; i < problems.size(); ++i) {
    EXPECT_EQ(problems[i].key, expected_problems[i].key) << i;
    EXPECT_EQ(problems[i].line, expected_problems[i].line) << i;
  }
}

}  // namespace
}  // namespace feedd::config
