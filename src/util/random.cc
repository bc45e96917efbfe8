#include "util/random.h"

#include <sodium.h>

#include <cstdlib>

namespace aisafe::util {

std::string RandomBytes(size_t n) {
  static const bool kSodiumReady = sodium_init() >= 0;
  if (!kSodiumReady) std::abort();
  std::string out(n, '\0');
  randombytes_buf(out.data(), n);
  return out;
}

}  // namespace aisafe::util
