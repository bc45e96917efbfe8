#include "search/indexer.h"

#include "search/document.h"
#include "util/strings.h"

namespace aisafe::search {

absl::StatusOr<bool> Indexer::MarkMatchesStore(const IndexMark& mark, uint64_t log_size) const {
  if (mark.size > log_size) return false;
  if (mark.size == 0) return true;
  auto last = store_->ListByLogIndex(mark.size - 1, 1);
  if (!last.ok()) return last.status();
  return !last->empty() && last->front().id == mark.last_id;
}

absl::StatusOr<uint64_t> Indexer::CatchUp(const IndexProgress& progress) {
  std::lock_guard<std::mutex> lock(mu_);
  // Every search asks first: when the log has not grown since the index was
  // last found equal to it, one count of the log is all it costs.
  auto log_size = store_->LogSize();
  if (!log_size.ok()) return log_size.status();
  if (current_size_ == *log_size) return 0;
  auto indexed = CatchUpLocked(*log_size, progress);
  if (indexed.ok() || !index_fault_) return indexed;
  // The index failed, not the store: a torn or damaged index shows itself
  // only when its blocks are read. It is derived data; start again.
  if (absl::Status s = index_->Clear(); !s.ok()) return s;
  return CatchUpLocked(*log_size, progress);
}

absl::StatusOr<uint64_t> Indexer::CatchUpLocked(uint64_t log_size, const IndexProgress& progress) {
  index_fault_ = false;
  current_size_.reset();
  auto mark = index_->Mark();
  if (!mark.ok()) {
    index_fault_ = true;
    return mark.status();
  }
  auto matches = MarkMatchesStore(*mark, log_size);
  if (!matches.ok()) return matches.status();
  if (!*matches) {
    if (absl::Status s = index_->Clear(); !s.ok()) {
      index_fault_ = true;
      return s;
    }
    *mark = IndexMark{};
  }
  uint64_t indexed = 0;
  std::vector<IndexDoc> docs;
  while (mark->size < log_size) {
    auto records = store_->ListByLogIndex(mark->size, kBatch);
    if (!records.ok()) return records.status();
    if (records->empty()) break;
    docs.clear();
    docs.reserve(records->size());
    for (const store::StoredRecord& r : *records) {
      auto doc = MakeIndexDoc(r);
      if (!doc.ok()) return doc.status();
      docs.push_back(std::move(*doc));
    }
    IndexMark next{records->back().log_index + 1, records->back().id};
    if (absl::Status s = index_->Add(docs, next); !s.ok()) {
      index_fault_ = true;
      return s;
    }
    indexed += records->size();
    *mark = next;
    if (progress) progress(mark->size, log_size);
  }
  current_size_ = mark->size;
  return indexed;
}

}  // namespace aisafe::search
