#include "log/merkle.h"

#include <bit>
#include <cstring>

#include "util/strings.h"

namespace aisafe::log {
namespace {

// Number of proof elements for (index, size): the levels below the point
// where the leaf's path and the tree's right edge part, plus the right-edge
// nodes above it (RFC 9162 2.1.3.1).
size_t InclusionLength(uint64_t index, uint64_t size) {
  uint64_t inner = std::bit_width(index ^ (size - 1));
  return inner + std::popcount(index >> inner);
}

// RFC 9162's "right-shift fn and sn equally until either LSB(fn) is set or
// fn is 0", shared by both verifiers.
void ShiftWhileEven(uint64_t* fn, uint64_t* sn) {
  while ((*fn & 1) == 0 && *fn != 0) {
    *fn >>= 1;
    *sn >>= 1;
  }
}

}  // namespace

Hash LeafHash(std::string_view entry) { return util::Sha256WithPrefix(0x00, entry); }

Hash NodeHash(const Hash& left, const Hash& right) {
  char buf[64];
  std::memcpy(buf, left.data(), 32);
  std::memcpy(buf + 32, right.data(), 32);
  return util::Sha256WithPrefix(0x01, std::string_view(buf, 64));
}

Hash EmptyRoot() { return util::Sha256(""); }

absl::Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash, std::span<const Hash> proof,
                             const Hash& root) {
  if (index >= size) {
    return absl::InvalidArgumentError(util::StrCat("inclusion proof: index ", index, " is not below tree size ", size));
  }
  uint64_t fn = index, sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) return absl::InvalidArgumentError("inclusion proof: too many elements");
    if ((fn & 1) == 1 || fn == sn) {
      r = NodeHash(p, r);
      ShiftWhileEven(&fn, &sn);
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return absl::InvalidArgumentError(
        util::StrCat("inclusion proof: ", proof.size(), " elements, expected ", InclusionLength(index, size)));
  }
  if (r != root) return absl::InvalidArgumentError("inclusion proof: computed root does not match");
  return absl::OkStatus();
}

absl::Status VerifyConsistency(uint64_t size1, uint64_t size2, std::span<const Hash> proof, const Hash& root1,
                               const Hash& root2) {
  if (size1 > size2) {
    return absl::InvalidArgumentError(util::StrCat("consistency proof: old size ", size1, " exceeds new size ", size2));
  }
  if (size1 == size2) {
    if (!proof.empty()) return absl::InvalidArgumentError("consistency proof: must be empty for equal sizes");
    if (root1 != root2) return absl::InvalidArgumentError("consistency proof: equal sizes but different roots");
    return absl::OkStatus();
  }
  if (size1 == 0) {
    if (!proof.empty()) return absl::InvalidArgumentError("consistency proof: must be empty from size 0");
    return absl::OkStatus();
  }
  if (proof.empty()) return absl::InvalidArgumentError("consistency proof: empty");
  // RFC 9162 2.1.4.2. When size1 is a power of two, the old root is itself
  // a node of the new tree and is the proof's implicit first element.
  size_t i = 0;
  Hash first;
  if (std::has_single_bit(size1)) {
    first = root1;
  } else {
    first = proof[i++];
  }
  uint64_t fn = size1 - 1, sn = size2 - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = first, sr = first;
  for (; i < proof.size(); ++i) {
    const Hash& c = proof[i];
    if (sn == 0) return absl::InvalidArgumentError("consistency proof: too many elements");
    if ((fn & 1) == 1 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      ShiftWhileEven(&fn, &sn);
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return absl::InvalidArgumentError("consistency proof: too few elements");
  if (fr != root1) return absl::InvalidArgumentError("consistency proof: old root does not match");
  if (sr != root2) return absl::InvalidArgumentError("consistency proof: new root does not match");
  return absl::OkStatus();
}

}  // namespace aisafe::log
