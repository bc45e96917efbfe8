// The witness (federation/witness.h) on a real node store, against an
// origin log built here in memory: trust on first use, advances proven by
// consistency proofs, unproven checkpoints kept, split views raised once,
// blocking until cleared, and our cosignatures verifying with the node's
// cosignature/v1 key.
#include "federation/witness.h"

#include <gtest/gtest.h>

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "log/merkle.h"
#include "log/note.h"
#include "log/tiles.h"
#include "node/node.h"
#include "tests/merkle_reference.h"
#include "tests/test_util.h"
#include "util/strings.h"

namespace aisafe::federation {
namespace {

using Kind = Observation::Kind;

constexpr char kOrigin[] = "th.origin";
constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();

// An origin's log in memory (kept under 256 entries, so the TreeBuilder's
// right-edge tiles hold the whole tree and every older size's nodes). Entry
// i is "entry i" up to `fork_at` and "SALT i" from there: two logs with the
// same fork_at and different salts agree up to it and disagree after.
class OriginLog {
 public:
  explicit OriginLog(std::string salt = "honest", uint64_t fork_at = kNever)
      : salt_(std::move(salt)), fork_at_(fork_at) {}

  void Grow(uint64_t size) {
    ASSERT_LT(size, 256u);
    while (builder_.size() < size) {
      uint64_t i = builder_.size();
      std::string entry = i < fork_at_ ? util::StrCat("entry ", i) : util::StrCat(salt_, " ", i);
      std::string_view view = entry;
      auto appended = builder_.Append({&view, 1});
      ASSERT_TRUE(appended.ok()) << appended.status();
      ref_.leaves.push_back(log::LeafHash(entry));
    }
  }
  log::Hash Root(uint64_t size) {
    Grow(size);
    log::TreeReader tree(builder_);
    auto root = tree.Root(size);
    EXPECT_TRUE(root.ok()) << root.status();
    // The test's own machinery, checked against the naive tree.
    EXPECT_EQ(root.ok() ? *root : log::Hash{}, ref_.Root(0, size)) << size;
    return root.ok() ? *root : log::Hash{};
  }
  std::vector<log::Hash> Proof(uint64_t old_size, uint64_t new_size) {
    Grow(new_size);
    log::TreeReader tree(builder_);
    auto proof = log::ConsistencyProof(tree, old_size, new_size);
    EXPECT_TRUE(proof.ok()) << proof.status();
    return proof.ok() ? *proof : std::vector<log::Hash>{};
  }
  ConsistencyEvidence Evidence(uint64_t old_size, uint64_t new_size) {
    return ConsistencyEvidence{old_size, new_size, Proof(old_size, new_size)};
  }

 private:
  std::string salt_;
  uint64_t fork_at_;
  log::TreeBuilder builder_;
  log::Reference ref_;
};

class WitnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto node = node::Node::Init(dir_.Sub("node"), "sg-aisi", "SG");
    ASSERT_TRUE(node.ok()) << node.status();
    node_ = std::move(*node);
    witness_ = std::make_unique<Witness>(&node_->store(), &node_->signer(), &clock_);
  }

  store::Store& store() { return node_->store(); }

  // The origin's signed checkpoint of `log` at `size`, opened as the
  // callers of Observe open it.
  log::SignedCheckpoint Checkpoint(OriginLog& log, uint64_t size) {
    std::string note = log::SignCheckpoint(log::Checkpoint{kOrigin, size, log.Root(size), {}}, origin_key_);
    return Open(note);
  }
  log::SignedCheckpoint Open(const std::string& note) {
    auto opened = log::OpenCheckpoint(note, origin_key_.verifier(), kOrigin);
    EXPECT_TRUE(opened.ok()) << opened.status();
    return opened.ok() ? *opened : log::SignedCheckpoint{};
  }
  // `cp` as a third party's witness cosigned it.
  log::SignedCheckpoint CosignedByOther(const log::SignedCheckpoint& cp, uint64_t timestamp = 1'700'000'000) {
    auto cosigned = log::AddCosignature(cp.note, other_witness_, timestamp);
    EXPECT_TRUE(cosigned.ok()) << cosigned.status();
    return Open(cosigned.ok() ? *cosigned : cp.note);
  }

  Observation Observe(const log::SignedCheckpoint& cp, const std::optional<ConsistencyEvidence>& evidence,
                      bool from_origin = true, std::string_view source = "peer:th.origin") {
    auto o = witness_->Observe(cp, source, evidence, from_origin);
    EXPECT_TRUE(o.ok()) << o.status();
    return o.ok() ? *o : Observation{Kind::kBadProof, "Observe failed", 0, std::nullopt};
  }

  std::optional<store::Witnessed> Witnessed() {
    auto w = store().GetWitnessed(kOrigin);
    EXPECT_TRUE(w.ok()) << w.status();
    return w.ok() ? *w : std::nullopt;
  }
  uint64_t WitnessedSize() {
    auto w = Witnessed();
    return w ? w->checkpoint.size : kNever;
  }
  std::vector<store::SplitView> Alerts() {
    auto a = store().ListSplitViews();
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? *a : std::vector<store::SplitView>{};
  }
  bool Blocked(std::string_view origin = kOrigin) {
    auto b = witness_->Blocked(origin);
    EXPECT_TRUE(b.ok()) << b.status();
    return b.ok() && *b;
  }
  std::vector<store::ForeignCheckpoint> Kept(uint64_t size) {
    auto k = store().FindForeignCheckpoints(kOrigin, size);
    EXPECT_TRUE(k.ok()) << k.status();
    return k.ok() ? *k : std::vector<store::ForeignCheckpoint>{};
  }

  // Checks that the witnessed state's cosigned note carries a valid
  // cosignature by this node at the clock's time, for `cp`.
  void ExpectCosignedByUs(const store::Witnessed& w, const log::SignedCheckpoint& cp) {
    keys::Verifier ours = node_->signer().cosignature_verifier();
    auto opened = log::OpenCheckpoint(w.cosigned, origin_key_.verifier(), kOrigin, {&ours, 1});
    ASSERT_TRUE(opened.ok()) << opened.status() << "\n" << w.cosigned;
    ASSERT_EQ(opened->cosigned_by.size(), 1u);
    EXPECT_EQ(opened->cosigned_by[0].name, "sg-aisi");
    EXPECT_EQ(opened->cosignature_times[0], static_cast<uint64_t>(absl::ToUnixSeconds(clock_.Now())));
    EXPECT_EQ(opened->checkpoint.size, cp.checkpoint.size);
    EXPECT_EQ(opened->checkpoint.root, cp.checkpoint.root);
    // The cosigned note is the received one plus our line.
    EXPECT_EQ(w.cosigned.substr(0, cp.note.size()), cp.note);
  }

  testing::TempDir dir_;
  util::FakeClock clock_{absl::FromUnixSeconds(1'795'427'122)};
  std::unique_ptr<node::Node> node_;
  std::unique_ptr<Witness> witness_;
  keys::Signer origin_key_ = keys::Signer::Generate(kOrigin);
  keys::Signer other_witness_ = keys::Signer::Generate("w.example");
  OriginLog honest_;
};

TEST_F(WitnessTest, FirstCheckpointIsTrustedOnFirstUseAndCosigned) {
  EXPECT_FALSE(Witnessed().has_value());
  log::SignedCheckpoint cp = Checkpoint(honest_, 5);
  Observation o = Observe(cp, std::nullopt, true, "peer:th.origin");
  EXPECT_EQ(o.kind, Kind::kAdvanced) << o.reason;
  ASSERT_TRUE(o.witnessed.has_value());
  EXPECT_EQ(o.witnessed->checkpoint.size, 5u);

  auto w = Witnessed();
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->checkpoint.origin, kOrigin);
  EXPECT_EQ(w->checkpoint.size, 5u);
  EXPECT_EQ(w->checkpoint.root, honest_.Root(5));
  EXPECT_EQ(w->checkpoint.note, cp.note);
  EXPECT_EQ(w->checkpoint.source, "peer:th.origin");
  EXPECT_EQ(w->updated_us, absl::ToUnixMicros(clock_.Now()));
  ExpectCosignedByUs(*w, cp);
  EXPECT_EQ(w->cosigned, o.witnessed->cosigned);
  // Kept as a foreign checkpoint too.
  ASSERT_EQ(Kept(5).size(), 1u);
  EXPECT_EQ(Kept(5)[0].root, honest_.Root(5));
  EXPECT_FALSE(Blocked());
  EXPECT_TRUE(Alerts().empty());
}

TEST_F(WitnessTest, LargerCheckpointWithAValidProofAdvances) {
  ASSERT_EQ(Observe(Checkpoint(honest_, 5), std::nullopt).kind, Kind::kAdvanced);
  clock_.Advance(absl::Seconds(30));
  log::SignedCheckpoint cp9 = Checkpoint(honest_, 9);
  Observation o = Observe(cp9, honest_.Evidence(5, 9));
  EXPECT_EQ(o.kind, Kind::kAdvanced) << o.reason;
  ASSERT_TRUE(o.witnessed.has_value());
  EXPECT_EQ(o.witnessed->checkpoint.size, 9u);
  auto w = Witnessed();
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->checkpoint.size, 9u);
  EXPECT_EQ(w->checkpoint.note, cp9.note);
  ExpectCosignedByUs(*w, cp9);

  // And again, across a power of two.
  clock_.Advance(absl::Seconds(30));
  log::SignedCheckpoint cp200 = Checkpoint(honest_, 200);
  EXPECT_EQ(Observe(cp200, honest_.Evidence(9, 200)).kind, Kind::kAdvanced);
  EXPECT_EQ(WitnessedSize(), 200u);
  ExpectCosignedByUs(*Witnessed(), cp200);
  EXPECT_TRUE(Alerts().empty());
}

TEST_F(WitnessTest, FromTheEmptyTreeTheEmptyProofAdvances) {
  ASSERT_EQ(Observe(Checkpoint(honest_, 0), std::nullopt).kind, Kind::kAdvanced);
  EXPECT_EQ(WitnessedSize(), 0u);
  EXPECT_EQ(Observe(Checkpoint(honest_, 3), ConsistencyEvidence{0, 3, {}}).kind, Kind::kAdvanced);
  EXPECT_EQ(WitnessedSize(), 3u);
}

TEST_F(WitnessTest, WithoutEvidenceALargerCheckpointIsKeptUnproven) {
  ASSERT_EQ(Observe(Checkpoint(honest_, 5), std::nullopt).kind, Kind::kAdvanced);
  log::SignedCheckpoint cp9 = Checkpoint(honest_, 9);
  Observation o = Observe(cp9, std::nullopt, true, "relay:uk-aisi");
  EXPECT_EQ(o.kind, Kind::kUnproven);
  ASSERT_TRUE(o.witnessed.has_value());
  EXPECT_EQ(o.witnessed->checkpoint.size, 5u);  // The witnessed one, unchanged.
  EXPECT_EQ(WitnessedSize(), 5u);
  auto kept = Kept(9);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].note, cp9.note);
  EXPECT_EQ(kept[0].root, honest_.Root(9));
  EXPECT_EQ(kept[0].source, "relay:uk-aisi");
  EXPECT_FALSE(Blocked());

  // Seen again, still unproven, still kept once.
  EXPECT_EQ(Observe(cp9, std::nullopt).kind, Kind::kUnproven);
  EXPECT_EQ(Kept(9).size(), 1u);
  // The proof, when it comes, advances.
  EXPECT_EQ(Observe(cp9, honest_.Evidence(5, 9)).kind, Kind::kAdvanced);
  EXPECT_EQ(WitnessedSize(), 9u);
  EXPECT_EQ(Kept(9).size(), 1u);
}

TEST_F(WitnessTest, EvidenceForOtherSizesIsIgnored) {
  ASSERT_EQ(Observe(Checkpoint(honest_, 5), std::nullopt).kind, Kind::kAdvanced);
  log::SignedCheckpoint cp9 = Checkpoint(honest_, 9);
  // Valid proofs, but not between the witnessed size and this one.
  EXPECT_EQ(Observe(cp9, honest_.Evidence(4, 9)).kind, Kind::kUnproven);
  EXPECT_EQ(Observe(cp9, honest_.Evidence(5, 8)).kind, Kind::kUnproven);
  EXPECT_EQ(Observe(cp9, honest_.Evidence(6, 9)).kind, Kind::kUnproven);
  // Sizes the wrong way round.
  EXPECT_EQ(Observe(cp9, ConsistencyEvidence{9, 5, honest_.Proof(5, 9)}).kind, Kind::kUnproven);
  // Even a garbage proof for other sizes raises nothing: it is not evidence.
  EXPECT_EQ(Observe(cp9, ConsistencyEvidence{4, 9, {log::Hash{}}}).kind, Kind::kUnproven);
  EXPECT_EQ(WitnessedSize(), 5u);
  EXPECT_TRUE(Alerts().empty());
  EXPECT_FALSE(Blocked());
}

TEST_F(WitnessTest, AWrongProofIsASplitViewThatBlocksUntilCleared) {
  log::SignedCheckpoint cp5 = Checkpoint(honest_, 5);
  ASSERT_EQ(Observe(cp5, std::nullopt).kind, Kind::kAdvanced);
  log::SignedCheckpoint cp9 = Checkpoint(honest_, 9);
  ConsistencyEvidence bad = honest_.Evidence(5, 9);
  ASSERT_FALSE(bad.proof.empty());
  bad.proof[0][7] ^= 0x20;
  clock_.Advance(absl::Seconds(5));
  Observation o = Observe(cp9, bad, true, "peer:th.origin");
  EXPECT_EQ(o.kind, Kind::kSplitView);
  EXPECT_NE(o.alert_id, 0);
  EXPECT_FALSE(o.reason.empty());

  auto alerts = Alerts();
  ASSERT_EQ(alerts.size(), 1u);
  const store::SplitView& a = alerts[0];
  EXPECT_EQ(a.id, o.alert_id);
  EXPECT_EQ(a.origin, kOrigin);
  EXPECT_EQ(a.first, cp5.note);
  EXPECT_EQ(a.second, cp9.note);
  EXPECT_EQ(a.reason, o.reason);
  EXPECT_EQ(a.source, "peer:th.origin");
  EXPECT_EQ(a.raised_us, absl::ToUnixMicros(clock_.Now()));
  EXPECT_FALSE(a.cleared_us.has_value());
  // Both notes are evidence anyone can check: they open with the origin's key.
  EXPECT_EQ(Open(a.first).checkpoint.size, 5u);
  EXPECT_EQ(Open(a.second).checkpoint.size, 9u);

  EXPECT_EQ(WitnessedSize(), 5u);  // Nothing advanced.
  EXPECT_TRUE(Blocked());
  EXPECT_FALSE(Blocked("other.origin"));

  ASSERT_TRUE(store().ClearSplitView(o.alert_id, absl::ToUnixMicros(clock_.Now()), "admin").ok());
  EXPECT_FALSE(Blocked());
  // With the right proof the same checkpoint advances.
  EXPECT_EQ(Observe(cp9, honest_.Evidence(5, 9)).kind, Kind::kAdvanced);
}

TEST_F(WitnessTest, AnInconsistentCheckpointIsASplitView) {
  // A fork that agrees up to 5 and rewrites entries from 6 on; its proof
  // from 5 is valid for its own tree, so only the honest one catches it.
  OriginLog fork("forked", 6);
  ASSERT_EQ(Observe(Checkpoint(honest_, 5), std::nullopt).kind, Kind::kAdvanced);
  ASSERT_EQ(Observe(Checkpoint(honest_, 9), honest_.Evidence(5, 9)).kind, Kind::kAdvanced);
  // The fork at 12 with a proof from 9 of its own tree: it does not extend ours.
  Observation o = Observe(Checkpoint(fork, 12), fork.Evidence(9, 12));
  EXPECT_EQ(o.kind, Kind::kSplitView);
  ASSERT_EQ(Alerts().size(), 1u);
  EXPECT_EQ(Alerts()[0].first, Checkpoint(honest_, 9).note);
  EXPECT_EQ(Open(Alerts()[0].second).checkpoint.root, fork.Root(12));
  EXPECT_TRUE(Blocked());
  EXPECT_EQ(WitnessedSize(), 9u);
}

TEST_F(WitnessTest, ABadProofNotFromTheOriginIsRefusedWithoutAlert) {
  ASSERT_EQ(Observe(Checkpoint(honest_, 5), std::nullopt).kind, Kind::kAdvanced);
  ConsistencyEvidence bad = honest_.Evidence(5, 9);
  bad.proof.back()[0] ^= 1;
  Observation o = Observe(Checkpoint(honest_, 9), bad, /*from_origin=*/false, "push");
  EXPECT_EQ(o.kind, Kind::kBadProof);
  EXPECT_FALSE(o.reason.empty());
  EXPECT_TRUE(Alerts().empty());
  EXPECT_FALSE(Blocked());
  EXPECT_EQ(WitnessedSize(), 5u);
  // A valid proof is as good from anyone.
  EXPECT_EQ(Observe(Checkpoint(honest_, 9), honest_.Evidence(5, 9), /*from_origin=*/false, "push").kind,
            Kind::kAdvanced);
  EXPECT_EQ(WitnessedSize(), 9u);
}

TEST_F(WitnessTest, SameSizeWithAnotherRootIsASplitView) {
  OriginLog fork("forked", 3);
  log::SignedCheckpoint honest5 = Checkpoint(honest_, 5);
  log::SignedCheckpoint fork5 = Checkpoint(fork, 5);
  ASSERT_NE(honest5.checkpoint.root, fork5.checkpoint.root);
  ASSERT_EQ(Observe(honest5, std::nullopt).kind, Kind::kAdvanced);
  Observation o = Observe(fork5, std::nullopt, true, "gossip:uk-aisi");
  EXPECT_EQ(o.kind, Kind::kSplitView);
  auto alerts = Alerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].id, o.alert_id);
  EXPECT_EQ(alerts[0].first, honest5.note);
  EXPECT_EQ(alerts[0].second, fork5.note);
  EXPECT_EQ(alerts[0].source, "gossip:uk-aisi");
  EXPECT_TRUE(Blocked());
  // The witnessed checkpoint is not replaced by the other one.
  EXPECT_EQ(Witnessed()->checkpoint.root, honest5.checkpoint.root);
}

TEST_F(WitnessTest, SameSizeAsAnUnprovenKeptCheckpointIsASplitView) {
  OriginLog fork("forked", 7);
  ASSERT_EQ(Observe(Checkpoint(honest_, 5), std::nullopt).kind, Kind::kAdvanced);
  ASSERT_EQ(Observe(Checkpoint(honest_, 9), std::nullopt).kind, Kind::kUnproven);
  Observation o = Observe(Checkpoint(fork, 9), std::nullopt);
  EXPECT_EQ(o.kind, Kind::kSplitView);
  ASSERT_EQ(Alerts().size(), 1u);
  EXPECT_EQ(Alerts()[0].first, Checkpoint(honest_, 9).note);
  EXPECT_EQ(Alerts()[0].second, Checkpoint(fork, 9).note);
}

TEST_F(WitnessTest, TheSameCheckpointAgainIsKnown) {
  log::SignedCheckpoint cp = Checkpoint(honest_, 5);
  ASSERT_EQ(Observe(cp, std::nullopt).kind, Kind::kAdvanced);
  auto before = Witnessed();
  clock_.Advance(absl::Minutes(1));
  Observation o = Observe(cp, std::nullopt);
  EXPECT_EQ(o.kind, Kind::kKnown);
  ASSERT_TRUE(o.witnessed.has_value());
  EXPECT_EQ(o.witnessed->checkpoint.size, 5u);
  // Also with others' cosignatures, and with (ignored) evidence.
  EXPECT_EQ(Observe(CosignedByOther(cp), std::nullopt).kind, Kind::kKnown);
  EXPECT_EQ(Observe(cp, ConsistencyEvidence{5, 5, {}}).kind, Kind::kKnown);
  // Known is not an advance: the cosignature is not renewed.
  auto after = Witnessed();
  ASSERT_TRUE(before && after);
  EXPECT_EQ(after->cosigned, before->cosigned);
  EXPECT_EQ(after->updated_us, before->updated_us);
  EXPECT_EQ(Kept(5).size(), 1u);
  EXPECT_TRUE(Alerts().empty());
}

TEST_F(WitnessTest, AnOlderCheckpointWithAValidProofIsKnownAndKept) {
  ASSERT_EQ(Observe(Checkpoint(honest_, 5), std::nullopt).kind, Kind::kAdvanced);
  ASSERT_EQ(Observe(Checkpoint(honest_, 20), honest_.Evidence(5, 20)).kind, Kind::kAdvanced);
  log::SignedCheckpoint cp11 = Checkpoint(honest_, 11);
  Observation o = Observe(cp11, honest_.Evidence(11, 20));
  EXPECT_EQ(o.kind, Kind::kKnown) << o.reason;
  EXPECT_EQ(WitnessedSize(), 20u);  // Never backwards.
  ASSERT_EQ(Kept(11).size(), 1u);
  EXPECT_EQ(Kept(11)[0].note, cp11.note);
  // Older without a proof: kept, unproven; older with a wrong proof: split.
  EXPECT_EQ(Observe(Checkpoint(honest_, 12), std::nullopt).kind, Kind::kUnproven);
  EXPECT_EQ(WitnessedSize(), 20u);
  OriginLog fork("forked", 10);
  EXPECT_EQ(Observe(Checkpoint(fork, 13), fork.Evidence(13, 20)).kind, Kind::kSplitView);
  EXPECT_EQ(WitnessedSize(), 20u);
}

TEST_F(WitnessTest, OriginSignedNoteStripsCosignaturesButKeepsTheOrigins) {
  log::SignedCheckpoint cp = Checkpoint(honest_, 5);
  log::SignedCheckpoint cosigned = CosignedByOther(cp);
  ASSERT_NE(cosigned.note, cp.note);
  auto twice = log::AddCosignature(cosigned.note, node_->signer(), 1'800'000'000);
  ASSERT_TRUE(twice.ok()) << twice.status();
  EXPECT_EQ(OriginSignedNote(cosigned.note, kOrigin), cp.note);
  EXPECT_EQ(OriginSignedNote(*twice, kOrigin), cp.note);
  EXPECT_EQ(OriginSignedNote(cp.note, kOrigin), cp.note);
  // The result still opens with the origin's key.
  EXPECT_EQ(Open(OriginSignedNote(*twice, kOrigin)).checkpoint.size, 5u);
  // A note that does not parse, or has no signature of `origin`, is returned unchanged.
  EXPECT_EQ(OriginSignedNote("not a note", kOrigin), "not a note");
  EXPECT_EQ(OriginSignedNote(*twice, "nobody"), *twice);
}

TEST_F(WitnessTest, TheAlertIsNotDuplicatedByAnExtraCosignature) {
  OriginLog fork("forked", 3);
  // The first copy came cosigned by someone else: the alert keeps only the
  // origin's signatures, so it is one piece of evidence whatever the copy.
  log::SignedCheckpoint honest5 = CosignedByOther(Checkpoint(honest_, 5));
  ASSERT_EQ(Observe(honest5, std::nullopt).kind, Kind::kAdvanced);
  log::SignedCheckpoint fork5 = Checkpoint(fork, 5);
  Observation first = Observe(fork5, std::nullopt);
  ASSERT_EQ(first.kind, Kind::kSplitView);
  Observation again = Observe(CosignedByOther(fork5, 1'700'000'123), std::nullopt);
  EXPECT_EQ(again.kind, Kind::kSplitView);
  EXPECT_EQ(again.alert_id, first.alert_id);
  Observation third = Observe(fork5, std::nullopt);
  EXPECT_EQ(third.alert_id, first.alert_id);
  auto alerts = Alerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].first, Checkpoint(honest_, 5).note);
  EXPECT_EQ(alerts[0].second, fork5.note);
  // A different conflicting checkpoint is another alert.
  OriginLog fork2("other-fork", 2);
  EXPECT_EQ(Observe(Checkpoint(fork2, 5), std::nullopt).kind, Kind::kSplitView);
  EXPECT_EQ(Alerts().size(), 2u);
}

TEST_F(WitnessTest, BlockedUntilEveryAlertOfTheOriginIsCleared) {
  OriginLog fork("forked", 3), fork2("other-fork", 2);
  ASSERT_EQ(Observe(Checkpoint(honest_, 5), std::nullopt).kind, Kind::kAdvanced);
  Observation a = Observe(Checkpoint(fork, 5), std::nullopt);
  Observation b = Observe(Checkpoint(fork2, 5), std::nullopt);
  ASSERT_EQ(a.kind, Kind::kSplitView);
  ASSERT_EQ(b.kind, Kind::kSplitView);
  ASSERT_NE(a.alert_id, b.alert_id);
  EXPECT_TRUE(Blocked());
  ASSERT_TRUE(store().ClearSplitView(a.alert_id, 1, "admin").ok());
  EXPECT_TRUE(Blocked());
  ASSERT_TRUE(store().ClearSplitView(b.alert_id, 2, "admin").ok());
  EXPECT_FALSE(Blocked());
  auto alerts = Alerts();
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0].cleared_by, "admin");
  EXPECT_EQ(alerts[1].cleared_us, std::optional<int64_t>(2));
}

TEST_F(WitnessTest, CosignatureLineVerifiesWithTheNodesWitnessKey) {
  log::SignedCheckpoint cp = Checkpoint(honest_, 7);
  std::string line = witness_->CosignatureLine(cp.note);
  ASSERT_FALSE(line.empty());
  keys::Verifier ours = node_->signer().cosignature_verifier();
  auto opened = log::OpenCheckpoint(cp.note + line, origin_key_.verifier(), kOrigin, {&ours, 1});
  ASSERT_TRUE(opened.ok()) << opened.status();
  ASSERT_EQ(opened->cosigned_by.size(), 1u);
  EXPECT_EQ(opened->cosignature_times[0], static_cast<uint64_t>(absl::ToUnixSeconds(clock_.Now())));
  EXPECT_EQ(witness_->CosignatureLine("not a note"), "");
}

TEST_F(WitnessTest, OriginsAreIndependent) {
  keys::Signer other_key = keys::Signer::Generate("uk.origin");
  OriginLog other("uk");
  ASSERT_EQ(Observe(Checkpoint(honest_, 5), std::nullopt).kind, Kind::kAdvanced);
  // Same size, different root, but another origin: no conflict.
  std::string note = log::SignCheckpoint(log::Checkpoint{"uk.origin", 5, other.Root(5), {}}, other_key);
  auto cp = log::OpenCheckpoint(note, other_key.verifier(), "uk.origin");
  ASSERT_TRUE(cp.ok()) << cp.status();
  EXPECT_EQ(Observe(*cp, std::nullopt).kind, Kind::kAdvanced);
  EXPECT_TRUE(Alerts().empty());
  auto all = store().ListWitnessed();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].checkpoint.origin, kOrigin);
  EXPECT_EQ((*all)[1].checkpoint.origin, "uk.origin");
}

}  // namespace
}  // namespace aisafe::federation
