// The node's transparency log as its users see it (node/transparency.h):
// proofs verified against the signed checkpoints, and the audit that
// rebuilds the tree, run on a real node whose store is then tampered with
// directly in SQLite.
#include "node/transparency.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>

#include "log/checkpoint.h"
#include "log/merkle.h"
#include "node/node.h"
#include "node/submitter.h"
#include "tests/merkle_reference.h"
#include "tests/test_util.h"
#include "util/base64.h"
#include "util/hex.h"
#include "util/strings.h"

namespace aisafe::node {
namespace {

constexpr char kName[] = "my-mcmc";

// A valid incident whose title makes it distinct.
std::string Incident(int i) {
  return util::StrCat(
      R"({"type":"incident","tlp":"clear","lang":"en","countries":["MY"],"title":"Deepfake investment video )", i,
      R"(","body":{"occurred":"2026-09-14","domain":"financial","harm_categories":["malicious-use"],)",
      R"("severity":"high","description":"A cloned voice invites people to invest."}})");
}

std::string_view IdBytes(const store::RecordId& id) { return {reinterpret_cast<const char*>(id.data()), id.size()}; }

// A node with a 0 checkpoint interval holding 261 records, submitted in
// batches of 3, 1, 7 and 250: checkpoints of sizes 0, 3, 4, 11 and 261,
// and a tree that crosses a tile boundary.
class TransparencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.Sub("node");
    ASSERT_TRUE(Node::Init(dir_, kName, "MY").ok());
    std::ofstream(dir_ + "/node.toml") << "format = 1\nname = \"" << kName
                                       << "\"\ncountry = \"MY\"\n[log]\ncheckpoint_interval_ms = 0\n";
    Reopen();
    ASSERT_EQ(node_->config().checkpoint_interval, absl::ZeroDuration());
    for (auto [from, to] : {std::pair{0, 3}, {3, 4}, {4, 11}, {11, 261}}) {
      ASSERT_NO_FATAL_FAILURE(Submit(from, to, &node_->checkpoint_signer()));
    }
  }

  void Reopen() {
    node_.reset();
    auto n = Node::Open(dir_);
    ASSERT_TRUE(n.ok()) << n.status();
    node_ = std::move(*n);
  }

  // Submits Incident(from) .. Incident(to - 1) in one batch.
  void Submit(int from, int to, const store::CheckpointSigner* signer) {
    Submitter submitter({.origin = kName}, &node_->store(), &clock_, signer);
    std::vector<std::string> texts;
    for (int i = from; i < to; ++i) texts.push_back(Incident(i));
    std::vector<InputDoc> docs;
    for (const auto& t : texts) docs.push_back({t, docs.size() + 1});
    auto r = submitter.Submit(docs, "test");
    ASSERT_TRUE(r.ok()) << r.status();
    for (const auto& s : *r) {
      ASSERT_TRUE(s.created);
      ids_.push_back(s.id);
    }
  }

  log::Checkpoint OpenNote(const std::string& note) {
    auto opened = log::OpenCheckpoint(note, node_->signer().verifier(), kName);
    EXPECT_TRUE(opened.ok()) << opened.status();
    return opened.ok() ? opened->checkpoint : log::Checkpoint{};
  }

  log::Reference Ref() const {
    log::Reference ref;
    for (const auto& id : ids_) ref.leaves.push_back(log::LeafHash(IdBytes(id)));
    return ref;
  }

  absl::StatusOr<LogAudit> Audit() { return AuditLog(node_->store(), node_->signer().verifier(), kName); }

  // Closes the node, runs `sql` on its store with sqlite3 (binding `blob`
  // to ?1 if given), and opens the node again.
  void Tamper(const std::string& sql, std::optional<std::string> blob = std::nullopt) {
    node_.reset();
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ + "/store.sqlite").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    if (blob) sqlite3_bind_blob(st, 1, blob->data(), static_cast<int>(blob->size()), SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(st), SQLITE_DONE) << sqlite3_errmsg(db);
    EXPECT_EQ(sqlite3_changes(db), 1) << sql;
    sqlite3_finalize(st);
    sqlite3_close(db);
    Reopen();
  }

  // Expects the audit to fail with DataLoss naming `what`.
  void ExpectAuditFails(const std::string& what) {
    auto audit = Audit();
    ASSERT_FALSE(audit.ok());
    EXPECT_EQ(audit.status().code(), absl::StatusCode::kDataLoss) << audit.status();
    EXPECT_NE(audit.status().message().find(what), absl::string_view::npos) << audit.status();
  }

  testing::TempDir tmp_;
  std::string dir_;
  util::FakeClock clock_{absl::FromUnixSeconds(1795427122)};
  std::unique_ptr<Node> node_;
  std::vector<store::RecordId> ids_;
};

constexpr uint64_t kSizes[] = {0, 3, 4, 11, 261};

TEST_F(TransparencyTest, EveryBatchSignedACheckpoint) {
  auto all = node_->store().ListCheckpoints(std::nullopt, 100);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), std::size(kSizes));
  log::Reference ref = Ref();
  for (size_t i = 0; i < all->size(); ++i) {
    EXPECT_EQ((*all)[i].size, kSizes[i]);
    log::Checkpoint cp = OpenNote((*all)[i].note);
    EXPECT_EQ(cp.origin, kName);
    EXPECT_EQ(cp.size, kSizes[i]);
    EXPECT_EQ(util::ToHex(cp.root), util::ToHex(ref.Root(0, kSizes[i])));
  }
}

TEST_F(TransparencyTest, ProvesRecordsAgainstTheNewestCheckpoint) {
  for (uint64_t index : {0, 1, 10, 200, 255, 256, 260}) {
    auto answer = ProveRecord(node_->store(), ids_[index], std::nullopt);
    ASSERT_TRUE(answer.ok()) << answer.status();
    EXPECT_EQ(answer->index, index);
    EXPECT_EQ(answer->tree_size, 261u);
    ASSERT_TRUE(answer->checkpoint.has_value());
    EXPECT_EQ(answer->checkpoint->size, 261u);
    log::Checkpoint cp = OpenNote(answer->checkpoint->note);
    log::Hash leaf = log::LeafHash(IdBytes(ids_[index]));
    EXPECT_TRUE(log::VerifyInclusion(answer->index, answer->tree_size, leaf, answer->proof, cp.root).ok()) << index;
    // The proof is evidence: another leaf, or a changed element, fails.
    log::Hash other = log::LeafHash(IdBytes(ids_[(index + 1) % 261]));
    EXPECT_FALSE(log::VerifyInclusion(answer->index, answer->tree_size, other, answer->proof, cp.root).ok());
    ASSERT_FALSE(answer->proof.empty());
    auto bad = answer->proof;
    bad.back()[0] ^= 1;
    EXPECT_FALSE(log::VerifyInclusion(answer->index, answer->tree_size, leaf, bad, cp.root).ok());
  }
}

TEST_F(TransparencyTest, ProvesRecordsAtGivenSizes) {
  log::Reference ref = Ref();
  // Every kept checkpoint's size: the answer carries that checkpoint.
  for (uint64_t size : kSizes) {
    for (uint64_t index = 0; index < size; index += 1 + size / 7) {
      auto answer = ProveRecord(node_->store(), ids_[index], size);
      ASSERT_TRUE(answer.ok()) << answer.status();
      EXPECT_EQ(answer->tree_size, size);
      ASSERT_TRUE(answer->checkpoint.has_value()) << size;
      EXPECT_EQ(answer->checkpoint->size, size);
      log::Checkpoint cp = OpenNote(answer->checkpoint->note);
      EXPECT_TRUE(log::VerifyInclusion(index, size, log::LeafHash(IdBytes(ids_[index])), answer->proof, cp.root).ok())
          << index << " in " << size;
    }
  }
  // Sizes no checkpoint was kept for: no checkpoint, a proof against the
  // tree of that size.
  for (uint64_t size : {1, 2, 5, 100, 256, 257, 260}) {
    uint64_t index = size - 1;
    auto answer = ProveRecord(node_->store(), ids_[index], size);
    ASSERT_TRUE(answer.ok()) << answer.status();
    EXPECT_FALSE(answer->checkpoint.has_value()) << size;
    EXPECT_TRUE(
        log::VerifyInclusion(index, size, log::LeafHash(IdBytes(ids_[index])), answer->proof, ref.Root(0, size)).ok())
        << index << " in " << size;
  }
}

TEST_F(TransparencyTest, ProveRecordErrors) {
  auto unknown = ProveRecord(node_->store(), util::Sha256("no such record"), std::nullopt);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound) << unknown.status();
  EXPECT_EQ(ProveRecord(node_->store(), util::Sha256("no such record"), 10).status().code(),
            absl::StatusCode::kNotFound);

  auto beyond = ProveRecord(node_->store(), ids_[0], 262);
  EXPECT_EQ(beyond.status().code(), absl::StatusCode::kOutOfRange) << beyond.status();
  EXPECT_NE(beyond.status().message().find("beyond"), absl::string_view::npos) << beyond.status();
  EXPECT_EQ(ProveRecord(node_->store(), ids_[0], UINT64_MAX).status().code(), absl::StatusCode::kOutOfRange);

  auto not_yet = ProveRecord(node_->store(), ids_[10], 10);  // Entry 10 is not in the tree of 10.
  EXPECT_EQ(not_yet.status().code(), absl::StatusCode::kOutOfRange) << not_yet.status();
  EXPECT_EQ(ProveRecord(node_->store(), ids_[0], 0).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_TRUE(ProveRecord(node_->store(), ids_[10], 11).ok());
}

TEST_F(TransparencyTest, RecordNotYetCheckpointedIsProvedOnceTheLogIsCheckpointed) {
  ASSERT_NO_FATAL_FAILURE(Submit(261, 263, nullptr));  // Logged, not checkpointed.
  EXPECT_EQ(*node_->store().LogSize(), 263u);
  auto answer = ProveRecord(node_->store(), ids_[262], std::nullopt);
  EXPECT_EQ(answer.status().code(), absl::StatusCode::kOutOfRange) << answer.status();
  EXPECT_NE(answer.status().message().find("next checkpoint"), absl::string_view::npos) << answer.status();
  EXPECT_TRUE(ProveRecord(node_->store(), ids_[262], 263).ok());

  auto cp = node_->CheckpointLog();
  ASSERT_TRUE(cp.ok()) << cp.status();
  EXPECT_EQ(cp->size, 263u);
  answer = ProveRecord(node_->store(), ids_[262], std::nullopt);
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_TRUE(
      log::VerifyInclusion(262, 263, log::LeafHash(IdBytes(ids_[262])), answer->proof, OpenNote(cp->note).root).ok());
}

TEST_F(TransparencyTest, ProvesConsistencyBetweenEveryPairOfCheckpoints) {
  auto all = node_->store().ListCheckpoints(std::nullopt, 100);
  ASSERT_TRUE(all.ok() && all->size() == std::size(kSizes));
  for (const auto& older : *all) {
    for (const auto& newer : *all) {
      if (older.size > newer.size) continue;
      auto proof = ProveConsistency(node_->store(), older.size, newer.size);
      ASSERT_TRUE(proof.ok()) << proof.status();
      log::Hash old_root = OpenNote(older.note).root, new_root = OpenNote(newer.note).root;
      EXPECT_TRUE(log::VerifyConsistency(older.size, newer.size, *proof, old_root, new_root).ok())
          << older.size << " -> " << newer.size;
      if (!proof->empty()) {
        auto bad = *proof;
        bad[0][31] ^= 0x40;
        EXPECT_FALSE(log::VerifyConsistency(older.size, newer.size, bad, old_root, new_root).ok());
      }
    }
  }
  auto beyond = ProveConsistency(node_->store(), 11, 262);
  EXPECT_EQ(beyond.status().code(), absl::StatusCode::kOutOfRange) << beyond.status();
  auto backwards = ProveConsistency(node_->store(), 11, 4);
  EXPECT_EQ(backwards.status().code(), absl::StatusCode::kOutOfRange) << backwards.status();
}

TEST_F(TransparencyTest, AuditPassesOnAGoodNode) {
  int calls = 0;
  auto audit = AuditLog(node_->store(), node_->signer().verifier(), kName, [&](uint64_t done, uint64_t total) {
    ++calls;
    EXPECT_LE(done, total);
    EXPECT_EQ(total, 261u);
  });
  ASSERT_TRUE(audit.ok()) << audit.status();
  EXPECT_EQ(audit->entries, 261u);
  EXPECT_EQ(audit->checkpoints, std::size(kSizes));
  // tile/0/000, tile/0/001.p/5, tile/1/000.p/1, tile/entries/000, tile/entries/001.p/5.
  EXPECT_EQ(audit->tiles, 5u);
  EXPECT_GE(calls, 1);
  // Another key, or another origin, is not this node's.
  auto other = keys::Signer::Generate(kName);
  EXPECT_EQ(AuditLog(node_->store(), other.verifier(), kName).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(AuditLog(node_->store(), node_->signer().verifier(), "sg-aisi").status().code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(TransparencyTest, AuditFindsChangedRecordBytes) {
  ASSERT_TRUE(Audit().ok());
  Tamper(
      "UPDATE records SET canonical = CAST(replace(CAST(canonical AS TEXT), 'investment video 5\"', "
      "'investment video 6\"') AS BLOB) WHERE log_index = 5");
  ExpectAuditFails(util::StrCat("record ", util::ToHex(ids_[5]), " (log entry 5) does not hash to its id"));
}

struct TileFlip {
  int level;
  uint64_t index;
  size_t byte;
  const char* path;
};

TEST_F(TransparencyTest, AuditFindsAFlippedTileByte) {
  ASSERT_TRUE(Audit().ok());
  const TileFlip flips[] = {
      {0, 0, 100, "tile tile/0/000 "},              // A leaf hash of a full tile.
      {0, 0, 256 * 32 + 7, "tile tile/0/000 "},     // An interior node of the expanded tile.
      {0, 1, 4 * 32 + 31, "tile tile/0/001.p/5 "},  // The right edge.
      {1, 0, 3, "tile tile/1/000.p/1 "},
      {log::kEntriesLevel, 0, 2 + 34 * 9, "tile tile/entries/000 "},  // An entry of a bundle.
      {log::kEntriesLevel, 1, 0, "tile tile/entries/001.p/5 "},       // A length prefix.
  };
  for (const TileFlip& f : flips) {
    SCOPED_TRACE(f.path);
    auto tile = node_->store().ReadTile(f.level, f.index);
    ASSERT_TRUE(tile.ok() && tile->has_value());
    std::string original = (*tile)->data;
    std::string flipped = original;
    ASSERT_LT(f.byte, flipped.size());
    flipped[f.byte] ^= 0x01;
    std::string where = util::StrCat(" WHERE level = ", f.level, " AND idx = ", f.index);
    Tamper(util::StrCat("UPDATE log_tiles SET data = ?1", where), flipped);
    ExpectAuditFails(util::StrCat(f.path, "differs"));
    Tamper(util::StrCat("UPDATE log_tiles SET data = ?1", where), original);
    ASSERT_TRUE(Audit().ok());
  }
  // A tile that is missing.
  Tamper("DELETE FROM log_tiles WHERE level = 0 AND idx = 1");
  ExpectAuditFails("tile tile/0/001.p/5 is missing");
}

TEST_F(TransparencyTest, AuditFindsAnAlteredCheckpointNote) {
  ASSERT_TRUE(Audit().ok());
  auto all = *node_->store().ListCheckpoints(std::nullopt, 100);
  std::string note = all[2].note;  // Size 4.
  ASSERT_EQ(all[2].size, 4u);
  // Another root, keeping the signature: it no longer verifies.
  log::Hash other_root = Ref().Root(0, 3);
  std::string old_line = util::StrCat("\n", util::Base64Encode(IdBytes(OpenNote(note).root)), "\n");
  size_t at = note.find(old_line);
  ASSERT_NE(at, std::string::npos) << note;
  note.replace(at, old_line.size(), util::StrCat("\n", util::Base64Encode(IdBytes(other_root)), "\n"));
  Tamper("UPDATE log_checkpoints SET note = CAST(?1 AS TEXT) WHERE size = 4", note);
  ExpectAuditFails("checkpoint of size 4");
}

TEST_F(TransparencyTest, AuditFindsACheckpointOfAWrongRoot) {
  ASSERT_TRUE(Audit().ok());
  // Correctly signed by the node's own key, for a size inside a batch,
  // but for a root that is not the tree's.
  std::string note = log::SignCheckpoint(log::Checkpoint{kName, 7, util::Sha256("not the tree"), {}}, node_->signer());
  Tamper("INSERT INTO log_checkpoints (size, created_us, note) VALUES (7, 1, CAST(?1 AS TEXT))", note);
  ExpectAuditFails("checkpoint of size 7 signs size 7 and root ");
  auto audit = Audit();
  EXPECT_NE(audit.status().message().find(util::ToHex(Ref().Root(0, 7))), absl::string_view::npos) << audit.status();
}

TEST_F(TransparencyTest, AuditFindsACheckpointBySomeoneElse) {
  auto impostor = keys::Signer::Generate(kName);
  std::string note = log::SignCheckpoint(log::Checkpoint{kName, 7, Ref().Root(0, 7), {}}, impostor);
  Tamper("INSERT INTO log_checkpoints (size, created_us, note) VALUES (7, 1, CAST(?1 AS TEXT))", note);
  ExpectAuditFails("checkpoint of size 7: checkpoint is not signed by");
}

TEST_F(TransparencyTest, AuditFindsADeletedRecord) {
  ASSERT_TRUE(Audit().ok());
  Tamper("DELETE FROM records WHERE log_index = 100");
  ExpectAuditFails("the log has 261 entries but the store 260 records");
}

TEST_F(TransparencyTest, AuditFindsTheNewestRecordDeleted) {
  // The log then looks one shorter, but the checkpoint of 261 remains.
  Tamper("DELETE FROM records WHERE log_index = 260");
  ExpectAuditFails("a checkpoint of size 261 is beyond the log's size 260");
}

TEST_F(TransparencyTest, AuditFindsAMovedLogIndex) {
  Tamper("UPDATE records SET log_index = 1000 WHERE log_index = 100");
  ExpectAuditFails("the log has 1001 entries but the store 261 records");
}

}  // namespace
}  // namespace aisafe::node
