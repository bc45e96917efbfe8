#include "log/tiles.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "util/strings.h"

namespace aisafe::log {
namespace {

// First slot of interior level k (0..7) in an expanded tile.
constexpr size_t SlotOffset(int k) { return 512 - (512 >> k); }

Hash SlotAt(const std::string& data, int k, uint64_t slot) {
  Hash h;
  std::memcpy(h.data(), data.data() + (SlotOffset(k) + slot) * 32, 32);
  return h;
}

void SetSlot(std::string& data, int k, uint64_t slot, const Hash& h) {
  std::memcpy(data.data() + (SlotOffset(k) + slot) * 32, h.data(), 32);
}

uint64_t ShiftRight(uint64_t v, int bits) { return bits >= 64 ? 0 : v >> bits; }

// Byte length of the first `count` entries of a bundle; nullopt if the
// bundle holds fewer.
std::optional<size_t> BundlePrefix(std::string_view data, uint32_t count) {
  size_t at = 0;
  for (uint32_t i = 0; i < count; ++i) {
    if (data.size() - at < 2) return std::nullopt;
    size_t len = static_cast<size_t>(static_cast<uint8_t>(data[at]) << 8 | static_cast<uint8_t>(data[at + 1]));
    if (data.size() - at - 2 < len) return std::nullopt;
    at += 2 + len;
  }
  return at;
}

// Whether `tile` is a well-formed stored tile of `level` with `width`.
bool WellFormed(int level, const StoredTile& tile) {
  if (level != kEntriesLevel) return tile.data.size() == kExpandedTileBytes;
  return BundlePrefix(tile.data, tile.width) == tile.data.size();
}

// The tile being filled at one level (or the entry bundle) during an append.
struct Edge {
  uint64_t index = 0;
  uint32_t width = 0;
  std::string data;
  bool dirty = false;
};

absl::Status LoadEdge(const TileReader& reader, int level, uint64_t size, Edge* edge) {
  int tile_level = level == kEntriesLevel ? 0 : level;
  edge->index = ShiftRight(size, kTileHeight * (tile_level + 1));
  edge->width = PartialWidth(tile_level, size);
  if (edge->width == 0) {
    edge->data.assign(level == kEntriesLevel ? 0 : kExpandedTileBytes, '\0');
    return absl::OkStatus();
  }
  auto tile = reader.ReadTile(level, edge->index);
  if (!tile.ok()) return tile.status();
  if (!*tile || (*tile)->width != edge->width || !WellFormed(level, **tile)) {
    return absl::DataLossError(util::StrCat("log: the right-edge tile ", TilePath(level, edge->index, edge->width),
                                            " of the tree of size ", size, " is ",
                                            *tile ? util::StrCat("of width ", (*tile)->width) : "missing"));
  }
  edge->data = std::move((*tile)->data);
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> ParseDecimal(std::string_view s, std::string_view what) {
  if (s.empty() || s.size() > 19 || (s.size() > 1 && s[0] == '0')) {
    return absl::InvalidArgumentError(util::StrCat("tile path: bad ", what, " \"", s, "\""));
  }
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return absl::InvalidArgumentError(util::StrCat("tile path: bad ", what, " \"", s, "\""));
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

}  // namespace

uint32_t PartialWidth(int level, uint64_t size) {
  return static_cast<uint32_t>(ShiftRight(size, kTileHeight * level) & (kTileWidth - 1));
}

std::string TilePath(int level, uint64_t index, uint32_t width) {
  std::string digits = util::StrCat(index);
  digits.insert(0, (3 - digits.size() % 3) % 3, '0');
  std::string path = level == kEntriesLevel ? "tile/entries/" : util::StrCat("tile/", level, "/");
  for (size_t i = 0; i < digits.size(); i += 3) {
    if (i + 3 < digits.size()) path += 'x';
    path.append(digits, i, 3);
    if (i + 3 < digits.size()) path += '/';
  }
  if (width < kTileWidth) util::StrAppend(&path, ".p/", width);
  return path;
}

absl::StatusOr<TileRequest> ParseTilePath(std::string_view path) {
  TileRequest req;
  if (!path.starts_with("tile/")) return absl::InvalidArgumentError("tile path must start with tile/");
  path.remove_prefix(5);
  size_t slash = path.find('/');
  if (slash == std::string_view::npos) return absl::InvalidArgumentError("tile path has no index");
  std::string_view level = path.substr(0, slash);
  path.remove_prefix(slash + 1);
  if (level == "entries") {
    req.level = kEntriesLevel;
  } else {
    auto l = ParseDecimal(level, "level");
    if (!l.ok()) return l.status();
    if (*l > 63) return absl::InvalidArgumentError(util::StrCat("tile path: level ", *l, " is beyond 63"));
    req.level = static_cast<int>(*l);
  }
  if (size_t p = path.find(".p/"); p != std::string_view::npos) {
    auto w = ParseDecimal(path.substr(p + 3), "width");
    if (!w.ok()) return w.status();
    if (*w == 0 || *w >= kTileWidth) {
      return absl::InvalidArgumentError(util::StrCat("tile path: partial width ", *w, " is not in 1..255"));
    }
    req.width = static_cast<uint32_t>(*w);
    path = path.substr(0, p);
  }
  // Groups of three digits, all but the last prefixed with 'x'; no leading
  // zero group, so every index has one path.
  uint64_t index = 0;
  bool first = true;
  while (true) {
    size_t next = path.find('/');
    std::string_view group = path.substr(0, next);
    bool last = next == std::string_view::npos;
    if (!last) {
      if (!group.starts_with('x')) return absl::InvalidArgumentError("tile path: index group lacks its x prefix");
      group.remove_prefix(1);
    }
    if (group.size() != 3 || !std::all_of(group.begin(), group.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return absl::InvalidArgumentError("tile path: index groups are three digits");
    }
    if (first && !last && group == "000")
      return absl::InvalidArgumentError("tile path: index has a leading zero group");
    if (index > (UINT64_MAX - 999) / 1000) return absl::InvalidArgumentError("tile path: index is too large");
    index = index * 1000 + static_cast<uint64_t>((group[0] - '0') * 100 + (group[1] - '0') * 10 + (group[2] - '0'));
    first = false;
    if (last) break;
    path.remove_prefix(next + 1);
  }
  req.index = index;
  return req;
}

absl::StatusOr<std::string> ServedTile(int level, const StoredTile& stored, uint32_t width) {
  if (width == 0 || width > stored.width) {
    return absl::OutOfRangeError(
        util::StrCat("tile of width ", width, " is not stored (stored width ", stored.width, ")"));
  }
  std::optional<size_t> bytes = static_cast<size_t>(width) * 32;
  if (level == kEntriesLevel) bytes = BundlePrefix(stored.data, width);
  if (!bytes || stored.data.size() < *bytes) return absl::DataLossError("stored tile is shorter than its width");
  return stored.data.substr(0, *bytes);
}

absl::StatusOr<AppendResult> AppendEntries(const TileReader& reader, uint64_t old_size,
                                           std::span<const std::string_view> entries) {
  if (entries.size() > UINT64_MAX - old_size) return absl::OutOfRangeError("log: tree size would overflow");
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].size() > UINT16_MAX) {
      return absl::InvalidArgumentError(util::StrCat("log: entry ", i, " is longer than 65535 bytes"));
    }
  }
  std::vector<Edge> edges;  // edges[L]: the right-edge hash tile at level L.
  Edge bundle;
  if (auto st = LoadEdge(reader, kEntriesLevel, old_size, &bundle); !st.ok()) return st;
  auto edge = [&](int level) -> absl::StatusOr<Edge*> {
    while (static_cast<int>(edges.size()) <= level) {
      edges.emplace_back();
      if (auto st = LoadEdge(reader, static_cast<int>(edges.size()) - 1, old_size, &edges.back()); !st.ok()) return st;
    }
    return &edges[static_cast<size_t>(level)];
  };
  AppendResult result;
  auto flush = [&](int level, Edge& e) {
    result.writes.push_back(TileWrite{level, e.index, StoredTile{e.width, e.data}});
    e.dirty = false;
  };
  for (std::string_view entry : entries) {
    // The entry bundle.
    bundle.data.push_back(static_cast<char>(entry.size() >> 8));
    bundle.data.push_back(static_cast<char>(entry.size() & 0xff));
    bundle.data.append(entry);
    bundle.dirty = true;
    if (++bundle.width == kTileWidth) {
      flush(kEntriesLevel, bundle);
      bundle = Edge{bundle.index + 1, 0, std::string(), false};
    }
    // The hash tiles: add the leaf at level 0; a tile that fills carries its
    // root up as the next level's new hash.
    Hash h = LeafHash(entry);
    for (int level = 0;; ++level) {
      auto e = edge(level);
      if (!e.ok()) return e.status();
      Edge& t = **e;
      uint64_t j = t.width;
      SetSlot(t.data, 0, j, h);
      t.width++;
      t.dirty = true;
      int k = 0;
      while ((j & 1) == 1) {
        h = NodeHash(SlotAt(t.data, k, j - 1), SlotAt(t.data, k, j));
        ++k;
        j >>= 1;
        if (k == kTileHeight) break;
        SetSlot(t.data, k, j, h);
      }
      if (t.width < kTileWidth) break;
      flush(level, t);
      t.index++;
      t.width = 0;
      t.data.assign(kExpandedTileBytes, '\0');
    }
  }
  if (bundle.dirty) flush(kEntriesLevel, bundle);
  for (size_t level = 0; level < edges.size(); ++level) {
    if (edges[level].dirty) flush(static_cast<int>(level), edges[level]);
  }
  result.size = old_size + entries.size();
  // The root folds the right edge's perfect subtrees, one per set bit of
  // the size, from the smallest up; each is in the edge tile of its level.
  std::optional<Hash> acc;
  for (int b = 0; b < 64; ++b) {
    if (((result.size >> b) & 1) == 0) continue;
    int level = b / kTileHeight, k = b % kTileHeight;
    auto e = edge(level);
    if (!e.ok()) return e.status();
    uint64_t slot = ((result.size >> b) - 1) & ((kTileWidth >> k) - 1);
    Hash node = SlotAt((*e)->data, k, slot);
    acc = acc ? NodeHash(node, *acc) : node;
  }
  result.root = acc ? *acc : EmptyRoot();
  return result;
}

absl::StatusOr<AppendResult> TreeBuilder::Append(std::span<const std::string_view> entries) {
  auto result = AppendEntries(*this, size_, entries);
  if (!result.ok()) return result.status();
  for (const TileWrite& w : result->writes) {
    std::erase_if(edge_, [&](const TileWrite& e) { return e.level == w.level; });
    if (w.tile.width < kTileWidth) edge_.push_back(w);
  }
  size_ = result->size;
  return result;
}

absl::StatusOr<std::optional<StoredTile>> TreeBuilder::ReadTile(int level, uint64_t index) const {
  for (const TileWrite& e : edge_) {
    if (e.level == level && e.index == index) return e.tile;
  }
  return std::nullopt;
}

absl::StatusOr<TilePtr> TileReader::ReadTileAtLeast(int level, uint64_t index, uint32_t) const {
  auto tile = ReadTile(level, index);
  if (!tile.ok()) return tile.status();
  if (!*tile) return nullptr;
  return std::make_shared<const StoredTile>(std::move(**tile));
}

absl::StatusOr<TilePtr> TreeReader::Tile(int level, uint64_t index, uint32_t min_width) {
  for (const Cached& c : cache_) {
    if (c.level == level && c.index == index && c.tile->width >= min_width) return c.tile;
  }
  auto tile = tiles_.ReadTileAtLeast(level, index, min_width);
  if (!tile.ok()) return tile.status();
  if (*tile == nullptr || (*tile)->width < min_width || !WellFormed(level, **tile)) {
    return absl::DataLossError(util::StrCat("log: tile ", TilePath(level, index, min_width), " is ",
                                            *tile ? util::StrCat("only of width ", (*tile)->width) : "missing"));
  }
  std::erase_if(cache_, [&](const Cached& c) { return c.level == level && c.index == index; });
  cache_.push_back(Cached{level, index, *tile});
  return *tile;
}

absl::StatusOr<Hash> TreeReader::Node(int level, uint64_t index) {
  int tile_level = level / kTileHeight, k = level % kTileHeight;
  uint64_t slot = index & ((kTileWidth >> k) - 1);
  auto tile = Tile(tile_level, index >> (kTileHeight - k), static_cast<uint32_t>((slot + 1) << k));
  if (!tile.ok()) return tile.status();
  return SlotAt((*tile)->data, k, slot);
}

absl::StatusOr<Hash> TreeReader::RangeHash(uint64_t begin, uint64_t end) {
  uint64_t n = end - begin;
  if (std::has_single_bit(n) && begin % n == 0) return Node(std::countr_zero(n), begin >> std::countr_zero(n));
  uint64_t k = std::bit_floor(n - 1);
  auto left = RangeHash(begin, begin + k);
  if (!left.ok()) return left.status();
  auto right = RangeHash(begin + k, end);
  if (!right.ok()) return right.status();
  return NodeHash(*left, *right);
}

absl::StatusOr<Hash> TreeReader::Root(uint64_t size) {
  if (size == 0) return EmptyRoot();
  return RangeHash(0, size);
}

absl::StatusOr<std::string> TreeReader::Entry(uint64_t index) {
  auto slot = static_cast<uint32_t>(index % kTileWidth);
  auto tile = Tile(kEntriesLevel, index / kTileWidth, slot + 1);
  if (!tile.ok()) return tile.status();
  // Well formed (checked on read), so the prefixes exist.
  size_t begin = *BundlePrefix((*tile)->data, slot), end = *BundlePrefix((*tile)->data, slot + 1);
  return (*tile)->data.substr(begin + 2, end - begin - 2);
}

absl::StatusOr<std::vector<Hash>> InclusionProof(TreeReader& tree, uint64_t index, uint64_t size) {
  if (index >= size) {
    return absl::OutOfRangeError(util::StrCat("index ", index, " is not below tree size ", size));
  }
  // RFC 9162 PATH(m, D[n]) walked from the root down; the siblings come out
  // top first, and the proof lists them bottom first.
  std::vector<Hash> proof;
  uint64_t begin = 0, end = size;
  while (end - begin > 1) {
    uint64_t k = std::bit_floor(end - begin - 1);
    absl::StatusOr<Hash> sibling;
    if (index - begin < k) {
      sibling = tree.RangeHash(begin + k, end);
      end = begin + k;
    } else {
      sibling = tree.RangeHash(begin, begin + k);
      begin += k;
    }
    if (!sibling.ok()) return sibling.status();
    proof.push_back(*sibling);
  }
  std::reverse(proof.begin(), proof.end());
  return proof;
}

absl::StatusOr<std::vector<Hash>> ConsistencyProof(TreeReader& tree, uint64_t old_size, uint64_t new_size) {
  if (old_size > new_size) {
    return absl::OutOfRangeError(util::StrCat("old size ", old_size, " is beyond new size ", new_size));
  }
  std::vector<Hash> proof;
  if (old_size == 0 || old_size == new_size) return proof;
  // RFC 9162 SUBPROOF(m, D[n], true), walked from the root down.
  uint64_t m = old_size, begin = 0, end = new_size;
  bool whole = true;  // SUBPROOF's b: the old tree is this subtree's left part.
  while (m != end - begin) {
    uint64_t k = std::bit_floor(end - begin - 1);
    absl::StatusOr<Hash> node;
    if (m <= k) {
      node = tree.RangeHash(begin + k, end);
      end = begin + k;
    } else {
      node = tree.RangeHash(begin, begin + k);
      begin += k;
      m -= k;
      whole = false;
    }
    if (!node.ok()) return node.status();
    proof.push_back(*node);
  }
  if (!whole) {
    auto node = tree.RangeHash(begin, end);
    if (!node.ok()) return node.status();
    proof.push_back(*node);
  }
  std::reverse(proof.begin(), proof.end());
  return proof;
}

}  // namespace aisafe::log
