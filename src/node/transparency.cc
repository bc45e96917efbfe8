#include "node/transparency.h"

#include <map>

#include "log/checkpoint.h"
#include "log/tiles.h"
#include "util/hex.h"
#include "util/strings.h"

namespace aisafe::node {
namespace {

absl::StatusOr<std::optional<store::StoredCheckpoint>> CheckpointOfSize(const store::ReadOnlyStore& store,
                                                                        uint64_t size) {
  auto list = store.ListCheckpoints(size == 0 ? std::nullopt : std::optional<uint64_t>(size - 1), 1);
  if (!list.ok()) return list.status();
  if (list->empty() || list->front().size != size) return std::nullopt;
  return list->front();
}

absl::StatusOr<std::vector<store::StoredCheckpoint>> AllCheckpoints(const store::ReadOnlyStore& store) {
  std::vector<store::StoredCheckpoint> all;
  while (true) {
    auto page = store.ListCheckpoints(all.empty() ? std::nullopt : std::optional<uint64_t>(all.back().size), 1000);
    if (!page.ok()) return page.status();
    if (page->empty()) return all;
    all.insert(all.end(), page->begin(), page->end());
  }
}

}  // namespace

absl::StatusOr<InclusionAnswer> ProveRecord(const store::ReadOnlyStore& store, const store::RecordId& id,
                                            std::optional<uint64_t> size) {
  auto record = store.Get(id);
  if (!record.ok()) return record.status();
  if (!*record) return absl::NotFoundError(util::StrCat("no record ", util::ToHex(id)));
  InclusionAnswer answer;
  answer.index = (*record)->log_index;
  if (size) {
    auto log_size = store.LogSize();
    if (!log_size.ok()) return log_size.status();
    if (*size > *log_size) {
      return absl::OutOfRangeError(util::StrCat("tree size ", *size, " is beyond the log's size ", *log_size));
    }
    answer.tree_size = *size;
    auto cp = CheckpointOfSize(store, *size);
    if (!cp.ok()) return cp.status();
    answer.checkpoint = std::move(*cp);
  } else {
    auto newest = store.LatestCheckpoint();
    if (!newest.ok()) return newest.status();
    if (!*newest) return absl::FailedPreconditionError("the log has no checkpoint yet");
    answer.tree_size = (*newest)->size;
    answer.checkpoint = std::move(*newest);
  }
  if (answer.index >= answer.tree_size) {
    return absl::OutOfRangeError(util::StrCat("record ", util::ToHex(id), " is log entry ", answer.index,
                                              ", not in the tree of size ", answer.tree_size,
                                              size ? "" : " (the newest checkpoint); the next checkpoint covers it"));
  }
  log::TreeReader tree(store);
  auto proof = log::InclusionProof(tree, answer.index, answer.tree_size);
  if (!proof.ok()) return proof.status();
  answer.proof = std::move(*proof);
  return answer;
}

absl::StatusOr<std::vector<log::Hash>> ProveConsistency(const store::ReadOnlyStore& store, uint64_t old_size,
                                                        uint64_t new_size) {
  auto log_size = store.LogSize();
  if (!log_size.ok()) return log_size.status();
  if (new_size > *log_size) {
    return absl::OutOfRangeError(util::StrCat("tree size ", new_size, " is beyond the log's size ", *log_size));
  }
  if (old_size > new_size) {
    return absl::OutOfRangeError(util::StrCat("old size ", old_size, " is beyond new size ", new_size));
  }
  log::TreeReader tree(store);
  return log::ConsistencyProof(tree, old_size, new_size);
}

absl::StatusOr<LogAudit> AuditLog(const store::ReadOnlyStore& store, const keys::Verifier& key, std::string_view origin,
                                  const std::function<void(uint64_t done, uint64_t total)>& progress) {
  auto size = store.LogSize();
  if (!size.ok()) return size.status();
  auto count = store.Count(std::nullopt);
  if (!count.ok()) return count.status();
  if (*count != *size) {
    return absl::DataLossError(util::StrCat("the log has ", *size, " entries but the store ", *count, " records"));
  }
  auto checkpoints = AllCheckpoints(store);
  if (!checkpoints.ok()) return checkpoints.status();
  if (!checkpoints->empty() && checkpoints->back().size > *size) {
    return absl::DataLossError(
        util::StrCat("a checkpoint of size ", checkpoints->back().size, " is beyond the log's size ", *size));
  }

  LogAudit audit;
  log::TreeBuilder tree;
  size_t next_checkpoint = 0;
  auto check_checkpoints = [&](const log::Hash& root) -> absl::Status {
    for (; next_checkpoint < checkpoints->size() && (*checkpoints)[next_checkpoint].size == tree.size();
         ++next_checkpoint) {
      const store::StoredCheckpoint& kept = (*checkpoints)[next_checkpoint];
      auto opened = log::OpenCheckpoint(kept.note, key, origin);
      if (!opened.ok()) {
        return absl::DataLossError(util::StrCat("checkpoint of size ", kept.size, ": ", opened.status().message()));
      }
      if (opened->checkpoint.size != kept.size || opened->checkpoint.root != root) {
        return absl::DataLossError(util::StrCat("checkpoint of size ", kept.size, " signs size ",
                                                opened->checkpoint.size, " and root ",
                                                util::ToHex(opened->checkpoint.root), "; the rebuilt tree of size ",
                                                tree.size(), " has root ", util::ToHex(root)));
      }
      audit.checkpoints++;
    }
    return absl::OkStatus();
  };
  // Full tiles are compared as they complete; the right edge at the end.
  std::map<int, log::TileWrite> edge;
  auto compare = [&](const log::TileWrite& rebuilt) -> absl::Status {
    auto stored = store.ReadTile(rebuilt.level, rebuilt.index);
    if (!stored.ok()) return stored.status();
    std::string path = log::TilePath(rebuilt.level, rebuilt.index, rebuilt.tile.width);
    if (!*stored) return absl::DataLossError(util::StrCat("tile ", path, " is missing"));
    if ((*stored)->width != rebuilt.tile.width || (*stored)->data != rebuilt.tile.data) {
      return absl::DataLossError(util::StrCat("tile ", path, " differs from the tree rebuilt from the records"));
    }
    audit.tiles++;
    return absl::OkStatus();
  };
  if (auto st = check_checkpoints(log::EmptyRoot()); !st.ok()) return st;

  constexpr size_t kPage = 4096;
  while (tree.size() < *size) {
    auto page = store.ListByLogIndex(tree.size(), kPage);
    if (!page.ok()) return page.status();
    if (page->empty()) return absl::DataLossError(util::StrCat("log entry ", tree.size(), " has no record"));
    std::vector<std::string_view> ids;
    for (const store::StoredRecord& r : *page) {
      uint64_t want = tree.size() + ids.size();
      if (r.log_index != want) {
        return absl::DataLossError(util::StrCat("log entry ", want, " has no record (next is ", r.log_index, ")"));
      }
      if (util::Sha256(r.canonical) != r.id) {
        return absl::DataLossError(util::StrCat("record ", util::ToHex(r.id), " (log entry ", want,
                                                ") does not hash to its id: its stored bytes changed"));
      }
      ids.emplace_back(reinterpret_cast<const char*>(r.id.data()), r.id.size());
    }
    // Append up to each checkpoint's size in turn, to check its root.
    std::span<const std::string_view> rest(ids);
    while (!rest.empty()) {
      size_t n = rest.size();
      if (next_checkpoint < checkpoints->size()) {
        n = std::min<uint64_t>(n, (*checkpoints)[next_checkpoint].size - tree.size());
      }
      auto appended = tree.Append(rest.first(n));
      if (!appended.ok()) return appended.status();
      for (log::TileWrite& w : appended->writes) {
        if (w.tile.width == log::kTileWidth) {
          edge.erase(w.level);
          if (auto st = compare(w); !st.ok()) return st;
        } else {
          edge[w.level] = std::move(w);
        }
      }
      if (auto st = check_checkpoints(appended->root); !st.ok()) return st;
      rest = rest.subspan(n);
    }
    audit.entries = tree.size();
    if (progress) progress(tree.size(), *size);
  }
  for (const auto& [level, w] : edge) {
    if (auto st = compare(w); !st.ok()) return st;
  }
  return audit;
}

}  // namespace aisafe::node
