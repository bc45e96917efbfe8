#include "audit/audit.h"

#include "log/note.h"
#include "records/canonical.h"
#include "records/json.h"
#include "util/hex.h"
#include "util/sha256.h"
#include "util/strings.h"

namespace aisafe::audit {
namespace {

using Json = nlohmann::json;

std::string ProofArray(const std::vector<log::Hash>& proof) {
  std::vector<std::string> quoted;
  quoted.reserve(proof.size());
  for (const log::Hash& h : proof) quoted.push_back(util::StrCat("\"", util::ToHex(h), "\""));
  return util::StrCat("[", util::StrJoin(quoted, ","), "]");
}

absl::StatusOr<Json> ParseObject(std::string_view json, std::string_view what,
                                 std::initializer_list<std::string_view> members) {
  auto parsed = records::ParseJson(json);
  if (!parsed.ok()) return absl::InvalidArgumentError(util::StrCat(what, ": ", parsed.status().message()));
  if (!parsed->is_object()) return absl::InvalidArgumentError(util::StrCat(what, ": not a JSON object"));
  for (const auto& [name, value] : parsed->items()) {
    if (std::find(members.begin(), members.end(), name) == members.end()) {
      return absl::InvalidArgumentError(util::StrCat(what, ": unknown member \"", name, "\""));
    }
  }
  for (std::string_view m : members) {
    if (!parsed->contains(std::string(m))) {
      return absl::InvalidArgumentError(util::StrCat(what, ": member \"", m, "\" is missing"));
    }
  }
  return parsed;
}

absl::StatusOr<uint64_t> Size(const Json& doc, const char* member, std::string_view what) {
  const Json& v = doc[member];
  if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<int64_t>() >= 0)) {
    return absl::InvalidArgumentError(util::StrCat(what, ": ", member, " must be a non-negative integer"));
  }
  return v.get<uint64_t>();
}

absl::StatusOr<std::vector<log::Hash>> Hashes(const Json& doc, std::string_view what) {
  const Json& v = doc["proof"];
  if (!v.is_array()) return absl::InvalidArgumentError(util::StrCat(what, ": proof must be an array"));
  if (v.size() > 128) return absl::InvalidArgumentError(util::StrCat(what, ": proof has ", v.size(), " elements"));
  std::vector<log::Hash> out;
  for (size_t i = 0; i < v.size(); ++i) {
    std::optional<util::Digest> h;
    if (v[i].is_string()) h = util::DigestFromHex(v[i].get<std::string>());
    if (!h) {
      return absl::InvalidArgumentError(
          util::StrCat(what, ": proof[", i, "] is not a 32-byte hash in 64 lowercase hex characters"));
    }
    out.push_back(*h);
  }
  return out;
}

// A checkpoint that is well formed but not signed by `key` is evidence
// that does not verify, not malformed input.
absl::StatusOr<log::SignedCheckpoint> Open(std::string_view note, const keys::Verifier& key, std::string_view what) {
  // Syntax first, so a malformed body is reported as such rather than as a
  // signature that does not verify.
  auto parsed = log::ParseNote(note);
  if (!parsed.ok()) return absl::InvalidArgumentError(util::StrCat(what, ": ", parsed.status().message()));
  if (auto body = log::ParseCheckpoint(parsed->text); !body.ok()) {
    return absl::InvalidArgumentError(util::StrCat(what, ": ", body.status().message()));
  }
  auto opened = log::OpenCheckpoint(note, key);
  if (!opened.ok()) {
    std::string msg = util::StrCat(what, ": ", opened.status().message());
    if (opened.status().code() == absl::StatusCode::kInvalidArgument) return absl::InvalidArgumentError(msg);
    return absl::FailedPreconditionError(msg);
  }
  // Well formed and signed, but another log's: does not verify.
  if (opened->checkpoint.origin != key.name) {
    return absl::FailedPreconditionError(
        util::StrCat(what, ": origin \"", opened->checkpoint.origin, "\" is not the key's name \"", key.name, "\""));
  }
  return opened;
}

}  // namespace

std::string FormatInclusionProof(const InclusionProofDoc& doc) {
  return util::StrCat("{\"index\":", doc.index, ",\"tree_size\":", doc.tree_size, ",\"proof\":", ProofArray(doc.proof),
                      "}");
}

std::string FormatConsistencyProof(const ConsistencyProofDoc& doc) {
  return util::StrCat("{\"old_size\":", doc.old_size, ",\"new_size\":", doc.new_size,
                      ",\"proof\":", ProofArray(doc.proof), "}");
}

absl::StatusOr<InclusionProofDoc> ParseInclusionProof(std::string_view json) {
  constexpr std::string_view kWhat = "inclusion proof";
  auto doc = ParseObject(json, kWhat, {"index", "tree_size", "proof"});
  if (!doc.ok()) return doc.status();
  InclusionProofDoc out;
  auto index = Size(*doc, "index", kWhat);
  if (!index.ok()) return index.status();
  auto size = Size(*doc, "tree_size", kWhat);
  if (!size.ok()) return size.status();
  auto proof = Hashes(*doc, kWhat);
  if (!proof.ok()) return proof.status();
  if (*size == 0) return absl::InvalidArgumentError("inclusion proof: tree_size 0 holds no entry");
  if (*index >= *size) {
    return absl::InvalidArgumentError(
        util::StrCat("inclusion proof: index ", *index, " is not below tree_size ", *size));
  }
  return InclusionProofDoc{*index, *size, std::move(*proof)};
}

absl::StatusOr<ConsistencyProofDoc> ParseConsistencyProof(std::string_view json) {
  constexpr std::string_view kWhat = "consistency proof";
  auto doc = ParseObject(json, kWhat, {"old_size", "new_size", "proof"});
  if (!doc.ok()) return doc.status();
  auto old_size = Size(*doc, "old_size", kWhat);
  if (!old_size.ok()) return old_size.status();
  auto new_size = Size(*doc, "new_size", kWhat);
  if (!new_size.ok()) return new_size.status();
  auto proof = Hashes(*doc, kWhat);
  if (!proof.ok()) return proof.status();
  if (*old_size > *new_size) {
    return absl::InvalidArgumentError(
        util::StrCat("consistency proof: old_size ", *old_size, " is beyond new_size ", *new_size));
  }
  return ConsistencyProofDoc{*old_size, *new_size, std::move(*proof)};
}

absl::StatusOr<VerifiedRecord> VerifyRecord(std::string_view record_json, std::string_view proof_json,
                                            std::string_view checkpoint_note, const keys::Verifier& key) {
  auto record = records::ParseJson(record_json);
  if (!record.ok()) return absl::InvalidArgumentError(util::StrCat("record: ", record.status().message()));
  if (!record->is_object()) return absl::InvalidArgumentError("record: not a JSON object");
  auto canonical = records::Canonicalize(*record);
  if (!canonical.ok()) return absl::InvalidArgumentError(util::StrCat("record: ", canonical.status().message()));
  auto proof = ParseInclusionProof(proof_json);
  if (!proof.ok()) return proof.status();
  auto checkpoint = Open(checkpoint_note, key, "checkpoint");
  if (!checkpoint.ok()) return checkpoint.status();
  VerifiedRecord out{util::Sha256(*canonical), proof->index, checkpoint->checkpoint};
  if (proof->tree_size != out.checkpoint.size) {
    return absl::FailedPreconditionError(util::StrCat("the proof is for tree size ", proof->tree_size,
                                                      " but the checkpoint is of size ", out.checkpoint.size));
  }
  auto st = log::VerifyInclusion(proof->index, proof->tree_size,
                                 log::LeafHash(std::string_view(reinterpret_cast<const char*>(out.id.data()), 32)),
                                 proof->proof, out.checkpoint.root);
  if (!st.ok()) {
    return absl::FailedPreconditionError(util::StrCat("record ", util::ToHex(out.id), " is not entry ", proof->index,
                                                      " of the checkpointed tree: ", st.message()));
  }
  return out;
}

absl::StatusOr<ConsistencyProofDoc> VerifyConsistency(std::string_view old_note, std::string_view new_note,
                                                      std::string_view proof_json, const keys::Verifier& key) {
  auto proof = ParseConsistencyProof(proof_json);
  if (!proof.ok()) return proof.status();
  auto old_cp = Open(old_note, key, "old checkpoint");
  if (!old_cp.ok()) return old_cp.status();
  auto new_cp = Open(new_note, key, "new checkpoint");
  if (!new_cp.ok()) return new_cp.status();
  if (proof->old_size != old_cp->checkpoint.size || proof->new_size != new_cp->checkpoint.size) {
    return absl::FailedPreconditionError(util::StrCat("the proof is from size ", proof->old_size, " to ",
                                                      proof->new_size, " but the checkpoints are of sizes ",
                                                      old_cp->checkpoint.size, " and ", new_cp->checkpoint.size));
  }
  auto st = log::VerifyConsistency(proof->old_size, proof->new_size, proof->proof, old_cp->checkpoint.root,
                                   new_cp->checkpoint.root);
  if (!st.ok()) {
    return absl::FailedPreconditionError(
        util::StrCat("the new checkpoint does not extend the old one: ", st.message()));
  }
  return proof;
}

}  // namespace aisafe::audit
