#include "server/rate_limit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "util/clock.h"

namespace aisafe::server {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1800000000);

bool Allowed(RateLimiter& limiter, std::string_view key, double cost = 1) { return limiter.Admit(key, cost).allowed; }

TEST(RateLimiter, BurstThenRefused) {
  util::FakeClock clock(kStart);
  RateLimiter limiter(1, 5, &clock);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(Allowed(limiter, "alice")) << i;
  RateLimiter::Decision d = limiter.Admit("alice");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after, absl::Seconds(1));
  // A refusal takes nothing: asking again gives the same answer.
  EXPECT_EQ(limiter.Admit("alice").retry_after, absl::Seconds(1));
}

TEST(RateLimiter, RefillsAtTheRateUpToTheBurst) {
  util::FakeClock clock(kStart);
  RateLimiter limiter(2, 4, &clock);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(Allowed(limiter, "k"));
  EXPECT_FALSE(Allowed(limiter, "k"));
  clock.Advance(absl::Milliseconds(1250));  // 2.5 tokens.
  EXPECT_TRUE(Allowed(limiter, "k"));
  EXPECT_TRUE(Allowed(limiter, "k"));
  RateLimiter::Decision d = limiter.Admit("k");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after, absl::Milliseconds(250));  // The half token left needs 0.25 s more.
  // A long idle time refills to the burst, not beyond.
  clock.Advance(absl::Hours(1));
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(Allowed(limiter, "k")) << i;
  EXPECT_FALSE(Allowed(limiter, "k"));
}

TEST(RateLimiter, RetryAfterIsExact) {
  util::FakeClock clock(kStart);
  RateLimiter limiter(4, 2, &clock);
  EXPECT_TRUE(Allowed(limiter, "k"));
  EXPECT_TRUE(Allowed(limiter, "k"));
  EXPECT_EQ(limiter.Admit("k").retry_after, absl::Milliseconds(250));
  clock.Advance(absl::Milliseconds(249));
  RateLimiter::Decision d = limiter.Admit("k");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after, absl::Milliseconds(1));
  clock.Advance(absl::Milliseconds(1));
  d = limiter.Admit("k");
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.retry_after, absl::ZeroDuration());
}

TEST(RateLimiter, WaitingRetryAfterAlwaysSucceedsEvenForAwkwardRates) {
  // 1/3 s and 1/7 s per token are not whole nanoseconds; waiting exactly
  // what the limiter said must still be enough, and not a tick more needed.
  for (double rate : {3.0, 7.0, 0.3, 1000.0 / 3}) {
    util::FakeClock clock(kStart);
    RateLimiter limiter(rate, 2, &clock);
    for (int round = 0; round < 50; ++round) {
      while (Allowed(limiter, "k")) {
      }
      absl::Duration wait = limiter.Admit("k").retry_after;
      ASSERT_GT(wait, absl::ZeroDuration());
      ASSERT_LT(wait, absl::InfiniteDuration());
      clock.Advance(wait - absl::Nanoseconds(1));
      EXPECT_FALSE(Allowed(limiter, "k")) << rate << " round " << round;
      clock.Advance(absl::Nanoseconds(1));
      EXPECT_TRUE(Allowed(limiter, "k")) << rate << " round " << round;
    }
  }
}

TEST(RateLimiter, KeysAreIndependent) {
  util::FakeClock clock(kStart);
  RateLimiter limiter(1, 2, &clock);
  EXPECT_TRUE(Allowed(limiter, "10.0.0.1"));
  EXPECT_TRUE(Allowed(limiter, "10.0.0.1"));
  EXPECT_FALSE(Allowed(limiter, "10.0.0.1"));
  EXPECT_TRUE(Allowed(limiter, "10.0.0.2"));
  EXPECT_TRUE(Allowed(limiter, "10.0.0.2"));
  EXPECT_FALSE(Allowed(limiter, "10.0.0.2"));
  EXPECT_TRUE(Allowed(limiter, "token:abc"));
  EXPECT_TRUE(Allowed(limiter, ""));  // The empty key is a key like any other.
  EXPECT_EQ(limiter.size(), 4u);
}

TEST(RateLimiter, CostsMoreThanOne) {
  util::FakeClock clock(kStart);
  RateLimiter limiter(10, 100, &clock);  // e.g. records per second, per token.
  EXPECT_TRUE(Allowed(limiter, "k", 100));
  RateLimiter::Decision d = limiter.Admit("k", 1);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after, absl::Milliseconds(100));
  clock.Advance(absl::Seconds(5));  // 50 tokens.
  d = limiter.Admit("k", 60);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after, absl::Seconds(1));  // 10 tokens short.
  EXPECT_TRUE(Allowed(limiter, "k", 50));
  EXPECT_FALSE(Allowed(limiter, "k", 0.5));
  EXPECT_TRUE(Allowed(limiter, "k", 0));  // Costs nothing: always admitted.
  EXPECT_TRUE(Allowed(limiter, "k", -3));
  clock.Advance(absl::Milliseconds(50));
  EXPECT_TRUE(Allowed(limiter, "k", 0.5));
}

TEST(RateLimiter, CostAboveTheBurstCanNeverPass) {
  util::FakeClock clock(kStart);
  RateLimiter limiter(10, 100, &clock);
  RateLimiter::Decision d = limiter.Admit("k", 101);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after, absl::InfiniteDuration());
  // And it took nothing.
  EXPECT_TRUE(Allowed(limiter, "k", 100));
  EXPECT_EQ(limiter.size(), 1u);
}

TEST(RateLimiter, ZeroRateIsUnlimited) {
  util::FakeClock clock(kStart);
  RateLimiter limiter(0, 0, &clock);
  EXPECT_TRUE(limiter.IsUnlimited());
  for (int i = 0; i < 10000; ++i) EXPECT_TRUE(Allowed(limiter, "k", 1e9));
  EXPECT_EQ(limiter.size(), 0u);
  EXPECT_FALSE(RateLimiter(1, 1, &clock).IsUnlimited());
}

TEST(RateLimiter, MemoryIsBounded) {
  util::FakeClock clock(kStart);
  RateLimiter limiter(1, 10, &clock, /*max_keys=*/100);
  for (int i = 0; i < 10000; ++i) {
    EXPECT_TRUE(Allowed(limiter, "client-" + std::to_string(i)));
    ASSERT_LE(limiter.size(), 100u);
  }
  EXPECT_GE(limiter.size(), 80u);  // Evicts in steps of an eighth, not everything.
  // A large limiter is sharded; the bound is still the total.
  RateLimiter big(1, 10, &clock, /*max_keys=*/5000);
  for (int i = 0; i < 50000; ++i) Allowed(big, "c" + std::to_string(i));
  EXPECT_LE(big.size(), 5000u);
  EXPECT_GE(big.size(), 4000u);
}

TEST(RateLimiter, FullBucketsAreForgottenFirstAndForgettingChangesNothing) {
  util::FakeClock clock(kStart);
  RateLimiter limiter(1, 2, &clock, /*max_keys=*/4);
  for (const char* k : {"a", "b", "c", "d"}) EXPECT_TRUE(Allowed(limiter, k, 2));
  EXPECT_EQ(limiter.size(), 4u);
  clock.Advance(absl::Seconds(2));  // All four are full again.
  EXPECT_TRUE(Allowed(limiter, "e", 2));
  EXPECT_EQ(limiter.size(), 1u);  // Only "e" holds state now.
  // The forgotten keys behave exactly as they would have: full buckets.
  for (const char* k : {"a", "b", "c"}) {
    EXPECT_TRUE(Allowed(limiter, k, 2)) << k;
    EXPECT_FALSE(Allowed(limiter, k)) << k;
  }
  EXPECT_FALSE(Allowed(limiter, "e"));  // Still drained: kept.
}

TEST(RateLimiter, WhenNoBucketIsFullTheFullestIsForgotten) {
  util::FakeClock clock(kStart);
  RateLimiter limiter(1, 2, &clock, /*max_keys=*/4);
  EXPECT_TRUE(Allowed(limiter, "empty", 2));      // 0 tokens left.
  EXPECT_TRUE(Allowed(limiter, "quarter", 1.5));  // 0.5 left.
  EXPECT_TRUE(Allowed(limiter, "half", 1));       // 1 left.
  EXPECT_TRUE(Allowed(limiter, "most", 0.5));     // 1.5 left: the fullest.
  EXPECT_TRUE(Allowed(limiter, "new", 1));        // Needs room: "most" goes.
  EXPECT_EQ(limiter.size(), 4u);
  EXPECT_FALSE(Allowed(limiter, "empty", 0.1));    // Kept.
  EXPECT_FALSE(Allowed(limiter, "quarter", 0.6));  // Kept.
  EXPECT_FALSE(Allowed(limiter, "half", 1.1));     // Kept.
  EXPECT_TRUE(Allowed(limiter, "most", 2));        // Forgotten: a full bucket again.
}

TEST(RateLimiter, ConcurrentCallersShareOneBucketExactly) {
  util::FakeClock clock(kStart);  // Time stands still: exactly `burst` requests pass.
  RateLimiter limiter(1, 1000, &clock);
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        if (Allowed(limiter, "shared")) ++allowed;
        Allowed(limiter, "own-" + std::to_string(t));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 1000);
  EXPECT_EQ(limiter.size(), 9u);
}

TEST(RateLimiter, CheckRateLimit) {
  EXPECT_TRUE(CheckRateLimit(0, 0).ok());
  EXPECT_TRUE(CheckRateLimit(10, 1).ok());
  EXPECT_TRUE(CheckRateLimit(0.5, 20).ok());
  EXPECT_FALSE(CheckRateLimit(-1, 10).ok());
  EXPECT_FALSE(CheckRateLimit(10, 0.5).ok());
  EXPECT_FALSE(CheckRateLimit(10, -1).ok());
  EXPECT_FALSE(CheckRateLimit(std::nan(""), 10).ok());
  EXPECT_FALSE(CheckRateLimit(INFINITY, 10).ok());
  EXPECT_FALSE(CheckRateLimit(10, INFINITY).ok());
  EXPECT_EQ(CheckRateLimit(10, 0.5).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace aisafe::server
