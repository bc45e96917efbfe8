// The sending side of federation (docs/federation.md): what a node answers
// to the peers that pull from it and push to it. Transport-free: the HTTP
// API (server/api.cc) maps these to routes.
//
//   GET  /v1/federation/feed          ServeFeed, for the asker AuthenticateAsker names
//   GET  /v1/federation/witness       ServeWitnessView: the checkpoints this node
//                                     witnessed, with its cosignatures
//   GET  /v1/federation/consistency   ServeConsistency: a proof between two
//                                     sizes of this node's log
//   POST /witness/add-checkpoint      AddCheckpoint (C2SP tlog-witness)
//
// Every record ServeFeed returns passed auth::MayFederate for the asker.
// Thread-safety: all functions may run on many threads at once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "federation/http_signature.h"
#include "federation/witness.h"
#include "node/node.h"

namespace aisafe::federation {

struct FeedRequest {
  std::optional<std::string> asker;  // A verified member's node name; nullopt: anonymous.
  std::string cursor;                // "" from the start of the log.
  size_t limit = 1000;               // 1..kMaxFeedPage records.
  std::optional<uint64_t> have;      // The size of our log the asker holds a checkpoint of.
};

// The feed page for `request`, as JSON (federation/feed.h). InvalidArgument
// naming the parameter ("cursor", "limit"); FailedPrecondition if the log
// has no checkpoint yet.
absl::StatusOr<std::string> ServeFeed(const node::Node& node, const FeedRequest& request);

// Who is asking: the member whose key signed the request (RFC 9421, this
// node's profile in http_signature.h), or nullopt for an unsigned request or
// a key id that names no member (both are treated as anonymous).
// Unauthenticated for a signature by a member that does not verify, is
// stale, or replays a nonce; ResourceExhausted when the replay guard is
// full (retry later).
struct SignedParts {
  std::string_view method, path, query;
  std::optional<std::string_view> date, signature_input, signature;
};
absl::StatusOr<std::optional<std::string>> AuthenticateAsker(const store::ReadOnlyStore& store,
                                                             const SignedParts& request, ReplayGuard& replays,
                                                             absl::Time now);

// {"witness": VKEY, "checkpoints": [{"origin", "size", "checkpoint"}]}:
// every witnessed checkpoint, each note carrying this node's cosignature.
absl::StatusOr<std::string> ServeWitnessView(const node::Node& node);

// {"old_size", "new_size", "proof": [HEX]}; OutOfRange unless
// old <= new <= the log size.
absl::StatusOr<std::string> ServeConsistency(const node::Node& node, uint64_t old_size, uint64_t new_size);

// C2SP tlog-witness add-checkpoint. `status` and `body` follow the spec:
// 200 with our cosignature line, 400 malformed, 403 bad signature (and an
// origin stopped by an open split-view alert), 404 unknown origin, 409
// (text/x.tlog.size) stale old size or same-size fork, 422 failed
// consistency proof.
struct WitnessReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  bool split_view = false;  // The push revealed a split view (alert raised).
};
WitnessReply AddCheckpoint(const node::Node& node, Witness& witness, std::string_view body);

}  // namespace aisafe::federation
