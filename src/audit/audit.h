// Offline verification for auditors: a record, its inclusion proof, a
// signed checkpoint and the node's verifier key are enough to check that
// the record is in the node's log, with no node and no network. Also the
// proof documents' JSON form, which `aisafe log proof` / `log consistency`
// print and the HTTP API serves (docs/formats/log.md):
//
//   {"index":I,"tree_size":N,"proof":["<64 hex>",...]}
//   {"old_size":M,"new_size":N,"proof":["<64 hex>",...]}
//
// Parsing is strict: exactly these members, integers in range, every proof
// element 64 lowercase hex characters. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "keys/keys.h"
#include "log/checkpoint.h"
#include "log/merkle.h"

namespace aisafe::audit {

struct InclusionProofDoc {
  uint64_t index = 0;
  uint64_t tree_size = 0;
  std::vector<log::Hash> proof;
};

struct ConsistencyProofDoc {
  uint64_t old_size = 0;
  uint64_t new_size = 0;
  std::vector<log::Hash> proof;
};

std::string FormatInclusionProof(const InclusionProofDoc& doc);
std::string FormatConsistencyProof(const ConsistencyProofDoc& doc);
// InvalidArgument naming the member at fault.
absl::StatusOr<InclusionProofDoc> ParseInclusionProof(std::string_view json);
absl::StatusOr<ConsistencyProofDoc> ParseConsistencyProof(std::string_view json);

struct VerifiedRecord {
  log::Hash id{};  // SHA-256 of the record's canonical form.
  uint64_t index = 0;
  log::Checkpoint checkpoint;
};

// Checks that `record_json` (the record as `aisafe get` prints it, or any
// JSON text with the same canonical form) is entry `proof.index` of the log
// whose checkpoint `checkpoint_note` is signed by `key` (origin = the key's
// name). InvalidArgument for malformed input; FailedPrecondition, saying
// what does not match, when the inputs are well formed but do not verify.
absl::StatusOr<VerifiedRecord> VerifyRecord(std::string_view record_json, std::string_view proof_json,
                                            std::string_view checkpoint_note, const keys::Verifier& key);

// Checks that the checkpoint `new_note` extends `old_note`, both signed by
// `key`, with the consistency proof `proof_json`. Errors as VerifyRecord.
absl::StatusOr<ConsistencyProofDoc> VerifyConsistency(std::string_view old_note, std::string_view new_note,
                                                      std::string_view proof_json, const keys::Verifier& key);

}  // namespace aisafe::audit
