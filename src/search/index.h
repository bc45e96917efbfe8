// Full-text search over the records a node holds (docs/search.md). This
// header is the search component's contract: what a search asks, what it
// answers, and the one rule that matters most:
//
//   Visibility is part of the query. A search carries the asker's
//   auth::VisibleSet; the index turns it into filter terms inside the match,
//   so hits, totals and facet counts are computed over visible records only
//   and never reveal a hidden one.
//
// The index is derived data: the store is the truth. An index remembers how
// much of the node's log it holds (IndexMark); Indexer (indexer.h) brings it
// up to date from the store, after every write and on start.
//
// Errors: InvalidArgument naming the parameter at fault ("q: ...",
// "limit: ..."); Unavailable/Internal/DataLoss for faults of the backend.
// Thread-safety: implementations are safe to call from several threads.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "auth/auth.h"
#include "util/sha256.h"

namespace aisafe::search {

// A record as the index sees it (document.h builds it from the record).
struct IndexDoc {
  uint64_t log_index = 0;  // Its entry in the node's log: the document's identity.
  util::Digest id{};
  std::string type, origin, tlp, lang, created;
  int64_t created_us = 0;
  std::vector<std::string> countries, harms, audience;
  std::string title;
  // Searchable text besides the title, in fields (summary, description,
  // ...); each is analysed on its own, so a phrase never spans two.
  std::vector<std::string> fields;
  std::string excerpt;  // Text kept for snippets: summary, else description.
};

// How far the index follows the log: the first `size` entries are indexed,
// the last of them being `last_id` (so an index built from another store,
// or from a store restored to an older state, is recognised).
struct IndexMark {
  uint64_t size = 0;
  util::Digest last_id{};
};

// Filters: values of one facet are ORed, facets ANDed.
struct Filters {
  std::vector<std::string> types, tlps, origins, countries, langs, harms;
  std::optional<int64_t> from_us, to_us;  // created, inclusive.
};

struct SearchRequest {
  std::string q;           // Query syntax: docs/search.md.
  std::string query_lang;  // The asker's language (BCP 47); "" analyses neutrally only.
  Filters filters;
  auth::VisibleSet visible;  // Required: what the asker may see.
  std::string node_name;     // For red records of the node's own origin.
  size_t offset = 0;         // offset + limit <= kMaxWindow.
  size_t limit = 10;         // 1..kMaxLimit.
  bool facets = false;       // Count every matching visible record by facet.
  bool fold_diacritics = true;
  bool match_all_words = false;  // AND instead of OR between words.
};

inline constexpr size_t kMaxLimit = 100;
inline constexpr size_t kMaxWindow = 10000;
// Totals are counted exactly up to this many matches, then reported as
// "more than" (facets, when asked for, are always exact): counting every
// match of a broad query over a large node costs more than the rest of the
// search.
inline constexpr uint64_t kExactTotalUpTo = 1000;

struct Hit {
  util::Digest id{};
  std::string type, origin, tlp, lang, created, title;
  std::vector<std::string> countries;
  std::string snippet;       // Plain text around the best-matching words.
  std::string snippet_html;  // The same, HTML-escaped, matches in <mark>.
};

struct SearchResult {
  std::vector<Hit> hits;  // Best first.
  uint64_t total = 0;     // Visible matches (at least this many if !total_exact).
  bool total_exact = true;
  // facet name ("type", "tlp", "origin", "country", "lang", "harm") ->
  // value -> count of visible matches; empty unless asked for.
  std::map<std::string, std::map<std::string, uint64_t>> facets;
};

class Index {
 public:
  virtual ~Index() = default;

  virtual absl::StatusOr<IndexMark> Mark() const = 0;
  // Adds (or replaces, by log index) documents and moves the mark to
  // `mark`, atomically: after a crash the index holds both or neither.
  virtual absl::Status Add(std::span<const IndexDoc> docs, const IndexMark& mark) = 0;
  // Removes everything (the mark becomes 0).
  virtual absl::Status Clear() = 0;
  virtual absl::StatusOr<uint64_t> DocCount() const = 0;
  // Bytes on disk.
  virtual absl::StatusOr<uint64_t> SizeBytes() const = 0;

  virtual absl::StatusOr<SearchResult> Search(const SearchRequest& request) const = 0;
};

}  // namespace aisafe::search
