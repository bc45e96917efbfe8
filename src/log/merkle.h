// RFC 6962 / RFC 9162 Merkle tree hashing and proof verification.
//
//   leaf hash  = SHA-256(0x00 || entry)
//   node hash  = SHA-256(0x01 || left || right)
//   empty root = SHA-256("")
//
// The verifiers implement RFC 9162 sections 2.1.3.2 (inclusion) and 2.1.4.2
// (consistency) strictly: every proof element is 32 bytes (the type
// enforces it), the proof has exactly the length the sizes imply, nothing
// is left over. One deliberate extension, as C2SP tlog-witness has it: a
// consistency proof from size 0 is the empty proof (there is nothing to be
// consistent with). Used on our own proofs and, later, on everything a peer
// sends. Thread-safe: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "absl/status/status.h"
#include "util/sha256.h"

namespace aisafe::log {

using Hash = util::Digest;

Hash LeafHash(std::string_view entry);
Hash NodeHash(const Hash& left, const Hash& right);
Hash EmptyRoot();

// Checks that `leaf_hash` is the leaf at `index` of the tree of `size`
// whose root is `root`. InvalidArgument naming what is wrong (index beyond
// size, wrong proof length, root mismatch).
absl::Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash, std::span<const Hash> proof,
                             const Hash& root);

// Checks that the tree of `size2` with `root2` extends the tree of `size1`
// with `root1`. size1 == size2 needs an empty proof and equal roots;
// size1 == 0 needs an empty proof.
absl::Status VerifyConsistency(uint64_t size1, uint64_t size2, std::span<const Hash> proof, const Hash& root1,
                               const Hash& root2);

}  // namespace aisafe::log
