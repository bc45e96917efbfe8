// Time is an injected interface so tests can fix it (rocksdb's SystemClock).
#pragma once

#include <string>
#include <string_view>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace aisafe::util {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// The process-wide real clock. Owned by the library; never delete it.
const Clock& RealClock();

// A clock that returns a fixed time until moved; for tests.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time now) : now_(now) {}
  absl::Time Now() const override { return now_; }
  void Advance(absl::Duration d) { now_ += d; }

 private:
  absl::Time now_;
};

// RFC 3339 UTC with millisecond precision: "2026-11-23T09:45:22.123Z".
std::string FormatTimestamp(absl::Time t);

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction]Z" strictly (a real calendar date,
// UTC only). Returns false on anything else.
bool ParseTimestamp(std::string_view text, absl::Time* out);

// Parses a calendar date "YYYY-MM-DD", strictly.
bool ParseDate(std::string_view text);

}  // namespace aisafe::util
