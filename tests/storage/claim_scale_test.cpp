#include <chrono>
#include <functional>
#include <set>

#include <nlohmann/json.hpp>

#include "host_claims.hpp"
#include "lease.hpp"
#include "session.hpp"
#include "storage_fixture.hpp"

// Claim and finish stay index-driven however many feeds there are. Kept to
// 200,000 feeds over 20,000 hosts so that the suite stays fast; bench/
// claim_bench measures 10,000 against 1,000,000.
namespace feedd::test {
namespace {

constexpr int feeds = 200'000;
constexpr int hosts = 20'000;

// "Node Type on relation (index)" of every node of an EXPLAIN (FORMAT JSON)
// plan, subplans and CTEs included.
std::multiset<std::string> scans(storage::database& db, const std::string& sql, const storage::pq::params& p) {
  auto r = db.internals().exec("explain", ("EXPLAIN (FORMAT JSON) " + sql).c_str(), p);
  if (!r) throw std::runtime_error(r.error().message);
  const auto plan = nlohmann::json::parse(storage::pq::text(r->get(), 0, 0));
  std::multiset<std::string> out;
  std::function<void(const nlohmann::json&)> walk = [&](const nlohmann::json& node) {
    if (node.contains("Relation Name")) {
      std::string scan = node.at("Node Type").get<std::string>() + " on " + node.at("Relation Name").get<std::string>();
      if (node.contains("Index Name")) scan += " (" + node.at("Index Name").get<std::string>() + ")";
      out.insert(scan);
    }
    if (node.contains("Plans")) {
      for (const auto& child : node.at("Plans")) walk(child);
    }
  };
  walk(plan.at(0).at("Plan"));
  return out;
}

std::string joined(const std::multiset<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += item + "\n";
  return out;
}

bool has_seq_scan_on_feeds(const std::multiset<std::string>& plan) {
  return plan.contains("Seq Scan on feeds");
}

bool has_seq_scan(const std::multiset<std::string>& plan) {
  for (const auto& scan : plan) {
    if (scan.starts_with("Seq Scan")) return true;
  }
  return false;
}

TEST(StorageClaimScale, ClaimFinishAndNextDueStayIndexDrivenOnTwoHundredThousandFeeds) {
  test_database t{"claim scale"};
  auto db = open_migrated(t);
  // Each host has 10 feeds, 2 of them due: feeds of one host are spread
  // over the table as they would be after years of adds.
  t.exec("INSERT INTO feeds (url, next_check_at) SELECT 'https://h' || (i % " + std::to_string(hosts) +
         ") || '.example/feed/' || i, now() + (i / " + std::to_string(hosts) +
         " - 1) * interval '10 minutes' FROM generate_series(0, " + std::to_string(feeds - 1) + ") AS i");
  t.exec("ANALYZE feeds");
  t.exec("ANALYZE feed_hosts");
  ASSERT_EQ(t.scalar("SELECT count(*) FROM feed_hosts"), std::to_string(hosts));

  storage::pq::params claim_params;
  claim_params.integer(100).integer(2).integer(300).text("test").text("{\"h1.example:443\": 1}");
  const auto claim_plan = scans(db, storage::host_claim_sql(), claim_params);
  EXPECT_FALSE(has_seq_scan(claim_plan)) << joined(claim_plan);
  EXPECT_TRUE(claim_plan.contains("Index Scan on feeds (feeds_host_due_idx)")) << joined(claim_plan);
  EXPECT_TRUE(claim_plan.contains("Index Scan on feed_hosts (feed_hosts_due_idx)")) << joined(claim_plan);

  // The finishing UPDATE, as finish_not_modified/finish_fetched build it.
  const std::string finish = storage::finish_success_sql("next_check_at = now(), lease_until = NULL", 3);
  storage::pq::params finish_params;
  finish_params.integer(1).integer(1).text("https://moved.example/feed");
  const auto finish_plan = scans(db, finish, finish_params);
  EXPECT_FALSE(has_seq_scan_on_feeds(finish_plan)) << joined(finish_plan);

  // feed_hosts may be read whole when most hosts are due; feeds never.
  const auto due_plan = scans(db, storage::next_due_in_statement(), {});
  EXPECT_FALSE(has_seq_scan_on_feeds(due_plan)) << joined(due_plan);

  // And the claim does what it says at this size.
  auto claims = storage::claim_due(db, {100, 2, 300s, "test"}, {{"h1.example:443", 1}});
  ASSERT_TRUE(claims.has_value()) << claims.error().message;
  ASSERT_EQ(claims->size(), 100u);
  std::set<std::string> claimed_hosts;
  for (const auto& c : *claims) claimed_hosts.insert(c.host);
  EXPECT_EQ(claimed_hosts.size(), 51u) << "49 hosts give 2, h1 gives 1 (it holds one), one more gives 1";
  auto due = storage::next_due_in(db);
  ASSERT_TRUE(due.has_value()) << due.error().message;
  EXPECT_EQ(*due, std::optional<std::chrono::seconds>(0s));
}

}  // namespace
}  // namespace feedd::test
