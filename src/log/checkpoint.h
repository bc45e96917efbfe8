// C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): a signed note whose text
// is a log's tree head, and its tlog-cosignature/v1 witness cosignatures.
//
//   <origin>\n                 non-empty
//   <tree size>\n              ASCII decimal, no sign, no leading zero (except "0"), fits uint64
//   <base64 root hash>\n       standard base64 of exactly 32 bytes (we are a SHA-256 RFC 6962 log)
//   [<extension line>\n ...]   each non-empty
//
// Parsing is the strict C2SP reading: where transparency-dev/formats is more
// lenient (roots of any length, empty trailing lines) we reject. Errors are
// values: InvalidArgument naming the line and what is wrong, e.g.
// `checkpoint line 2: tree size "01" has a leading zero`; OpenCheckpoint adds
// the status codes of OpenNote (log/note.h). Never crashes on any input.
//
// Thread-safe: pure functions; no shared state.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "keys/keys.h"
#include "log/merkle.h"

namespace aisafe::log {

struct Checkpoint {
  std::string origin;                   // non-empty, no newline
  uint64_t size = 0;                    // tree size
  Hash root{};                          // RFC 6962 root hash
  std::vector<std::string> extensions;  // the non-empty lines after the root, without "\n"
};

// Parses a checkpoint body (the note text, ending in "\n").
absl::StatusOr<Checkpoint> ParseCheckpoint(std::string_view body);

// "origin\nsize\nbase64(root)\n" followed by each extension line and "\n".
// The inverse of ParseCheckpoint.
std::string FormatCheckpoint(const Checkpoint& cp);

struct SignedCheckpoint {
  Checkpoint checkpoint;
  std::string note;                         // the full signed note, as received
  std::vector<keys::Verifier> cosigned_by;  // witnesses among `witnesses` whose cosignature verified
  std::vector<uint64_t> cosignature_times;  // their timestamps, same order
};

// Signs `cp` with the log key (Ed25519 note signature, type 0x01); returns
// the signed note. `cp` must be valid (ParseCheckpoint accepts its format).
std::string SignCheckpoint(const Checkpoint& cp, const keys::Signer& log_key);

// Opens a signed checkpoint. The note must carry a valid signature by
// `log_key` (alg 0x01, else InvalidArgument) and, when `origin` is
// non-empty, have that origin (InvalidArgument otherwise). Cosignatures by
// `witnesses` (alg 0x04 each, else InvalidArgument) are verified and
// reported; signatures by other keys are ignored. Errors:
//   InvalidArgument      malformed note or checkpoint body, wrong origin
//   PermissionDenied     a signature by log_key or a witness does not verify
//   FailedPrecondition   "checkpoint is not signed by <log key name>"
absl::StatusOr<SignedCheckpoint> OpenCheckpoint(std::string_view note, const keys::Verifier& log_key,
                                                std::string_view origin = "",
                                                std::span<const keys::Verifier> witnesses = {});

// Appends a cosignature/v1 line by `witness` at `timestamp` to a signed
// checkpoint note. Checks that the note and its checkpoint are well formed,
// that `timestamp` is at most 2^63 - 1 and that the note has room for one
// more signature (InvalidArgument otherwise); does not verify signatures.
absl::StatusOr<std::string> AddCosignature(std::string_view note, const keys::Signer& witness, uint64_t timestamp);

}  // namespace aisafe::log
