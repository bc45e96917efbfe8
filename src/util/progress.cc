#include "util/progress.h"

#include <unistd.h>

#include <cstdio>

#include "absl/strings/str_format.h"

namespace aisafe::util {

ProgressBar::ProgressBar(std::string label, uint64_t total, bool force)
    : label_(std::move(label)),
      total_(total),
      enabled_(force || ::isatty(STDERR_FILENO) == 1),
      start_(absl::Now()),
      last_draw_(absl::InfinitePast()) {}

ProgressBar::~ProgressBar() {
  if (enabled_ && !finished_ && last_done_ > 0) std::fputs("\n", stderr);
}

void ProgressBar::Update(uint64_t done) {
  last_done_ = done;
  if (!enabled_) return;
  absl::Time now = absl::Now();
  if (now - last_draw_ < absl::Milliseconds(100)) return;
  last_draw_ = now;
  Draw(done);
}

void ProgressBar::Finish() {
  if (!enabled_ || finished_) return;
  finished_ = true;
  Draw(total_ ? total_ : last_done_);
  std::fputs("\n", stderr);
}

void ProgressBar::Draw(uint64_t done) {
  double secs = absl::ToDoubleSeconds(absl::Now() - start_);
  double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
  std::string line;
  if (total_ > 0) {
    constexpr int kWidth = 30;
    int filled = static_cast<int>(kWidth * static_cast<double>(done) / static_cast<double>(total_));
    if (filled > kWidth) filled = kWidth;
    line = absl::StrFormat("\r%s [%s%s] %d/%d (%.0f/s)", label_, std::string(filled, '#'),
                           std::string(kWidth - filled, ' '), done, total_, rate);
  } else {
    line = absl::StrFormat("\r%s %d (%.0f/s)", label_, done, rate);
  }
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
}

}  // namespace aisafe::util
