// SHA-256 through OpenSSL 3's EVP interface, which picks the SHA-NI code
// path on CPUs that have it.
//
// Thread-safe: the digest implementation is fetched once and shared
// read-only; every call uses its own context.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace aisafe::util {

using Digest = std::array<uint8_t, 32>;

// Returns SHA-256(data).
Digest Sha256(std::string_view data);

// Returns SHA-256(prefix || data); used for the Merkle tree's domain
// separated leaf and node hashes without copying the input.
Digest Sha256WithPrefix(uint8_t prefix, std::string_view data);

}  // namespace aisafe::util
