#include "util/clock.h"

#include <cctype>

#include "absl/time/civil_time.h"

namespace aisafe::util {
namespace {

class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

bool ValidDate(int y, int m, int d) {
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  int max = kDays[m - 1] + (m == 2 && leap ? 1 : 0);
  return d <= max;
}

bool ParseDateAt(std::string_view s, int* y, int* m, int* d) {
  return Digits(s, 0, 4, y) && s.size() >= 10 && s[4] == '-' && Digits(s, 5, 2, m) && s[7] == '-' &&
         Digits(s, 8, 2, d) && ValidDate(*y, *m, *d);
}

}  // namespace

const Clock& RealClock() {
  static const SystemClock* clock = new SystemClock();
  return *clock;
}

std::string FormatTimestamp(absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone()); }

bool ParseDate(std::string_view text) {
  int y, m, d;
  return text.size() == 10 && ParseDateAt(text, &y, &m, &d);
}

bool ParseTimestamp(std::string_view s, absl::Time* out) {
  int y, mo, d, h, mi, sec;
  if (!ParseDateAt(s, &y, &mo, &d)) return false;
  if (s.size() < 20 || s[10] != 'T' || !Digits(s, 11, 2, &h) || s[13] != ':' || !Digits(s, 14, 2, &mi) ||
      s[16] != ':' || !Digits(s, 17, 2, &sec)) {
    return false;
  }
  // Leap seconds (":60") are not accepted: absl and most stores cannot
  // represent them, and RFC 3339 allows producers to avoid them.
  if (h > 23 || mi > 59 || sec > 59) return false;
  size_t pos = 19;
  int64_t nanos = 0;
  if (s[pos] == '.') {
    ++pos;
    size_t start = pos;
    int64_t scale = 100000000;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      if (pos - start >= 9) return false;
      nanos += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return false;
  }
  if (pos + 1 != s.size() || s[pos] != 'Z') return false;
  absl::CivilSecond cs(y, mo, d, h, mi, sec);
  *out = absl::FromCivil(cs, absl::UTCTimeZone()) + absl::Nanoseconds(nanos);
  return true;
}

}  // namespace aisafe::util
