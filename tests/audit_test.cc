// Offline verification (audit/audit.h): the proof documents' strict JSON,
// and VerifyRecord / VerifyConsistency on evidence a real node produced.
#include "audit/audit.h"

#include <gtest/gtest.h>

#include <fstream>

#include "log/checkpoint.h"
#include "log/note.h"
#include "node/node.h"
#include "node/submitter.h"
#include "node/transparency.h"
#include "tests/test_util.h"
#include "util/base64.h"
#include "util/hex.h"
#include "util/strings.h"

namespace aisafe::audit {
namespace {

using Json = nlohmann::json;

std::vector<log::Hash> SomeHashes(int n) {
  std::vector<log::Hash> out;
  for (int i = 0; i < n; ++i) out.push_back(util::Sha256(util::StrCat("hash ", i)));
  return out;
}

std::string Hex(int i) { return util::ToHex(util::Sha256(util::StrCat("hash ", i))); }

// ---- The proof documents ----

TEST(ProofDocs, InclusionRoundTrips) {
  InclusionProofDoc doc{5, 11, SomeHashes(3)};
  std::string text = FormatInclusionProof(doc);
  EXPECT_EQ(text, util::StrCat(R"({"index":5,"tree_size":11,"proof":[")", Hex(0), R"(",")", Hex(1), R"(",")", Hex(2),
                               R"("]})"));
  auto parsed = ParseInclusionProof(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->index, 5u);
  EXPECT_EQ(parsed->tree_size, 11u);
  EXPECT_EQ(parsed->proof, doc.proof);

  InclusionProofDoc edge{UINT64_MAX - 1, UINT64_MAX, {}};
  EXPECT_EQ(FormatInclusionProof(edge),
            R"({"index":18446744073709551614,"tree_size":18446744073709551615,"proof":[]})");
  parsed = ParseInclusionProof(FormatInclusionProof(edge));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->index, UINT64_MAX - 1);
  EXPECT_EQ(parsed->tree_size, UINT64_MAX);
  EXPECT_TRUE(parsed->proof.empty());
  // Any member order and spacing.
  parsed = ParseInclusionProof(util::StrCat(" {\n \"proof\" : [\"", Hex(7), "\"],\"tree_size\":2, \"index\":1}\n"));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->proof, std::vector<log::Hash>{util::Sha256("hash 7")});
}

TEST(ProofDocs, ConsistencyRoundTrips) {
  ConsistencyProofDoc doc{4, 261, SomeHashes(5)};
  std::string text = FormatConsistencyProof(doc);
  EXPECT_EQ(text.rfind(R"({"old_size":4,"new_size":261,"proof":[")", 0), 0u) << text;
  auto parsed = ParseConsistencyProof(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->old_size, 4u);
  EXPECT_EQ(parsed->new_size, 261u);
  EXPECT_EQ(parsed->proof, doc.proof);

  for (ConsistencyProofDoc edge : {ConsistencyProofDoc{0, 0, {}}, ConsistencyProofDoc{UINT64_MAX, UINT64_MAX, {}}}) {
    parsed = ParseConsistencyProof(FormatConsistencyProof(edge));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(parsed->old_size, edge.old_size);
    EXPECT_EQ(parsed->new_size, edge.new_size);
  }
}

struct BadDoc {
  std::string json;
  std::string names;  // What the message must contain.
};

void ExpectInvalid(const absl::Status& st, const BadDoc& bad) {
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << bad.json << ": " << st;
  EXPECT_NE(st.message().find(bad.names), absl::string_view::npos) << bad.json << ": " << st;
}

std::string Proof(int n) {
  std::vector<std::string> quoted;
  for (int i = 0; i < n; ++i) quoted.push_back(util::StrCat("\"", Hex(i), "\""));
  return util::StrCat("[", util::StrJoin(quoted, ","), "]");
}

// The parts of both documents that are parsed the same way: the proof array.
std::vector<BadDoc> BadProofs(const std::string& head) {
  std::string h63 = Hex(0).substr(1), h65 = Hex(0) + "0", upper = Hex(0), nonhex = Hex(0);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  nonhex[10] = 'g';
  return {
      {head + R"("proof":"abc"})", "proof must be an array"},
      {head + R"("proof":{}})", "proof must be an array"},
      {head + R"("proof":null})", "proof must be an array"},
      {head + R"("proof":[")" + h63 + R"("]})", "proof[0]"},
      {head + R"("proof":[")" + Hex(1) + R"(",")" + h65 + R"("]})", "proof[1]"},
      {head + R"("proof":[")" + upper + R"("]})", "proof[0]"},
      {head + R"("proof":[")" + nonhex + R"("]})", "proof[0]"},
      {head + R"("proof":[")" + Hex(0) + R"(",7]})", "proof[1]"},
      {head + R"("proof":[""]})", "proof[0]"},
      {head + R"("proof":)" + Proof(129) + "}", "proof has 129 elements"},
  };
}

TEST(ProofDocs, BadInclusionProofsNameTheMember) {
  std::vector<BadDoc> bad = {
      {"not json", "inclusion proof: invalid JSON"},
      {"", "inclusion proof: invalid JSON"},
      {R"({"index":0,"tree_size":1,"proof":[]} x)", "inclusion proof: invalid JSON"},
      {"[1,2,3]", "not a JSON object"},
      {"42", "not a JSON object"},
      {R"({"index":0,"tree_size":1,"proof":[],"root":"x"})", "unknown member \"root\""},
      {R"({"Index":0,"tree_size":1,"proof":[]})", "unknown member \"Index\""},
      {R"({"tree_size":1,"proof":[]})", "member \"index\" is missing"},
      {R"({"index":0,"proof":[]})", "member \"tree_size\" is missing"},
      {R"({"index":0,"tree_size":1})", "member \"proof\" is missing"},
      {R"({"index":-1,"tree_size":1,"proof":[]})", "index must be a non-negative integer"},
      {R"({"index":0.5,"tree_size":1,"proof":[]})", "index must be a non-negative integer"},
      {R"({"index":0,"tree_size":1.0,"proof":[]})", "tree_size must be a non-negative integer"},
      {R"({"index":0,"tree_size":1e3,"proof":[]})", "tree_size must be a non-negative integer"},
      {R"({"index":"0","tree_size":1,"proof":[]})", "index must be a non-negative integer"},
      {R"({"index":0,"tree_size":"1","proof":[]})", "tree_size must be a non-negative integer"},
      {R"({"index":true,"tree_size":1,"proof":[]})", "index must be a non-negative integer"},
      {R"({"index":null,"tree_size":1,"proof":[]})", "index must be a non-negative integer"},
      {R"({"index":0,"tree_size":18446744073709551616,"proof":[]})", "tree_size must be a non-negative integer"},
      {R"({"index":0,"tree_size":100000000000000000000000,"proof":[]})", "tree_size must be a non-negative integer"},
      {R"({"index":0,"tree_size":-18446744073709551615,"proof":[]})", "tree_size must be a non-negative integer"},
      {R"({"index":0,"tree_size":0,"proof":[]})", "tree_size 0"},
      {R"({"index":5,"tree_size":5,"proof":[]})", "index 5 is not below tree_size 5"},
      {R"({"index":18446744073709551615,"tree_size":18446744073709551615,"proof":[]})", "is not below tree_size"},
      {R"({"index":0,"index":1,"tree_size":3,"proof":[]})", "duplicate member name \"index\""},
      {R"({"index":1,"tree_size":3,"proof":[],"proof":[]})", "duplicate member name \"proof\""},
  };
  for (BadDoc& b : BadProofs(R"({"index":1,"tree_size":3,)")) bad.push_back(b);
  for (const BadDoc& b : bad) {
    auto parsed = ParseInclusionProof(b.json);
    ASSERT_FALSE(parsed.ok()) << b.json;
    ExpectInvalid(parsed.status(), b);
    EXPECT_EQ(parsed.status().message().rfind("inclusion proof: ", 0), 0u) << parsed.status();
  }
  // The limits themselves are accepted.
  auto max = ParseInclusionProof(util::StrCat(R"({"index":1,"tree_size":3,"proof":)", Proof(128), "}"));
  ASSERT_TRUE(max.ok()) << max.status();
  EXPECT_EQ(max->proof.size(), 128u);
}

TEST(ProofDocs, BadConsistencyProofsNameTheMember) {
  std::vector<BadDoc> bad = {
      {"{", "consistency proof: invalid JSON"},
      {R"("old_size")", "not a JSON object"},
      {R"({"old_size":1,"new_size":2,"proof":[],"index":0})", "unknown member \"index\""},
      {R"({"new_size":2,"proof":[]})", "member \"old_size\" is missing"},
      {R"({"old_size":1,"proof":[]})", "member \"new_size\" is missing"},
      {R"({"old_size":1,"new_size":2})", "member \"proof\" is missing"},
      {R"({"old_size":-3,"new_size":2,"proof":[]})", "old_size must be a non-negative integer"},
      {R"({"old_size":1,"new_size":2.5,"proof":[]})", "new_size must be a non-negative integer"},
      {R"({"old_size":"1","new_size":2,"proof":[]})", "old_size must be a non-negative integer"},
      {R"({"old_size":1,"new_size":18446744073709551616,"proof":[]})", "new_size must be a non-negative integer"},
      {R"({"old_size":5,"new_size":4,"proof":[]})", "old_size 5 is beyond new_size 4"},
      {R"({"old_size":1,"new_size":2,"new_size":3,"proof":[]})", "duplicate member name \"new_size\""},
  };
  for (BadDoc& b : BadProofs(R"({"old_size":1,"new_size":3,)")) bad.push_back(b);
  for (const BadDoc& b : bad) {
    auto parsed = ParseConsistencyProof(b.json);
    ASSERT_FALSE(parsed.ok()) << b.json;
    ExpectInvalid(parsed.status(), b);
    EXPECT_EQ(parsed.status().message().rfind("consistency proof: ", 0), 0u) << parsed.status();
  }
  // The two documents are not interchangeable.
  EXPECT_EQ(ParseConsistencyProof(FormatInclusionProof({0, 1, {}})).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseInclusionProof(FormatConsistencyProof({0, 1, {}})).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// ---- Verification on a real node's evidence ----

constexpr char kName[] = "sg-aisi";

std::string Incident(int i) {
  return util::StrCat(
      R"({"type":"incident","tlp":"clear","lang":"en","countries":["SG"],"title":"Deepfake investment video )", i,
      R"(","body":{"occurred":"2026-09-14","domain":"financial","harm_categories":["malicious-use"],)",
      R"("severity":"high","description":"A cloned voice invites people to invest."}})");
}

// A node with a 0 checkpoint interval and 10 records in batches of 3 and 7:
// checkpoints of sizes 0, 3 and 10.
class VerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string dir = tmp_.Sub("node");
    ASSERT_TRUE(node::Node::Init(dir, kName, "SG").ok());
    std::ofstream(dir + "/node.toml") << "format = 1\nname = \"" << kName
                                      << "\"\ncountry = \"SG\"\n[log]\ncheckpoint_interval_ms = 0\n";
    auto n = node::Node::Open(dir);
    ASSERT_TRUE(n.ok()) << n.status();
    node_ = std::move(*n);
    node::Submitter submitter({.origin = kName}, &node_->store(), &clock_, &node_->checkpoint_signer());
    for (auto [from, to] : {std::pair{0, 3}, {3, 10}}) {
      std::vector<std::string> texts;
      for (int i = from; i < to; ++i) texts.push_back(Incident(i));
      std::vector<node::InputDoc> docs;
      for (const auto& t : texts) docs.push_back({t, docs.size() + 1});
      auto r = submitter.Submit(docs, "test");
      ASSERT_TRUE(r.ok()) << r.status();
      for (const auto& s : *r) ids_.push_back(s.id);
    }
    auto all = node_->store().ListCheckpoints(std::nullopt, 10);
    ASSERT_TRUE(all.ok());
    ASSERT_EQ(all->size(), 3u);
    for (const auto& cp : *all) notes_.push_back(cp.note);
    key_ = node_->signer().verifier();
  }

  std::string Record(int i) { return (*node_->store().Get(ids_[i]))->canonical; }
  // The inclusion proof of record i in the tree of `size`, as printed.
  std::string ProofDoc(int i, uint64_t size = 10) {
    auto answer = node::ProveRecord(node_->store(), ids_[i], size);
    EXPECT_TRUE(answer.ok()) << answer.status();
    if (!answer.ok()) return "";
    return FormatInclusionProof({answer->index, answer->tree_size, answer->proof});
  }
  std::string ConsistencyDoc(uint64_t m, uint64_t n) {
    auto proof = node::ProveConsistency(node_->store(), m, n);
    EXPECT_TRUE(proof.ok()) << proof.status();
    return FormatConsistencyProof({m, n, proof.ok() ? *proof : std::vector<log::Hash>{}});
  }
  log::Hash Root(uint64_t size) {
    log::TreeReader tree(node_->store());
    return *tree.Root(size);
  }
  // A note whose text is `text`, correctly signed by the node's key.
  std::string SignedByNode(const std::string& text) {
    return log::FormatNote(log::Note{text, {log::SignNote(text, node_->signer())}});
  }

  void ExpectCode(const absl::Status& st, absl::StatusCode code, std::string_view what) {
    EXPECT_EQ(st.code(), code) << st;
    EXPECT_NE(st.message().find(absl::string_view(what.data(), what.size())), absl::string_view::npos) << st;
  }

  testing::TempDir tmp_;
  util::FakeClock clock_{absl::FromUnixSeconds(1795427122)};
  std::unique_ptr<node::Node> node_;
  std::vector<store::RecordId> ids_;
  std::vector<std::string> notes_;  // Sizes 0, 3, 10.
  keys::Verifier key_;
};

TEST_F(VerifyTest, VerifiesARecordInTheLog) {
  for (int i : {0, 4, 9}) {
    auto v = VerifyRecord(Record(i), ProofDoc(i), notes_[2], key_);
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_EQ(v->id, ids_[i]);
    EXPECT_EQ(v->index, static_cast<uint64_t>(i));
    EXPECT_EQ(v->checkpoint.origin, kName);
    EXPECT_EQ(v->checkpoint.size, 10u);
    EXPECT_EQ(v->checkpoint.root, Root(10));
  }
  // Against the older checkpoint too.
  auto v = VerifyRecord(Record(2), ProofDoc(2, 3), notes_[1], key_);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->checkpoint.size, 3u);
  // The key as an auditor has it: parsed from its text.
  auto parsed = keys::ParseVerifierKey(key_.Encode());
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(VerifyRecord(Record(9), ProofDoc(9), notes_[2], *parsed).ok());
}

TEST_F(VerifyTest, TheRecordMayBeAnyTextWithTheSameCanonicalForm) {
  Json doc = Json::parse(Record(4));
  // Members in reverse order, indented, with escapes the canonical form
  // does not use.
  std::vector<std::string> members;
  for (auto it = doc.items().begin(); it != doc.items().end(); ++it) {
    members.insert(members.begin(), util::StrCat("  ", Json(it.key()).dump(), " :  ", it.value().dump(2)));
  }
  std::string text = util::StrCat("\n{\n", util::StrJoin(members, ",\n"), "\n}\n");
  size_t at = text.find("Deepfake");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 1, "\\u0044");
  ASSERT_NE(text, Record(4));
  auto v = VerifyRecord(text, ProofDoc(4), notes_[2], key_);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->id, ids_[4]);
  // One character of content changed is another record.
  text.replace(text.find("\\u0044"), 6, "d");
  EXPECT_EQ(VerifyRecord(text, ProofDoc(4), notes_[2], key_).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(VerifyTest, EvidenceThatDoesNotMatchFailsThePrecondition) {
  // Another record with this record's proof.
  ExpectCode(VerifyRecord(Record(5), ProofDoc(4), notes_[2], key_).status(), absl::StatusCode::kFailedPrecondition,
             util::StrCat("record ", util::ToHex(ids_[5]), " is not entry 4"));
  // This record with another record's proof.
  ExpectCode(VerifyRecord(Record(4), ProofDoc(5), notes_[2], key_).status(), absl::StatusCode::kFailedPrecondition,
             "is not entry 5");
  // A proof element changed.
  auto doc = ParseInclusionProof(ProofDoc(4));
  ASSERT_TRUE(doc.ok());
  ASSERT_FALSE(doc->proof.empty());
  for (size_t i = 0; i < doc->proof.size(); ++i) {
    InclusionProofDoc bad = *doc;
    bad.proof[i][17] ^= 0x08;
    ExpectCode(VerifyRecord(Record(4), FormatInclusionProof(bad), notes_[2], key_).status(),
               absl::StatusCode::kFailedPrecondition, "is not entry 4");
  }
  // A proof element too many.
  InclusionProofDoc longer = *doc;
  longer.proof.push_back(longer.proof[0]);
  EXPECT_EQ(VerifyRecord(Record(4), FormatInclusionProof(longer), notes_[2], key_).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // A checkpoint of another size than the proof's.
  ExpectCode(VerifyRecord(Record(2), ProofDoc(2, 10), notes_[1], key_).status(), absl::StatusCode::kFailedPrecondition,
             "the proof is for tree size 10 but the checkpoint is of size 3");
  ExpectCode(VerifyRecord(Record(2), ProofDoc(2, 3), notes_[2], key_).status(), absl::StatusCode::kFailedPrecondition,
             "the proof is for tree size 3 but the checkpoint is of size 10");
}

TEST_F(VerifyTest, ACheckpointByAnotherKeyFailsThePrecondition) {
  // Same name, another key: its key id differs, so the note carries no
  // signature by the node's key.
  auto impostor = keys::Signer::Generate(kName);
  ASSERT_NE(impostor.key_id(), key_.key_id);
  std::string forged = log::SignCheckpoint(log::Checkpoint{kName, 10, Root(10), {}}, impostor);
  ExpectCode(VerifyRecord(Record(4), ProofDoc(4), forged, key_).status(), absl::StatusCode::kFailedPrecondition,
             "not signed by");
  // The other way round: the node's checkpoint checked with another key.
  ExpectCode(VerifyRecord(Record(4), ProofDoc(4), notes_[2], impostor.verifier()).status(),
             absl::StatusCode::kFailedPrecondition, "not signed by");
  // A signature line by the node's name and key id, but the signature of
  // another text.
  auto note = log::ParseNote(notes_[2]);
  ASSERT_TRUE(note.ok());
  note->signatures[0] = log::SignNote(log::FormatCheckpoint({kName, 3, Root(3), {}}), node_->signer());
  EXPECT_EQ(VerifyRecord(Record(4), ProofDoc(4), log::FormatNote(*note), key_).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(VerifyTest, ACheckpointOfAnotherOriginFailsThePrecondition) {
  // Correctly signed by the node's key, for the right tree, but for
  // another log: well formed evidence that does not verify.
  std::string other = log::SignCheckpoint(log::Checkpoint{"th-etda", 10, Root(10), {}}, node_->signer());
  ExpectCode(VerifyRecord(Record(4), ProofDoc(4), other, key_).status(), absl::StatusCode::kFailedPrecondition,
             "th-etda");
}

TEST_F(VerifyTest, MalformedCheckpointsAreInvalidArguments) {
  std::string root =
      util::Base64Encode(std::string_view(reinterpret_cast<const char*>(Root(10).data()), Root(10).size()));
  std::string crlf;
  for (char c : notes_[2]) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  std::string text_only = notes_[2].substr(0, notes_[2].find("\n\n") + 2);
  const std::pair<std::string, std::string> bad[] = {
      {crlf, "carriage return"},
      {text_only, "no signature lines"},
      {"", "note is empty"},
      {SignedByNode(util::StrCat(kName, "\n10\n", "not*base64!\n")), "root hash \"not*base64!\" is not valid base64"},
      {SignedByNode(util::StrCat(kName, "\n10\n", util::Base64Encode("short root"), "\n")), "root hash is 10 bytes"},
      {SignedByNode(util::StrCat(kName, "\n010\n", root, "\n")), "tree size \"010\" has a leading zero"},
      {SignedByNode(util::StrCat(kName, "\n-10\n", root, "\n")), "tree size \"-10\""},
      {SignedByNode(util::StrCat(kName, "\n10\n")), "at least 3"},
  };
  for (const auto& [note, what] : bad) {
    ExpectCode(VerifyRecord(Record(4), ProofDoc(4), note, key_).status(), absl::StatusCode::kInvalidArgument, what);
  }
  // The well-formed control: the same body signed the same way verifies.
  EXPECT_TRUE(VerifyRecord(Record(4), ProofDoc(4), SignedByNode(util::StrCat(kName, "\n10\n", root, "\n")), key_).ok());
}

TEST_F(VerifyTest, MalformedRecordsAndProofsAreInvalidArguments) {
  ExpectCode(VerifyRecord("{\"a\":", ProofDoc(4), notes_[2], key_).status(), absl::StatusCode::kInvalidArgument,
             "record: ");
  ExpectCode(VerifyRecord("[1]", ProofDoc(4), notes_[2], key_).status(), absl::StatusCode::kInvalidArgument,
             "record: not a JSON object");
  ExpectCode(VerifyRecord(R"({"a":1,"a":2})", ProofDoc(4), notes_[2], key_).status(),
             absl::StatusCode::kInvalidArgument, "record: ");
  ExpectCode(VerifyRecord(Record(4), R"({"index":4,"tree_size":10})", notes_[2], key_).status(),
             absl::StatusCode::kInvalidArgument, "member \"proof\" is missing");
}

TEST_F(VerifyTest, VerifiesConsistencyBetweenCheckpoints) {
  auto v = VerifyConsistency(notes_[1], notes_[2], ConsistencyDoc(3, 10), key_);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->old_size, 3u);
  EXPECT_EQ(v->new_size, 10u);
  EXPECT_FALSE(v->proof.empty());
  EXPECT_TRUE(VerifyConsistency(notes_[0], notes_[2], ConsistencyDoc(0, 10), key_).ok());
  EXPECT_TRUE(VerifyConsistency(notes_[2], notes_[2], ConsistencyDoc(10, 10), key_).ok());
}

TEST_F(VerifyTest, InconsistentEvidenceFailsThePrecondition) {
  std::string proof = ConsistencyDoc(3, 10);
  // The checkpoints swapped.
  ExpectCode(VerifyConsistency(notes_[2], notes_[1], proof, key_).status(), absl::StatusCode::kFailedPrecondition,
             "the proof is from size 3 to 10 but the checkpoints are of sizes 10 and 3");
  // A proof element changed.
  auto doc = ParseConsistencyProof(proof);
  ASSERT_TRUE(doc.ok());
  for (size_t i = 0; i < doc->proof.size(); ++i) {
    ConsistencyProofDoc bad = *doc;
    bad.proof[i][0] ^= 0x80;
    ExpectCode(VerifyConsistency(notes_[1], notes_[2], FormatConsistencyProof(bad), key_).status(),
               absl::StatusCode::kFailedPrecondition, "does not extend");
  }
  // A proof that is empty where one is needed.
  EXPECT_EQ(VerifyConsistency(notes_[1], notes_[2], FormatConsistencyProof({3, 10, {}}), key_).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // A new checkpoint of the right size whose tree does not extend the old.
  std::string fork = log::SignCheckpoint(log::Checkpoint{kName, 10, util::Sha256("fork"), {}}, node_->signer());
  ExpectCode(VerifyConsistency(notes_[1], fork, proof, key_).status(), absl::StatusCode::kFailedPrecondition,
             "does not extend");
  // A checkpoint by another key.
  auto impostor = keys::Signer::Generate(kName);
  std::string forged = log::SignCheckpoint(log::Checkpoint{kName, 10, Root(10), {}}, impostor);
  ExpectCode(VerifyConsistency(notes_[1], forged, proof, key_).status(), absl::StatusCode::kFailedPrecondition,
             "new checkpoint: ");
  // Malformed input is InvalidArgument.
  EXPECT_EQ(VerifyConsistency(notes_[1], notes_[2], "{}", key_).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyConsistency("garbage", notes_[2], proof, key_).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace aisafe::audit
