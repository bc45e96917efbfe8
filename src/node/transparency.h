// The node's transparency log as its users see it: proofs for records and
// between sizes, and the full audit that rebuilds the tree from the stored
// records (docs/formats/log.md). Used by the command line and, later, the
// HTTP API.
//
// Thread-safety: pure functions over a store, which serialises access.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "keys/keys.h"
#include "log/merkle.h"
#include "store/store.h"

namespace aisafe::node {

struct InclusionAnswer {
  uint64_t index = 0;
  uint64_t tree_size = 0;
  std::vector<log::Hash> proof;
  // The kept checkpoint of tree_size, if there is one (there always is for
  // the default size).
  std::optional<store::StoredCheckpoint> checkpoint;
};

// The inclusion proof of record `id` in the tree of `size` (default: the
// newest checkpoint's). NotFound if the node does not hold the record;
// OutOfRange if `size` is beyond the log or does not yet contain it.
absl::StatusOr<InclusionAnswer> ProveRecord(const store::ReadOnlyStore& store, const store::RecordId& id,
                                            std::optional<uint64_t> size);

// The consistency proof between two sizes of the log; OutOfRange unless
// old_size <= new_size <= the log size.
absl::StatusOr<std::vector<log::Hash>> ProveConsistency(const store::ReadOnlyStore& store, uint64_t old_size,
                                                        uint64_t new_size);

struct LogAudit {
  uint64_t entries = 0;
  uint64_t checkpoints = 0;
  uint64_t tiles = 0;  // Stored tiles compared, entry bundles included.
};

// Rebuilds the whole tree from the stored records, in log order: checks
// each record's bytes hash to its id, that log indexes have no gap, that
// every stored tile equals the rebuilt one, and that every kept checkpoint
// is signed by `key` for `origin` and names the rebuilt root of its size.
// DataLoss naming the first discrepancy. `progress` gets entries done.
absl::StatusOr<LogAudit> AuditLog(const store::ReadOnlyStore& store, const keys::Verifier& key, std::string_view origin,
                                  const std::function<void(uint64_t done, uint64_t total)>& progress = nullptr);

}  // namespace aisafe::node
