// The submission path: turns submitted documents into stored records, all
// or nothing (INTERFACES.md `submit`, later POST /v1/records).
//
//   1. Prepare (CPU only, parallel, no store access): per document, check
//      the size, parse strictly, NFC-normalise, compute the submission
//      digest (SHA-256 of the RFC 8785 form as submitted), fill origin,
//      created and nonce when absent, validate, canonicalise, hash.
//   2. Commit: check references against the store (supersedes), then put the
//      batch in one transaction. A document submitted before maps to the
//      record it became then.
//
// Thread-safety: Prepare is const and may run on any thread; Commit
// serialises in the store.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "records/record.h"
#include "store/store.h"
#include "util/clock.h"

namespace aisafe::node {

// One submitted document and where it came from (line 0 = a whole file).
struct InputDoc {
  std::string_view text;
  size_t line = 0;
};

struct Prepared {
  records::Record record;
  util::Digest submission{};
  size_t line = 0;
};

struct SubmitResult {
  records::RecordId id{};
  bool created = false;  // False when the record existed already.
};

struct SubmitterOptions {
  std::string origin;                 // This node's name.
  size_t max_record_bytes = 1 << 20;  // Per record, raw input and canonical.
  int threads = 0;                    // Prepare threads; 0 = hardware cores.
  // Most invalid documents reported in one error. Default: 50.
  size_t max_reported = 50;
};

class Submitter {
 public:
  // `store`, `clock` and `signer` are borrowed and must outlive the
  // Submitter. With a `signer`, a commit signs a checkpoint when one is due
  // (store::Store::PutBatch); the caller makes sure the log is checkpointed
  // before it answers (Node::CheckpointLog).
  Submitter(SubmitterOptions options, store::Store* store, const util::Clock* clock,
            const store::CheckpointSigner* signer = nullptr);

  // InvalidArgument listing every violation of every invalid document
  // ("SOURCE:LINE: /pointer: message", up to max_reported documents) when
  // any document is invalid; nothing is then returned for the others.
  // `progress`, if given, is called with the number of documents done so
  // far, every few thousand documents, on the calling thread.
  absl::StatusOr<std::vector<Prepared>> Prepare(std::span<const InputDoc> docs, std::string_view source,
                                                const std::function<void(size_t)>& progress = nullptr) const;

  // Stores prepared records atomically; results in input order.
  absl::StatusOr<std::vector<SubmitResult>> Commit(std::span<const Prepared> prepared, std::string_view source);

  // Prepare, then Commit.
  absl::StatusOr<std::vector<SubmitResult>> Submit(std::span<const InputDoc> docs, std::string_view source);

 private:
  // Prepares one document; appends violations (unprefixed) on failure.
  bool PrepareOne(const InputDoc& doc, Prepared* out, std::vector<records::Violation>* violations) const;

  const SubmitterOptions options_;
  store::Store* const store_;
  const util::Clock* const clock_;
  const store::CheckpointSigner* const signer_;
};

// Splits JSON Lines input into documents, skipping blank lines. A file
// whose first non-blank line is not a complete JSON value is one
// (pretty-printed) document instead.
std::vector<InputDoc> SplitInput(std::string_view input);

}  // namespace aisafe::node
