// Several instances on one database at scale (issue 11): three real `feedd
// run` processes share 3,000 feeds on one big host and 18 small ones, each
// host a loopback address of its own served by hostfarm.py, which counts
// every request by path and by User-Agent (one per instance) and measures
// how many requests each instance has in flight to each host.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "daemon_harness.hpp"
#include "host_farm.hpp"
#include "support/paths.hpp"

namespace feedd::test {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

constexpr int big_feeds = 1500;
constexpr int small_hosts = 18;  // 127.0.0.3 .. 127.0.0.20
constexpr int small_feeds = 1500;
constexpr int total_feeds = big_feeds + small_feeds;
constexpr int max_per_host = 4;
constexpr int entries = 1;  // items per feed in the first generation
constexpr auto lease = 5s;

std::vector<host_farm::host> farm_hosts() {
  // The big host answers 10 ms late so that each instance keeps its
  // connections there busy: its cap is reached, and would be exceeded.
  std::vector<host_farm::host> hosts = {{"127.0.0.2", 10}};
  for (int i = 0; i < small_hosts; ++i) hosts.push_back({"127.0.0." + std::to_string(3 + i), 0});
  return hosts;
}

// One feedd process with a config (and User-Agent) of its own.
struct instance {
  std::string name;
  std::filesystem::path config;
  std::filesystem::path log;
  std::optional<process> proc;

  std::string agent() const { return "feedd-test-" + name; }
  void start(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {feedd_binary().string(), "--config", config.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    proc.emplace(process::options{argv, {}, {"JOURNAL_STREAM", "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"}, "", log});
  }
};

int count(test_database& db, const std::string& sql) { return std::stoi(db.scalar(sql)); }

template <class Done>
void poll_until(Done done, std::chrono::milliseconds limit) {
  for (const auto deadline = steady::now() + limit; steady::now() < deadline && !done();) {
    std::this_thread::sleep_for(50ms);
  }
}

class Instances : public ::testing::Test {
 protected:
  Instances() : harness_("instances"), farm_(farm_hosts(), entries) {
    std::vector<std::string> urls;
    for (int i = 0; i < big_feeds; ++i) urls.push_back(farm_.url(0, "b" + std::to_string(i)));
    for (int i = 0; i < small_feeds; ++i) urls.push_back(farm_.url(1 + i % small_hosts, "s" + std::to_string(i)));
    for (const std::string name : {"a", "b", "c"}) {
      // max_concurrent above what the caps allow (19 hosts x 4), so that
      // only the per-host cap bounds what is in flight.
      harness_.write_config("  max_per_host: " + std::to_string(max_per_host) +
                                "\n  max_concurrent: 96\n  timeout: 3s\n  user_agent: feedd-test-" + name + "\n",
                            "schedule:\n  lease: 5s\n  interval: 1h\n");
      const auto config = harness_.dir() / (name + ".yaml");
      write_file(config, read_file(harness_.config_path()));
      instances_.push_back({name, config, harness_.dir() / (name + ".log"), std::nullopt});
    }
    harness_.add_feeds(urls);
  }

  std::string logs() const {
    std::string out;
    for (const auto& i : instances_) {
      const auto text = read_file(i.log);
      out += "--- " + i.name + " (last 3000 bytes)\n" + text.substr(text.size() > 3000 ? text.size() - 3000 : 0);
    }
    return out;
  }

  // Requests per feed path (all instances together) and per instance.
  struct tally {
    std::map<std::string, int> per_path;
    std::map<std::string, std::map<std::string, int>> per_path_agent;
    std::map<std::string, int> per_agent;
  };
  tally requests() const {
    tally t;
    const auto s = farm_.stats();
    for (const auto& [path, agents] : s.at("hits").items()) {
      for (const auto& [agent, n] : agents.items()) {
        t.per_path[path] += n.get<int>();
        t.per_path_agent[path][agent] += n.get<int>();
        t.per_agent[agent] += n.get<int>();
      }
    }
    return t;
  }

  // The cap holds per instance, measured by the server, on every host; on
  // the big host it is also reached, which is what makes the bound mean
  // something.
  void expect_per_host_cap_held() const {
    const auto s = farm_.stats();
    for (const auto& [host, h] : s.at("hosts").items()) {
      for (const auto& [agent, peak] : h.at("peak_by_agent").items()) {
        EXPECT_LE(peak.get<int>(), max_per_host) << host << " " << agent;
      }
    }
    int reached = 0;
    for (const auto& [agent, peak] : s.at("hosts").at(farm_.hosts()[0]).at("peak_by_agent").items()) {
      reached = std::max(reached, peak.get<int>());
    }
    EXPECT_EQ(reached, max_per_host) << "the big host never had a full set of connections busy";
  }

  // Cycle 1: every feed fetched once, by the server's count; each instance
  // fetched a real share (an even one is 1,000; a tenth of the feeds is a
  // floor no instance that took part misses).
  void expect_each_fetched_once_and_shared() const {
    const auto t = requests();
    EXPECT_EQ(t.per_path.size(), static_cast<std::size_t>(total_feeds));
    for (const auto& [path, n] : t.per_path) EXPECT_EQ(n, 1) << path;
    for (const auto& i : instances_) {
      const int share = t.per_agent.count(i.agent()) ? t.per_agent.at(i.agent()) : 0;
      std::printf("cycle 1: %s fetched %d feeds\n", i.agent().c_str(), share);
      EXPECT_GT(share, total_feeds / 10) << i.agent() << " fetched too few";
    }
  }

  // Every feed holds exactly what the server published when it was last
  // fetched: its own guids, entries + generation - 1 of them, none twice;
  // the big host's feeds were last fetched in `big_generation`, the others
  // in the first.
  void expect_entries_as_published(int big_generation) {
    auto& db = harness_.db();
    const int big_per_feed = entries + big_generation - 1;
    EXPECT_EQ(count(db, "SELECT count(*) FROM feeds f WHERE (SELECT count(*) FROM entries e WHERE e.feed_id = f.id"
                        " AND e.guid LIKE regexp_replace(f.url, '^.*/f/(.*)\\.xml$', '\\1') || '/%') <>"
                        " CASE WHEN f.host = '" + farm_.hosts()[0] + "' THEN " + std::to_string(big_per_feed) +
                            " ELSE " + std::to_string(entries) + " END"),
              0);
    EXPECT_EQ(count(db, "SELECT count(*) FROM entries"), big_feeds * big_per_feed + small_feeds * entries);
    EXPECT_EQ(count(db, "SELECT count(*) - count(DISTINCT (feed_id, guid)) FROM entries"), 0);
  }

  // Cycle 2 (after cycle 1, the big host's feeds only): each of them
  // fetched once more, and a second time only what `victim` had claimed
  // when it died (its answers never reached the database): at most
  // `orphaned` feeds.
  void expect_refetched_only_what_the_victim_held(const instance& victim, int orphaned) const {
    const auto t = requests();
    EXPECT_EQ(t.per_path.size(), static_cast<std::size_t>(total_feeds));
    int refetched = 0;
    for (const auto& [path, n] : t.per_path) {
      if (!path.starts_with(farm_.hosts()[0] + "/")) {
        EXPECT_EQ(n, 1) << path << " is not on the big host, which alone was due again";
        continue;
      }
      EXPECT_TRUE(n == 2 || n == 3) << path << " fetched " << n << " times in two cycles";
      if (n != 3) continue;
      ++refetched;
      EXPECT_EQ(t.per_path_agent.at(path).count(victim.agent()), 1u) << path;
    }
    EXPECT_LE(refetched, orphaned);
  }

  // SIGKILLs instances_[1] once a third of the cycle that started at
  // `cycle_start` (database time, the big host's feeds) is stored; the
  // number of feeds it held.
  int kill_one_mid_cycle(const std::string& cycle_start) {
    auto& db = harness_.db();
    const std::string checked = "SELECT count(*) FROM feeds WHERE last_checked_at > '" + cycle_start + "'";
    poll_until([&] { return count(db, checked) >= big_feeds / 3; }, 30s);
    EXPECT_LT(count(db, checked), big_feeds) << "the cycle ended before the kill" << logs();
    auto& victim = instances_[1];
    const pid_t pid = victim.proc->pid();
    victim.proc->signal(SIGKILL);
    EXPECT_TRUE(victim.proc->wait_for(5s).has_value());
    orphans_sql_ = "SELECT count(*) FROM feeds WHERE claimed_by LIKE '%:" + std::to_string(pid) +
                   "' AND lease_until IS NOT NULL";
    return count(db, orphans_sql_);
  }

  daemon_harness harness_;
  host_farm farm_;
  std::vector<instance> instances_;
  std::string orphans_sql_;  // feeds the killed instance still holds
};

long long ms(steady::duration d) {
  return static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

// A cycle (three `run --once` started together) fetches every feed exactly
// once, counted by the server, each instance a real share, never more than
// max_per_host in flight from one instance to one host. Then a second cycle
// (the big host's feeds) of three daemons, one SIGKILLed a third of the way: the feeds it held are
// fetched by the others once its lease has run out, and every feed ends up
// with every entry the server published, none twice.
TEST_F(Instances, ThreeShareACycleAndTheFeedsOfAKilledOneAreTakenOverAfterItsLease) {
  auto& db = harness_.db();
  const auto started = steady::now();
  for (auto& i : instances_) i.start({"run", "--once"});
  // A bound, not a target (the cycle takes ~10 s idle): CI runs it beside
  // other tests on 2 cores, where it has taken over 60 s.
  for (auto& i : instances_) ASSERT_EQ(i.proc->wait_for(120s), 0) << logs();
  std::printf("cycle 1: %d feeds in %lld ms\n", total_feeds, ms(steady::now() - started));
  expect_each_fetched_once_and_shared();
  expect_per_host_cap_held();
  EXPECT_EQ(count(db, "SELECT count(*) FROM feeds WHERE last_status = 200 AND lease_until IS NULL"), total_feeds);
  expect_entries_as_published(1);

  // Cycle 2: one more entry per feed, the big host's 1,500 feeds due again
  // (all 3,000 would take the test past its time on a loaded machine).
  farm_.publish(2);
  const std::string cycle_start = db.scalar("SELECT now()");
  db.exec("UPDATE feeds SET next_check_at = now() WHERE host = '" + farm_.hosts()[0] + "'");
  for (auto& i : instances_) i.start({"run"});
  const int orphaned = kill_one_mid_cycle(cycle_start);
  const auto killed_at = steady::now();
  EXPECT_GT(orphaned, 0) << "the killed instance held no claim";
  poll_until([&] { return count(db, orphans_sql_) == 0; }, 30s);
  const auto taken_over = steady::now() - killed_at;
  const std::string done = "SELECT count(*) FROM feeds WHERE lease_until IS NULL AND last_checked_at > '" + cycle_start + "'";
  poll_until([&] { return count(db, done) == big_feeds; }, 30s);
  std::printf("cycle 2: %d feeds held by the killed instance taken over %lld ms after the kill; all done at %lld ms\n",
              orphaned, ms(taken_over), ms(steady::now() - started));
  ASSERT_EQ(count(db, done), big_feeds) << logs();
  // Its leases had at most one lease left (renewed every third); the
  // others claim them when they run out (+ one claim and fetch).
  EXPECT_LT(taken_over, lease + 2s) << logs();
  for (auto i : {0, 2}) instances_[i].proc->signal(SIGTERM);
  for (auto i : {0, 2}) EXPECT_EQ(instances_[i].proc->wait_for(20s), 0) << logs();

  expect_entries_as_published(2);
  expect_refetched_only_what_the_victim_held(instances_[1], orphaned);
  expect_per_host_cap_held();
}

}  // namespace
}  // namespace feedd::test
