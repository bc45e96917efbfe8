// What of a record is searchable (docs/search.md, "What is indexed"): the
// envelope fields that filters and facets use, the title, the summary and
// every string of the body except identifiers and signatures.
#pragma once

#include "absl/status/statusor.h"
#include "search/index.h"
#include "store/store.h"

namespace aisafe::search {

// Text kept per record for snippets, at most this many bytes.
inline constexpr size_t kMaxExcerptBytes = 2000;

// The index document of a stored record. DataLoss if its canonical bytes
// are not a record (the store guarantees they are).
absl::StatusOr<IndexDoc> MakeIndexDoc(const store::StoredRecord& record);

}  // namespace aisafe::search
