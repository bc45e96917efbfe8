// A naive RFC 6962 / RFC 9162 Merkle tree, written from the definitions
// (section 2.1), recursively: the oracle the verifiers and the tile-based
// proof generator are checked against.
#pragma once

#include <bit>
#include <cstdint>
#include <vector>

#include "log/merkle.h"

namespace aisafe::log {

struct Reference {
  std::vector<Hash> leaves;
  static uint64_t Split(uint64_t n) { return std::bit_floor(n - 1); }
  Hash Root(uint64_t lo, uint64_t hi) const {
    if (hi == lo) return EmptyRoot();
    if (hi - lo == 1) return leaves[lo];
    uint64_t k = Split(hi - lo);
    return NodeHash(Root(lo, lo + k), Root(lo + k, hi));
  }
  void Path(uint64_t m, uint64_t lo, uint64_t hi, std::vector<Hash>* out) const {
    if (hi - lo <= 1) return;
    uint64_t k = Split(hi - lo);
    if (m < k) {
      Path(m, lo, lo + k, out);
      out->push_back(Root(lo + k, hi));
    } else {
      Path(m - k, lo + k, hi, out);
      out->push_back(Root(lo, lo + k));
    }
  }
  void SubProof(uint64_t m, uint64_t lo, uint64_t hi, bool b, std::vector<Hash>* out) const {
    uint64_t n = hi - lo;
    if (m == n) {
      if (!b) out->push_back(Root(lo, hi));
      return;
    }
    uint64_t k = Split(n);
    if (m <= k) {
      SubProof(m, lo, lo + k, b, out);
      out->push_back(Root(lo + k, hi));
    } else {
      SubProof(m - k, lo + k, hi, false, out);
      out->push_back(Root(lo, lo + k));
    }
  }
};

}  // namespace aisafe::log
