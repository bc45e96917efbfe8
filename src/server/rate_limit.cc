#include "server/rate_limit.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <functional>
#include <utility>
#include <vector>

#include "util/strings.h"

namespace aisafe::server {
namespace {

// Shards for a limiter of `max_keys`: one for small limiters (exact
// behaviour, for tests and tiny configurations), up to 16 for large ones.
size_t ShardCount(size_t max_keys) { return std::clamp<size_t>(max_keys / 1024, 1, 16); }

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

absl::Status CheckRateLimit(double per_second, double burst) {
  if (!std::isfinite(per_second) || per_second < 0) {
    return absl::InvalidArgumentError(
        util::StrCat("rate limit ", Number(per_second), "/s must be a finite number >= 0 (0: unlimited)"));
  }
  if (!std::isfinite(burst) || burst < 0) {
    return absl::InvalidArgumentError(util::StrCat("burst ", Number(burst), " must be a finite number >= 0"));
  }
  if (per_second > 0 && burst < 1) {
    return absl::InvalidArgumentError(
        util::StrCat("burst ", Number(burst), " must be at least 1 when the rate is limited, or nothing passes"));
  }
  return absl::OkStatus();
}

RateLimiter::RateLimiter(double per_second, double burst, const util::Clock* clock, size_t max_keys)
    : unlimited_(!(per_second > 0) || !std::isfinite(per_second)),
      interval_(unlimited_ ? absl::ZeroDuration() : absl::Seconds(1) / per_second),
      tolerance_(unlimited_ ? absl::ZeroDuration() : interval_ * burst),
      burst_(burst),
      clock_(clock),
      shard_count_(ShardCount(std::max<size_t>(max_keys, 1))),
      shard_capacity_(std::max<size_t>(max_keys, 1) / shard_count_),
      shards_(std::make_unique<Shard[]>(shard_count_)) {
  assert(CheckRateLimit(per_second, burst).ok());
  assert(max_keys >= 1);
}

RateLimiter::Decision RateLimiter::Admit(std::string_view key, double cost) {
  if (unlimited_) return {};
  const absl::Duration increment = cost > 0 ? interval_ * cost : absl::ZeroDuration();
  if (increment > tolerance_) return {.allowed = false, .retry_after = absl::InfiniteDuration()};
  const absl::Time now = clock_->Now();
  Shard& shard = shards_[std::hash<std::string_view>{}(key) % shard_count_];
  absl::MutexLock lock(&shard.mu);
  auto it = shard.full_at.find(absl::string_view(key.data(), key.size()));
  // Token bucket as GCRA: the bucket holds (tolerance - (full_at - now)) /
  // interval tokens; taking `cost` moves full_at by cost * interval, which
  // is allowed while full_at stays within `tolerance` of now.
  const absl::Time full_at = it == shard.full_at.end() ? now : std::max(it->second, now);
  const absl::Time next = full_at + increment;
  const absl::Time admit_at = next - tolerance_;
  if (admit_at > now) return {.allowed = false, .retry_after = admit_at - now};
  if (it != shard.full_at.end()) {
    it->second = next;
  } else if (increment > absl::ZeroDuration()) {  // A key that took nothing stays a full bucket: keep nothing.
    if (shard.full_at.size() >= shard_capacity_) Evict(shard, now);
    shard.full_at.try_emplace(std::string(key), next);
  }
  return {};
}

void RateLimiter::Evict(Shard& shard, absl::Time now) {
  // Full buckets carry no state: forgetting them changes nothing.
  absl::erase_if(shard.full_at, [now](const auto& entry) { return entry.second <= now; });
  const size_t room = std::max<size_t>(1, shard_capacity_ / 8);
  if (shard.full_at.size() + room <= shard_capacity_) return;
  // Still too full: forget the buckets closest to full, enough to leave
  // `room` free, so the next `room` new keys need no scan.
  const size_t drop = shard.full_at.size() + room - shard_capacity_;
  std::vector<std::pair<absl::Time, const std::string*>> by_time;
  by_time.reserve(shard.full_at.size());
  for (const auto& [k, t] : shard.full_at) by_time.emplace_back(t, &k);
  std::nth_element(by_time.begin(), by_time.begin() + static_cast<std::ptrdiff_t>(drop - 1), by_time.end());
  std::vector<std::string> victims;
  victims.reserve(drop);
  for (size_t i = 0; i < drop; ++i) victims.push_back(*by_time[i].second);
  for (const std::string& k : victims) shard.full_at.erase(k);
}

size_t RateLimiter::size() const {
  size_t n = 0;
  for (size_t i = 0; i < shard_count_; ++i) {
    absl::MutexLock lock(&shards_[i].mu);
    n += shards_[i].full_at.size();
  }
  return n;
}

}  // namespace aisafe::server
