// The search index backed by Xapian (glass), in a directory of its own
// (DIR/search in a node's data directory; docs/formats/search-index.md).
//
// Writers take Xapian's lock only while they add, so several processes on
// one data directory (aisafe serve, aisafe submit) can each index what they
// stored; a writer waits for another's lock. Readers never wait. Commits do
// not fsync: the index is rebuilt from the store, so a torn index after a
// power loss is detected on open and rebuilt, never trusted.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "search/index.h"

namespace aisafe::search {

// Opens the index in `dir`, creating it if absent. An index of another
// format version, or one Xapian finds corrupt, is discarded and created
// anew (its mark is then 0, so the indexer rebuilds it).
//
// `node_name` is the node the index belongs to. With it, each document also
// carries one term per role that may see it (auth::VisibleTo of the public,
// a contributor, staff), so the visibility filter of a search by one of
// those roles on this node is a single posting list; any other VisibleSet
// is still answered, through the marking terms.
absl::StatusOr<std::unique_ptr<Index>> OpenXapianIndex(const std::string& dir, const std::string& node_name = "");

}  // namespace aisafe::search
