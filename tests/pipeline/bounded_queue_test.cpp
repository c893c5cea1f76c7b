#include "bounded_queue.hpp"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace feedd::daemon {
namespace {

using std::chrono::milliseconds;

TEST(BoundedQueue, RefusesDocumentsBeyondCapacity) {
  bounded_queue<int> q(2);
  EXPECT_TRUE(q.try_push(1));
  EXPECT_TRUE(q.try_push(2));
  EXPECT_TRUE(q.full());
  EXPECT_FALSE(q.try_push(3));
  EXPECT_EQ(q.pop_for(milliseconds(0)), 1);
  EXPECT_FALSE(q.full());
  EXPECT_TRUE(q.try_push(3));
}

TEST(BoundedQueue, RefusedItemIsLeftIntactWithTheCaller) {
  bounded_queue<std::string> q(1);
  EXPECT_TRUE(q.try_push(std::string("first")));
  std::string second = "second document";
  EXPECT_FALSE(q.try_push(std::move(second)));
  EXPECT_EQ(second, "second document");
  EXPECT_EQ(q.pop_for(milliseconds(0)), "first");
  EXPECT_TRUE(q.try_push(std::move(second)));
  EXPECT_EQ(q.pop_for(milliseconds(0)), "second document");
}

TEST(BoundedQueue, ControlMessagesBypassCapacityAndKeepOrder) {
  bounded_queue<int> q(1);
  EXPECT_TRUE(q.try_push(1));
  q.push_control(100);
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.pop_for(milliseconds(0)), 1);
  EXPECT_EQ(q.pop_for(milliseconds(0)), 100);
  EXPECT_TRUE(q.empty());
}

TEST(BoundedQueue, TakeControlLeavesDocumentsInPlace) {
  bounded_queue<int> q(4);
  q.try_push(1);
  q.push_control(100);
  q.try_push(2);
  EXPECT_EQ(q.take_control(), 100);
  EXPECT_EQ(q.take_control(), std::nullopt);
  EXPECT_EQ(q.pop_for(milliseconds(0)), 1);
  EXPECT_EQ(q.pop_for(milliseconds(0)), 2);
}

TEST(BoundedQueue, TakeControlForWakesForAControlMessageOnly) {
  bounded_queue<std::string> q(4);
  EXPECT_TRUE(q.try_push(std::string("doc")));
  // A document is not what it waits for.
  EXPECT_EQ(q.take_control_for(milliseconds(20)), std::nullopt);
  std::thread signaller([&] {
    std::this_thread::sleep_for(milliseconds(50));
    q.push_control("stop");
  });
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(q.take_control_for(milliseconds(10'000)), "stop");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  signaller.join();
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.pop_for(milliseconds(0)), "doc");
}

TEST(BoundedQueue, PopTimesOutWhenEmpty) {
  bounded_queue<int> q(1);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(q.pop_for(milliseconds(50)), std::nullopt);
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(45));
}

TEST(BoundedQueue, DeliversEveryItemOnceAcrossThreads) {
  bounded_queue<int> q(8);
  constexpr int total = 20000;
  std::atomic<long> sum{0};
  std::thread consumer([&] {
    for (int got = 0; got < total;) {
      if (auto v = q.pop_for(milliseconds(1000))) {
        sum += *v;
        ++got;
      } else {
        break;
      }
    }
  });
  for (int i = 1; i <= total;) {
    if (q.try_push(int{i})) ++i;
    else std::this_thread::yield();
  }
  consumer.join();
  EXPECT_EQ(sum.load(), static_cast<long>(total) * (total + 1) / 2);
}

}  // namespace
}  // namespace feedd::daemon
