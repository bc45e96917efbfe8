// A progress bar on stderr, drawn only when stderr is a terminal, at most
// ten times a second, so piping and logging see nothing of it.
#pragma once

#include <cstdint>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace aisafe::util {

class ProgressBar {
 public:
  // `total` may be 0 when unknown. Draws nothing unless stderr is a TTY (or
  // `force` is set, for tests).
  ProgressBar(std::string label, uint64_t total, bool force = false);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void Update(uint64_t done);
  // Draws the final state and ends the line.
  void Finish();

  bool enabled() const { return enabled_; }

 private:
  void Draw(uint64_t done);

  std::string label_;
  uint64_t total_;
  bool enabled_;
  bool finished_ = false;
  uint64_t last_done_ = 0;
  absl::Time start_;
  absl::Time last_draw_;
};

}  // namespace aisafe::util
