// The live families of /metrics (live_metrics.hpp), /healthz and /readyz.
#include <chrono>
#include <string>

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "health.hpp"
#include "live_metrics.hpp"
#include "metrics_format.hpp"
#include "process_stats.hpp"

namespace feedd::daemon {
namespace {

using namespace std::chrono_literals;

// The lines of one family, from its HELP to the next family's.
std::string family(const std::string& text, const std::string& name) {
  const auto start = text.find("# HELP " + name + " ");
  if (start == std::string::npos) return "";
  const auto end = text.find("# HELP ", start + 1);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

TEST(Histogram, CountsEachValueInTheFirstBucketItFitsAndAboveTheLastInInf) {
  histogram h({0.25, 1});
  for (double v : {0.0625, 0.25, 0.5, 3.0}) h.observe(v);
  EXPECT_EQ(h.counts, (std::vector<std::int64_t>{2, 1, 1}));
  EXPECT_EQ(h.count, 4);
  EXPECT_EQ(h.sum, 3.8125);
}

TEST(RenderPrometheus, WritesHistogramsWithCumulativeBucketsInfSumAndCount) {
  metrics_snapshot s;
  s.live.fetch_duration = histogram({0.25, 1});
  for (double v : {0.0625, 0.25, 0.5, 3.0}) s.live.fetch_duration.observe(v);
  EXPECT_EQ(family(render_prometheus(s, "v"), "feedd_fetch_duration_seconds"),
            "# HELP feedd_fetch_duration_seconds Time of one fetch, redirects included.\n"
            "# TYPE feedd_fetch_duration_seconds histogram\n"
            "feedd_fetch_duration_seconds_bucket{le=\"0.25\"} 2\n"
            "feedd_fetch_duration_seconds_bucket{le=\"1\"} 3\n"
            "feedd_fetch_duration_seconds_bucket{le=\"+Inf\"} 4\n"
            "feedd_fetch_duration_seconds_sum 3.8125\n"
            "feedd_fetch_duration_seconds_count 4\n");
}

TEST(RenderPrometheus, WritesTheLiveStateOfTheDatabaseFetchesFeedsAndProcess) {
  metrics_snapshot s;
  s.live.database_up = false;
  s.live.database_reconnects = 2;
  s.live.last_store_at = 1700000000.5;
  s.live.fetches_by_class = {1, 0, 7, 3, 2, 4};
  s.live.wire_bytes = 12345;
  s.live.resident_bytes = 4096;
  s.live.open_descriptors = 9;
  auto text = render_prometheus(s, "v");
  EXPECT_NE(text.find("\nfeedd_database_up 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nfeedd_database_reconnects_total 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nfeedd_last_store_success_timestamp_seconds 1700000000.5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nfeedd_fetch_responses_total{class=\"none\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nfeedd_fetch_responses_total{class=\"5xx\"} 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nfeedd_fetch_wire_bytes_total 12345\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nprocess_resident_memory_bytes 4096\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nprocess_open_fds 9\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("feedd_feeds"), std::string::npos) << "no count yet, no family\n" << text;
  s.live.feeds = feed_state_counts{5, 2, 1, 3};
  text = render_prometheus(s, "v");
  EXPECT_EQ(family(text, "feedd_feeds").substr(family(text, "feedd_feeds").find("\nfeedd_feeds{") + 1),
            "feedd_feeds{state=\"ok\"} 5\nfeedd_feeds{state=\"failing\"} 2\nfeedd_feeds{state=\"disabled\"} 1\n"
            "feedd_feeds{state=\"due\"} 3\n");
}

TEST(LiveMetrics, FetchesAreCountedByStatusClassWithTheirBytesAndTime) {
  const auto before = read_live_state();
  record_fetch(200, 1000, 120ms);
  record_fetch(304, 0, 20ms);
  record_fetch(503, 10, 40ms);
  record_fetch(0, 0, 10s);
  const auto after = read_live_state();
  EXPECT_EQ(after.fetches_by_class[2] - before.fetches_by_class[2], 1);
  EXPECT_EQ(after.fetches_by_class[3] - before.fetches_by_class[3], 1);
  EXPECT_EQ(after.fetches_by_class[5] - before.fetches_by_class[5], 1);
  EXPECT_EQ(after.fetches_by_class[0] - before.fetches_by_class[0], 1);
  EXPECT_EQ(after.wire_bytes - before.wire_bytes, 1010);
  EXPECT_EQ(after.fetch_duration.count - before.fetch_duration.count, 4);
}

TEST(LiveMetrics, TheDatabaseIsDownFromTheFirstFailureUntilAStepSucceeds) {
  record_database_up(false);
  const auto down = read_live_state();
  EXPECT_FALSE(down.database_up);
  EXPECT_GT(down.database_down_since, 0);
  record_database_up(false);  // a later failure of the same outage keeps its start
  EXPECT_EQ(read_live_state().database_down_since, down.database_down_since);
  record_store_step(3ms, true);
  const auto up = read_live_state();
  EXPECT_TRUE(up.database_up);
  EXPECT_EQ(up.database_down_since, 0);
  EXPECT_GT(up.last_store_at, 0);
  ASSERT_TRUE(up.last_step_age_s.has_value());
  EXPECT_LT(*up.last_step_age_s, 5);
}

TEST(ProcessStats, ReadsResidentMemoryAndCountsADescriptorOpened) {
  const auto before = read_process_stats();
  EXPECT_GT(before.resident_bytes, 1024 * 1024);
  const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(read_process_stats().open_descriptors, before.open_descriptors + 1);
  ::close(fd);
}

TEST(Readiness, ReadyWithTheDatabaseUpAndARecentStep) {
  live_state s;
  s.database_up = true;
  s.last_step_age_s = 1.04;
  const auto r = readiness(s);
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.body, R"({"status":"ready","database":"up","last_store_step_age_s":1.0})" "\n");
}

TEST(Readiness, NotReadyWhileTheDatabaseIsDownSayingSinceWhen) {
  live_state s;
  s.database_down_since = 1796558400;  // 2026-12-06T12:00:00Z
  s.last_step_age_s = 41.26;
  const auto r = readiness(s);
  EXPECT_FALSE(r.ok);
  const auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["status"], "not ready");
  EXPECT_EQ(body["database"], "down since 2026-12-06T12:00:00Z");
  EXPECT_EQ(body["last_store_step_age_s"], 41.3);
  EXPECT_EQ(body["reasons"], nlohmann::json::parse(R"(["database down","no store step for over 30s"])"));
}

TEST(Readiness, NotReadyBeforeTheFirstStepOrWhenTheLastIsTooOld) {
  live_state s;
  s.database_up = true;
  EXPECT_FALSE(readiness(s).ok);
  EXPECT_NE(readiness(s).body.find("no store step yet"), std::string::npos);
  s.last_step_age_s = 30.5;
  EXPECT_FALSE(readiness(s).ok);
  s.last_step_age_s = 29.5;
  EXPECT_TRUE(readiness(s).ok);
}

TEST(Liveness, AnswersOk) {
  EXPECT_TRUE(liveness().ok);
  EXPECT_EQ(liveness().body, "{\"status\":\"ok\"}\n");
}

}  // namespace
}  // namespace feedd::daemon
