// The tiled tree against C2SP tlog-tiles vectors from real logs (Tessera's
// and Sunlight's test logs, tests/data/tlog/SOURCES.md) and against the naive
// reference tree: tiles, roots, and every proof the tiles produce.
#include "log/tiles.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <random>

#include "nlohmann/json.hpp"
#include "tests/merkle_reference.h"
#include "util/base64.h"
#include "util/hex.h"
#include "util/strings.h"

namespace aisafe::log {
namespace {

using Json = nlohmann::json;

Json Load(const std::string& name) {
  std::ifstream in(std::string(AISAFE_TLOG_DATA) + "/" + name);
  return Json::parse(in);
}

// Tiles in memory, the way the store keeps them: one row per tile, replaced
// as it grows.
class MemoryTiles : public TileReader {
 public:
  absl::StatusOr<std::optional<StoredTile>> ReadTile(int level, uint64_t index) const override {
    auto it = tiles_.find({level, index});
    if (it == tiles_.end()) return std::nullopt;
    return it->second;
  }
  // Appends and applies the writes; returns the new root.
  Hash Append(const std::vector<std::string>& entries) {
    std::vector<std::string_view> views(entries.begin(), entries.end());
    auto r = AppendEntries(*this, size_, views);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return Hash{};
    for (auto& w : r->writes) tiles_[{w.level, w.index}] = w.tile;
    size_ = r->size;
    return r->root;
  }
  uint64_t size() const { return size_; }
  std::map<std::pair<int, uint64_t>, StoredTile> tiles_;

 private:
  uint64_t size_ = 0;
};

std::string Served(const MemoryTiles& tiles, const std::string& path) {
  auto req = ParseTilePath(path);
  if (!req.ok()) return util::StrCat("bad path: ", req.status().message());
  auto stored = tiles.ReadTile(req->level, req->index);
  if (!stored.ok() || !*stored) return "missing";
  auto served = ServedTile(req->level, **stored, req->width);
  return served.ok() ? util::ToHex(*served) : std::string(served.status().message());
}

Hash CheckpointRoot(const std::string& note) {
  // Third line of the checkpoint body.
  size_t a = note.find('\n'), b = note.find('\n', a + 1), c = note.find('\n', b + 1);
  auto raw = util::Base64Decode(note.substr(b + 1, c - b - 1));
  Hash h{};
  if (raw && raw->size() == 32) std::copy(raw->begin(), raw->end(), h.begin());
  return h;
}

TEST(Tiles, PathVectors) {
  Json d = Load("tiles.json");
  for (const auto& v : d["tile_index_paths"]) {
    uint64_t n = v["n"];
    EXPECT_EQ(TilePath(0, n, 256), "tile/0/" + v["path"].get<std::string>());
    auto req = ParseTilePath("tile/0/" + v["path"].get<std::string>());
    ASSERT_TRUE(req.ok()) << req.status();
    EXPECT_EQ(req->index, n);
  }
  for (const auto& v : d["tile_path_examples"]) {
    auto req = ParseTilePath(v.get<std::string>());
    ASSERT_TRUE(req.ok()) << v << req.status();
    EXPECT_EQ(TilePath(req->level, req->index, req->width), v.get<std::string>());
  }
  for (const char* name : {"spec_example_70000", "spec_example_256"}) {
    uint64_t size = d[name]["tree_size"];
    for (const auto& c : d[name]["computed"]) {
      int level = c["level"];
      EXPECT_EQ(PartialWidth(level, size), c["partial_width"].get<uint32_t>()) << name << " level " << level;
      EXPECT_EQ(size >> (8 * (level + 1)), c["full_tiles"].get<uint64_t>()) << name << " level " << level;
    }
  }
}

TEST(Tiles, BadPathsAreRejected) {
  for (const char* bad : {"",
                          "tile",
                          "tile/0",
                          "tile/0/",
                          "tile/00/000",
                          "tile/-1/000",
                          "tile/64/000",
                          "tile/0/0",
                          "tile/0/0000",
                          "tile/0/x000/001",
                          "tile/0/001/002",
                          "tile/0/xabc/000",
                          "tile/0/000.p/0",
                          "tile/0/000.p/256",
                          "tile/0/000.p/",
                          "tile/0/000.p/01",
                          "tile/entries/x1/000",
                          "tile/0/x999/x999/x999/x999/x999/x999/x999/999",
                          "tiles/0/000",
                          "tile/0/000.p/15/"}) {
    EXPECT_FALSE(ParseTilePath(bad).ok()) << bad;
  }
}

// Tessera's test log was built one entry at a time; after each append our
// root must equal its signed checkpoint's, and our partial tiles its files.
TEST(Tiles, TesseraLogOneEntryAtATime) {
  Json d = Load("tiles.json")["tessera_testdata_log"];
  MemoryTiles tiles;
  EXPECT_EQ(CheckpointRoot(d["checkpoints"]["0"]), EmptyRoot());
  for (const auto& e : d["entries_ascii"]) {
    Hash root = tiles.Append({e.get<std::string>()});
    std::string n = std::to_string(tiles.size());
    EXPECT_EQ(util::ToHex(root), util::ToHex(CheckpointRoot(d["checkpoints"][n]))) << "size " << n;
    TreeReader reader(tiles);
    auto stored_root = reader.Root(tiles.size());
    ASSERT_TRUE(stored_root.ok()) << stored_root.status();
    EXPECT_EQ(*stored_root, root);
  }
  for (const auto& [path, hex] : d["entry_bundles_hex"].items()) EXPECT_EQ(Served(tiles, path), hex) << path;
  for (const auto& [path, hex] : d["level0_tiles_hex"].items()) EXPECT_EQ(Served(tiles, path), hex) << path;
}

// Sunlight's 300-entry test tree crosses the first tile boundary: full and
// partial level-0 tiles and a level-1 tile.
TEST(Tiles, SunlightTreeInOneBatchAndInPieces) {
  Json d = Load("tiles.json")["sunlight_mirror_300"];
  std::vector<std::string> entries;
  for (int i = 0; i < d["tree_size"].get<int>(); ++i) entries.push_back(util::StrCat("record ", i));
  MemoryTiles whole;
  Hash root = whole.Append(entries);
  EXPECT_EQ(util::ToHex(root), util::ToHex(CheckpointRoot(d["checkpoint"])));
  for (const auto& [path, hex] : d["tiles_hex"].items()) EXPECT_EQ(Served(whole, path), hex) << path;

  // Any split into batches stores the very same tiles.
  std::mt19937_64 rng(7);
  for (int round = 0; round < 20; ++round) {
    MemoryTiles pieces;
    size_t at = 0;
    while (at < entries.size()) {
      size_t n = std::min<size_t>(entries.size() - at, 1 + rng() % 90);
      pieces.Append(std::vector<std::string>(entries.begin() + at, entries.begin() + at + n));
      at += n;
    }
    ASSERT_EQ(pieces.tiles_.size(), whole.tiles_.size());
    for (const auto& [key, tile] : whole.tiles_) {
      EXPECT_EQ(pieces.tiles_[key].width, tile.width);
      EXPECT_TRUE(pieces.tiles_[key].data == tile.data) << key.first << "/" << key.second;
    }
  }
}

std::vector<std::string> Entries(uint64_t n, uint64_t seed) {
  std::vector<std::string> out;
  for (uint64_t i = 0; i < n; ++i) out.push_back(util::StrCat("entry ", seed, " ", i));
  return out;
}

// Proofs generated from the tiles of the 8-leaf reference tree equal the
// published ones (CT, transparency-dev/merkle).
TEST(Tiles, ProofsMatchPublishedVectors) {
  Json inc = Load("inclusion.json");
  MemoryTiles tiles;
  std::vector<std::string> leaves;
  for (const auto& hex : inc["reference_leaf_inputs_hex"]) leaves.push_back(*util::FromHex(hex.get<std::string>()));
  tiles.Append(leaves);
  int checked = 0;
  for (const auto& v : inc["vectors"]) {
    if (!v.value("want_valid", false) || v["tree_size"].get<uint64_t>() > 8 || !v.contains("leaf_input")) continue;
    if (util::ToHex(LeafHash(*util::FromHex(v["leaf_input"].get<std::string>()))) != v["leaf_hash"]) continue;
    TreeReader reader(tiles);
    auto proof = InclusionProof(reader, v["leaf_index"], v["tree_size"]);
    ASSERT_TRUE(proof.ok()) << proof.status();
    std::vector<std::string> hex;
    for (const Hash& h : *proof) hex.push_back(util::ToHex(h));
    EXPECT_EQ(Json(hex), v["proof"]) << v["desc"];
    ++checked;
  }
  EXPECT_GE(checked, 5);  // The vectors over the reference tree.
  Json con = Load("consistency.json");
  checked = 0;
  for (const auto& v : con["derived_all_pairs_8_leaf_tree"]) {
    if (!v["want_valid"].get<bool>()) continue;
    TreeReader reader(tiles);
    auto proof = ConsistencyProof(reader, v["size1"], v["size2"]);
    ASSERT_TRUE(proof.ok()) << proof.status();
    std::vector<std::string> hex;
    for (const Hash& h : *proof) hex.push_back(util::ToHex(h));
    EXPECT_EQ(Json(hex), v["proof"]) << v["size1"] << " -> " << v["size2"];
    ++checked;
  }
  EXPECT_GE(checked, 36);
}

// The property test of the issue: random trees up to 10,000 entries built in
// random batches; every proof from the tiles equals the reference's and
// verifies, for every earlier size too (a tile serves all sizes); tampering
// with any byte of a proof or root fails.
TEST(Tiles, RandomTreesProveLikeTheReference) {
  std::mt19937_64 rng(20261123);
  for (int round = 0; round < 12; ++round) {
    uint64_t size = round < 4 ? 1 + rng() % 600 : 1 + rng() % 10000;
    std::vector<std::string> entries = Entries(size, round);
    Reference ref;
    for (const auto& e : entries) ref.leaves.push_back(LeafHash(e));
    MemoryTiles tiles;
    for (size_t at = 0; at < entries.size();) {
      size_t n = std::min<size_t>(entries.size() - at, 1 + rng() % 700);
      Hash root = tiles.Append(std::vector<std::string>(entries.begin() + at, entries.begin() + at + n));
      at += n;
      ASSERT_EQ(root, ref.Root(0, at)) << "size " << at;
    }
    for (int probe = 0; probe < 40; ++probe) {
      uint64_t n = 1 + rng() % size, m = rng() % n;
      TreeReader reader(tiles);
      auto entry = reader.Entry(m);
      ASSERT_TRUE(entry.ok()) << entry.status();
      EXPECT_EQ(*entry, entries[m]);
      auto proof = InclusionProof(reader, m, n);
      ASSERT_TRUE(proof.ok()) << proof.status();
      std::vector<Hash> want;
      ref.Path(m, 0, n, &want);
      ASSERT_EQ(*proof, want) << m << " in " << n;
      Hash root = ref.Root(0, n);
      ASSERT_TRUE(VerifyInclusion(m, n, ref.leaves[m], *proof, root).ok());
      if (!proof->empty()) {
        auto bad = *proof;
        bad[rng() % bad.size()][rng() % 32] ^= static_cast<uint8_t>(1 + rng() % 255);
        EXPECT_FALSE(VerifyInclusion(m, n, ref.leaves[m], bad, root).ok());
      }
      Hash bad_root = root;
      bad_root[rng() % 32] ^= 0x80;
      EXPECT_FALSE(VerifyInclusion(m, n, ref.leaves[m], *proof, bad_root).ok());

      uint64_t old_size = rng() % (n + 1);
      auto cons = ConsistencyProof(reader, old_size, n);
      ASSERT_TRUE(cons.ok()) << cons.status();
      std::vector<Hash> want_cons;
      if (old_size > 0 && old_size < n) ref.SubProof(old_size, 0, n, true, &want_cons);
      ASSERT_EQ(*cons, want_cons) << old_size << " -> " << n;
      Hash old_root = ref.Root(0, old_size);
      ASSERT_TRUE(VerifyConsistency(old_size, n, *cons, old_root, root).ok()) << old_size << " -> " << n;
      if (!cons->empty()) {
        auto bad = *cons;
        bad[rng() % bad.size()][rng() % 32] ^= 0x01;
        EXPECT_FALSE(VerifyConsistency(old_size, n, bad, old_root, root).ok());
        EXPECT_FALSE(VerifyConsistency(old_size, n, *cons, old_root, bad_root).ok());
      }
      auto stored_root = reader.Root(n);
      ASSERT_TRUE(stored_root.ok());
      EXPECT_EQ(*stored_root, root);
    }
  }
}

TEST(Tiles, ProofArgumentsOutOfRange) {
  MemoryTiles tiles;
  tiles.Append(Entries(10, 1));
  TreeReader reader(tiles);
  EXPECT_EQ(InclusionProof(reader, 10, 10).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(InclusionProof(reader, 0, 0).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(ConsistencyProof(reader, 5, 4).status().code(), absl::StatusCode::kOutOfRange);
  // Beyond the stored tree the tiles are missing: DataLoss, not garbage.
  EXPECT_EQ(InclusionProof(reader, 3, 300).status().code(), absl::StatusCode::kDataLoss);
}

TEST(Tiles, DamagedRightEdgeIsDetected) {
  MemoryTiles tiles;
  tiles.Append(Entries(300, 2));
  auto missing = tiles;
  missing.tiles_.erase({0, 1});
  std::vector<std::string_view> more = {"x"};
  EXPECT_EQ(AppendEntries(missing, 300, more).status().code(), absl::StatusCode::kDataLoss);
  auto narrow = tiles;
  narrow.tiles_[{kEntriesLevel, 1}].data.pop_back();
  EXPECT_EQ(AppendEntries(narrow, 300, more).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(AppendEntries(tiles, 299, more).status().code(), absl::StatusCode::kDataLoss);
  std::string huge(70000, 'a');
  std::vector<std::string_view> too_long = {huge};
  EXPECT_EQ(AppendEntries(tiles, 300, too_long).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace aisafe::log
