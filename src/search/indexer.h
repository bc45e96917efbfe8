// Keeps a search index equal to the store's records: the store is the
// truth, the index follows the node's log (docs/search.md, "Keeping the
// index current").
//
// The invariant: the index holds exactly the records of the log's first
// `mark.size` entries. It is kept by indexing only what the store has
// committed, in log order, and by moving the mark in the same Xapian commit
// as the documents. A crash between a store commit and its indexing leaves
// the mark behind the log, and the next CatchUp (on open, after any write,
// before a search) indexes the rest. An index that claims more than the
// store holds, or whose last entry is not the store's, is cleared and
// rebuilt: it never serves a record the store lacks. So is an index that
// fails while being brought up to date (torn by a power loss, damaged).
//
// Thread-safety: CatchUp may be called from several threads; calls are
// serialised.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>

#include "absl/status/statusor.h"
#include "search/index.h"
#include "store/store.h"

namespace aisafe::search {

// (done, total) records of the log, called after each batch.
using IndexProgress = std::function<void(uint64_t done, uint64_t total)>;

class Indexer {
 public:
  // Both borrowed.
  Indexer(const store::ReadOnlyStore* store, Index* index) : store_(store), index_(index) {}

  // Indexes every log entry past the index's mark. Returns how many were
  // indexed.
  absl::StatusOr<uint64_t> CatchUp(const IndexProgress& progress = nullptr);

  // Records indexed per Xapian commit when catching up.
  static constexpr size_t kBatch = 2000;

 private:
  absl::StatusOr<bool> MarkMatchesStore(const IndexMark& mark, uint64_t log_size) const;
  absl::StatusOr<uint64_t> CatchUpLocked(uint64_t log_size, const IndexProgress& progress);

  const store::ReadOnlyStore* store_;
  Index* index_;
  std::mutex mu_;
  bool index_fault_ = false;  // The last failure was the index's, not the store's.
  // The log size the index was last brought to and checked against (its
  // last entry is the store's); unset until then and after a failure.
  std::optional<uint64_t> current_size_;
};

}  // namespace aisafe::search
