// C2SP signed notes (c2sp.org/signed-note) with Ed25519 note signatures
// (type 0x01) and tlog-cosignature/v1 witness cosignatures (type 0x04), as
// golang.org/x/mod/sumdb/note and the C2SP tools write them:
//
//   <text, ending in "\n"; it may contain empty lines>
//   <empty line>
//   — <key name> <base64(4-byte big-endian key id || signature)>\n   (one or more)
//
// The text is separated from the signatures by the last empty line. A note
// is valid UTF-8 with no control character other than "\n" ("\r" anywhere
// makes it malformed); key names are non-empty without Unicode spaces or '+';
// a note has 1 to kMaxNoteSignatures signature lines.
//
// A type 0x01 signature is Ed25519 over the text. A cosignature/v1 (type
// 0x04) is the 8-byte big-endian timestamp T (at most 2^63 - 1) followed by
// Ed25519 over "cosignature/v1\ntime <T>\n" || text.
//
// Errors are values: InvalidArgument for a malformed note (the message names
// the line and what is wrong), PermissionDenied when a signature by a known
// key does not verify (the whole note is rejected, as x/mod does),
// FailedPrecondition when a well-formed note carries no signature by a known
// key. Never crashes on any input.
//
// Thread-safe: pure functions; no shared state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "keys/keys.h"

namespace aisafe::log {

// x/mod/sumdb/note's limit; C2SP requires accepting at least 16.
inline constexpr size_t kMaxNoteSignatures = 100;
// The largest cosignature/v1 timestamp (c2sp.org/tlog-cosignature).
inline constexpr uint64_t kMaxCosignatureTime = (uint64_t{1} << 63) - 1;

struct NoteSignature {
  std::string name;          // key name
  uint32_t key_id = 0;       // the first 4 signature bytes, big-endian
  std::string sig;           // the bytes after the key id: 64 for Ed25519, 72 (8-byte BE time || 64) for cosignature/v1
  std::string Line() const;  // "— <name> <base64(key id || sig)>\n" (U+2014 EM DASH, space)
};

struct Note {
  std::string text;                       // non-empty, ends with "\n"
  std::vector<NoteSignature> signatures;  // in the order they appear
};

// Checks that `text` can be the text of a note: non-empty, ends in "\n",
// valid UTF-8, no control character other than "\n". InvalidArgument naming
// the line and byte otherwise.
absl::Status CheckNoteText(std::string_view text);

// Parses `message` (syntax only, no signature is checked). InvalidArgument
// naming the line and what is wrong.
absl::StatusOr<Note> ParseNote(std::string_view message);

// The note as text: text, empty line, signature lines. The inverse of
// ParseNote for every note it accepts.
std::string FormatNote(const Note& note);

struct VerifiedNote {
  Note note;
  std::vector<keys::Verifier> verified_by;  // the known keys whose signatures verified, each once, in note order
  std::vector<NoteSignature> unverified;    // signatures by unknown keys, identical duplicates removed
  std::vector<uint64_t> cosignature_times;  // per verified_by entry: its timestamp for alg 0x04, 0 for alg 0x01
};

// Verifies `message` against the `known` keys. A signature is by a known key
// when both name and key id match one; signatures by unknown keys are
// ignored (reported in `unverified`). Every signature by a known key is
// checked, repeated ones too (C2SP: "verifiers MUST verify the signature").
// `known` keys must have alg 0x01 or 0x04 (InvalidArgument otherwise).
absl::StatusOr<VerifiedNote> OpenNote(std::string_view message, std::span<const keys::Verifier> known);

// The timestamp of a cosignature/v1 signature (sig is 72 bytes and the time
// at most 2^63 - 1); InvalidArgument otherwise. Does not verify it.
absl::StatusOr<uint64_t> CosignatureTime(const NoteSignature& sig);

// The message a cosignature/v1 at `timestamp` signs: "cosignature/v1\ntime <T>\n" || text.
std::string CosignatureMessage(std::string_view text, uint64_t timestamp);

// An Ed25519 note signature (type 0x01 key id) of `text`. The caller passes
// valid note text (CheckNoteText).
NoteSignature SignNote(std::string_view text, const keys::Signer& signer);

// A cosignature/v1 (type 0x04 key id) of `text` at `timestamp`, which must be
// at most kMaxCosignatureTime (verifiers reject larger ones).
NoteSignature Cosign(std::string_view text, const keys::Signer& witness, uint64_t timestamp);

}  // namespace aisafe::log
