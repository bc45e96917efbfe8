// Cryptographically secure random bytes (libsodium's randombytes).
#pragma once

#include <string>

namespace aisafe::util {

// n random bytes. Thread-safe.
std::string RandomBytes(size_t n);

}  // namespace aisafe::util
