// Rate limits: a token bucket per key (an API token's id, a client's
// address), so one caller cannot take the node's whole capacity.
//
// Each key has a bucket of `burst` tokens that refills at `per_second`
// tokens a second; a request costs `cost` tokens (1, or e.g. the number of
// records in a batch) and is admitted if the bucket holds that many, which
// it then takes. A refused request takes nothing and learns `retry_after`:
// the exact wait after which the same request is admitted, if nothing else
// draws on the key meanwhile (HTTP 429 Retry-After, rounded up to seconds
// by the caller).
//
// The buckets are kept as a "theoretical arrival time" per key (GCRA, the
// Generic Cell Rate Algorithm, which behaves exactly like a token bucket):
// all arithmetic is on absl::Time/absl::Duration, so the answers are exact
// under a FakeClock and a request retried after `retry_after` is admitted.
//
// Memory: at most `max_keys` buckets are kept. A full bucket behaves like a
// key never seen, so full buckets are forgotten first when room is needed;
// if that is not enough, the fullest remaining buckets are forgotten (an
// eighth of the capacity at a time, so the cost stays amortised O(1)). A
// forgotten bucket starts full again: under churn of more than `max_keys`
// busy keys the limiter can admit a key early, never refuse it wrongly.
//
// Time comes from the injected clock. If it steps back, buckets refill
// later by that much (the limiter errs on refusing, never by more than the
// step).
//
// Thread-safety: Admit may be called from any thread. The buckets are
// split over shards by key hash, each with its own mutex held for one hash
// lookup and a few additions.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "util/clock.h"

namespace aisafe::server {

// InvalidArgument unless `per_second` and `burst` are finite and >= 0, and
// burst >= 1 when per_second > 0 (else no request could ever pass). For
// configuration parsers; the RateLimiter constructor requires valid values.
absl::Status CheckRateLimit(double per_second, double burst);

class RateLimiter {
 public:
  struct Decision {
    bool allowed = true;
    // Zero when allowed; absl::InfiniteDuration() when `cost` exceeds the
    // burst and can never be admitted (the caller should refuse the request
    // as too large rather than ask to retry).
    absl::Duration retry_after = absl::ZeroDuration();
  };

  // Default: 100,000 keys.
  static constexpr size_t kDefaultMaxKeys = 100000;

  // `per_second` 0 means unlimited: every request is admitted and nothing is
  // kept. Requires CheckRateLimit(per_second, burst).ok() and max_keys >= 1
  // (asserted in debug builds). `clock` is borrowed and must outlive the
  // limiter.
  RateLimiter(double per_second, double burst, const util::Clock* clock, size_t max_keys = kDefaultMaxKeys);
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Admits a request of `cost` tokens for `key` (cost <= 0 counts as 0 and
  // is always admitted).
  Decision Admit(std::string_view key, double cost = 1);

  bool IsUnlimited() const { return unlimited_; }
  // Buckets kept now (at most max_keys).
  size_t size() const;

 private:
  struct Shard {
    absl::Mutex mu;
    // Key -> the time at which its bucket is full again (GCRA's theoretical
    // arrival time). A bucket whose time is <= now is full.
    absl::flat_hash_map<std::string, absl::Time> full_at ABSL_GUARDED_BY(mu);
  };

  // Makes room for one more key in `shard` (which is at capacity).
  void Evict(Shard& shard, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);

  const bool unlimited_;
  const absl::Duration interval_;   // Refill time of one token: 1 s / per_second.
  const absl::Duration tolerance_;  // Refill time of a whole bucket: burst * interval_.
  const double burst_;
  const util::Clock* const clock_;
  const size_t shard_count_;
  const size_t shard_capacity_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace aisafe::server
