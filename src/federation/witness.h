// Witnessing other nodes' logs (docs/federation.md "Witnessing").
//
// For every origin it has seen, a node keeps the newest checkpoint it
// verified as consistent with every earlier one (store::Witnessed), cosigned
// with its own key (C2SP tlog-cosignature/v1). Every checkpoint of another
// log, however it came (a peer's feed, a relayed record, a peer's witness
// view, a push to add-checkpoint), goes through Observe once its signature
// has been verified against the origin's member key:
//
//   same size as a kept checkpoint, other root     split view
//   larger than the witnessed one, with a valid
//     consistency proof from it                     advance and cosign
//   a consistency proof that does not verify        split view (if the origin
//                                                   served it; else refused)
//   no proof (the path could not bring one)         kept, unproven: the
//                                                   puller asks the origin
//                                                   for a proof when it can
//
// A split view keeps both signed notes as evidence and, until a human
// clears it, stops the node from accepting anything of that origin
// (Blocked). The first checkpoint of an origin is trusted on first use,
// and so is the first after a human cleared an alert: clearing forgets the
// witnessed checkpoint, and checkpoints seen before it no longer conflict.
//
// Thread-safety: Observe may run on several threads; the store's
// compare-and-set (AdvanceWitnessed) keeps the witnessed size from going
// backwards, as C2SP tlog-witness requires.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "keys/keys.h"
#include "log/checkpoint.h"
#include "store/store.h"
#include "util/clock.h"

namespace aisafe::federation {

// A consistency proof between two sizes of an origin's log.
struct ConsistencyEvidence {
  uint64_t old_size = 0;
  uint64_t new_size = 0;
  std::vector<log::Hash> proof;
};

struct Observation {
  enum class Kind {
    kAdvanced,   // Now the witnessed checkpoint (cosigned).
    kKnown,      // Consistent with the witnessed one and not newer.
    kUnproven,   // Kept; its consistency with the witnessed one is not yet known.
    kSplitView,  // Contradicts a kept checkpoint; alert raised.
    kBadProof,   // A proof not from the origin did not verify: refused, no alert.
  };
  Kind kind = Kind::kKnown;
  std::string reason;                         // For split views.
  int64_t alert_id = 0;                       // For split views.
  std::optional<store::Witnessed> witnessed;  // The witnessed checkpoint after the observation.
};

// `note` with only the signatures named `origin` (the log's own), so one
// checkpoint is one piece of evidence however many witnesses cosigned the
// copy that came. `note` unchanged if it does not parse.
std::string OriginSignedNote(std::string_view note, std::string_view origin);

class Witness {
 public:
  // All borrowed.
  Witness(store::Store* store, const keys::Signer* key, const util::Clock* clock)
      : store_(store), key_(key), clock_(clock) {}

  // `checkpoint` must come from log::OpenCheckpoint with the origin's key.
  // `evidence`, if any, must connect the checkpoint's size with the
  // witnessed one's (either order); otherwise it is ignored. A proof that
  // does not verify is evidence of a split view only when the origin itself
  // served it (`evidence_from_origin`): anyone can push a bad proof, and an
  // alert stops a whole origin.
  absl::StatusOr<Observation> Observe(const log::SignedCheckpoint& checkpoint, std::string_view source,
                                      const std::optional<ConsistencyEvidence>& evidence,
                                      bool evidence_from_origin = true);

  // Whether an uncleared split view stops accepting from `origin`.
  absl::StatusOr<bool> Blocked(std::string_view origin) const;

  // Our cosignature/v1 line for `note` at the current time.
  std::string CosignatureLine(std::string_view note) const;

 private:
  // When a human last cleared an alert of `origin` (INT64_MIN: never).
  absl::StatusOr<int64_t> LastClearedUs(std::string_view origin) const;
  absl::StatusOr<Observation> Split(const store::ForeignCheckpoint& held, const log::SignedCheckpoint& seen,
                                    std::string_view source, std::string reason);

  store::Store* store_;
  const keys::Signer* key_;
  const util::Clock* clock_;
};

}  // namespace aisafe::federation
