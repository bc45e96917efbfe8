// The Merkle tree kept as C2SP tlog-tiles (docs/formats/log.md).
//
// A hash tile at level L, index N holds up to 256 hashes of tree level 8L:
// the roots of the subtrees of 256^L leaves numbered N*256 .. N*256+255.
// A tile is partial (width < 256) only at the tree's right edge; a partial
// tile of width W is always a prefix of the later, wider versions of the
// same tile, so one stored row per tile serves every tree size.
//
// The store keeps each hash tile "expanded": after the 256 level-0 slots
// come the tile's interior nodes (128 + 64 + ... + 2 slots, 510 in all), so
// any node of the tree is one lookup and proofs never rehash a tile. The
// served tile is the first 32*W bytes. Entry bundles hold the entries
// themselves (the records' 32-byte ids), each prefixed with its uint16
// big-endian length, exactly as served.
//
// Appending is a pure function of the stored right edge and the new
// entries: it returns the tiles to write, and never reads a tile left of
// the right edge. Thread-safety: pure functions and value types; a
// TileReader implementation states its own.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "log/merkle.h"

namespace aisafe::log {

inline constexpr int kTileHeight = 8;
inline constexpr uint32_t kTileWidth = 256;
// Level -1 names the entry bundles wherever a tile level is expected.
inline constexpr int kEntriesLevel = -1;
// Slots of an expanded hash tile: 256 + 128 + ... + 2.
inline constexpr size_t kExpandedSlots = 510;
inline constexpr size_t kExpandedTileBytes = kExpandedSlots * 32;

struct StoredTile {
  uint32_t width = 0;  // 1..256
  // Hash tiles: kExpandedTileBytes; entry bundles: `width` entries, each
  // a uint16 big-endian length and the entry.
  std::string data;
};

struct TileWrite {
  int level = 0;  // kEntriesLevel for an entry bundle.
  uint64_t index = 0;
  StoredTile tile;
};

using TilePtr = std::shared_ptr<const StoredTile>;

// Where the tiles are kept (the store). ReadTile returns the newest stored
// version of a tile, or nullopt if there is none.
class TileReader {
 public:
  virtual ~TileReader() = default;
  virtual absl::StatusOr<std::optional<StoredTile>> ReadTile(int level, uint64_t index) const = 0;
  // For proofs: any stored version of the tile at least `min_width` wide
  // (a tile only grows, so an older wide-enough version is as good as the
  // newest); else the newest, or nullptr if there is none. Readers that
  // keep a cache override it; the default reads.
  virtual absl::StatusOr<TilePtr> ReadTileAtLeast(int level, uint64_t index, uint32_t min_width) const;
};

// Width of the right-edge (partial) tile at `level` for a tree of `size`;
// 0 when the level ends on a tile boundary.
uint32_t PartialWidth(int level, uint64_t size);

// The tile path of C2SP tlog-tiles, without a prefix: "tile/0/x001/234",
// "tile/entries/000.p/15". `width` 256 gives a full tile's path.
std::string TilePath(int level, uint64_t index, uint32_t width);

struct TileRequest {
  int level = 0;  // kEntriesLevel for entries.
  uint64_t index = 0;
  uint32_t width = kTileWidth;
};
// Parses a tile path as TilePath writes it. InvalidArgument for anything
// else (non-canonical index, width 0 or 256 in a .p suffix, level > 63).
absl::StatusOr<TileRequest> ParseTilePath(std::string_view path);

// The served bytes of a stored tile at `width` (a prefix of what is stored).
// OutOfRange when the stored tile is narrower than asked.
absl::StatusOr<std::string> ServedTile(int level, const StoredTile& stored, uint32_t width);

// The result of appending entries to the tree.
struct AppendResult {
  uint64_t size = 0;              // The new tree size.
  Hash root{};                    // Its root hash.
  std::vector<TileWrite> writes;  // New and grown tiles, entry bundles included.
};

// Appends `entries` to the tree of `old_size` whose tiles `reader` holds.
// A node's entries are 32-byte record ids; the log takes any entry of up to
// 65535 bytes (the bundle's length prefix), which lets the tests replay
// other logs' vectors. InvalidArgument for a longer entry; DataLoss if the
// stored right edge is missing or inconsistent with `old_size`.
absl::StatusOr<AppendResult> AppendEntries(const TileReader& reader, uint64_t old_size,
                                           std::span<const std::string_view> entries);

// A tree in memory that keeps only its right edge (the partial tiles), for
// rebuilding a log from its entries in constant memory (log verify,
// benchmarks). Not thread-safe.
class TreeBuilder final : public TileReader {
 public:
  // Appends; the result's writes include the tiles that became full, which
  // the builder then forgets.
  absl::StatusOr<AppendResult> Append(std::span<const std::string_view> entries);
  uint64_t size() const { return size_; }
  absl::StatusOr<std::optional<StoredTile>> ReadTile(int level, uint64_t index) const override;

 private:
  uint64_t size_ = 0;
  std::vector<TileWrite> edge_;
};

// Reads the tree's nodes from stored tiles. Remembers the tiles it read (a
// tile never changes except by growing), so repeated lookups in one proof
// cost one read per tile. Not thread-safe; make one per request.
class TreeReader {
 public:
  explicit TreeReader(const TileReader& tiles) : tiles_(tiles) {}

  // The hash of the perfect subtree at tree `level` with `index`, i.e. of
  // leaves [index << level, (index + 1) << level). The caller makes sure
  // the subtree is complete in the stored tree.
  absl::StatusOr<Hash> Node(int level, uint64_t index);
  // The Merkle tree hash of leaves [begin, end), RFC 9162 MTH(D[begin:end]),
  // for ranges that are nodes of some tree (begin aligned to the smallest
  // power of two >= end - begin), which is every range a proof needs.
  absl::StatusOr<Hash> RangeHash(uint64_t begin, uint64_t end);
  // The root of the tree of `size` (EmptyRoot for 0).
  absl::StatusOr<Hash> Root(uint64_t size);
  // The entry at `index`.
  absl::StatusOr<std::string> Entry(uint64_t index);

 private:
  absl::StatusOr<TilePtr> Tile(int level, uint64_t index, uint32_t min_width);

  const TileReader& tiles_;
  struct Cached {
    int level;
    uint64_t index;
    TilePtr tile;
  };
  std::vector<Cached> cache_;
};

// RFC 9162 2.1.3.1 inclusion proof of leaf `index` in the tree of `size`.
// OutOfRange if index >= size.
absl::StatusOr<std::vector<Hash>> InclusionProof(TreeReader& tree, uint64_t index, uint64_t size);

// RFC 9162 2.1.4.1 consistency proof from `old_size` to `new_size`;
// empty when old_size is 0 or equal to new_size. OutOfRange if
// old_size > new_size.
absl::StatusOr<std::vector<Hash>> ConsistencyProof(TreeReader& tree, uint64_t old_size, uint64_t new_size);

}  // namespace aisafe::log
