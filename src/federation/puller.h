// The receiving side of federation (docs/federation.md "Pull"): one pull
// round from a peer, verifying everything before storing anything.
//
// A round asks the peer's feed for pages after the stored cursor, signing
// each request with the node's key, until the peer says there is no more.
// For each page it checks
//   - the page's checkpoint is signed by the peer's member key, and each
//     relayed record's origin checkpoint by that origin's member key (the
//     roster; a key is never learnt from a relay); relayed records of an
//     origin that is not a member here are skipped, not refused: whose
//     records a node takes is its own choice;
//   - each record is a valid record whose id (the SHA-256 of its canonical
//     form) is included at its index in the checkpoint it names;
//   - each record's origin is the peer, or, relayed, the origin of its
//     checkpoint (never this node, never an unknown member);
//   - the peer was allowed to send it here (auth::MayFederate);
//   - every checkpoint passes the witness (federation/witness.h), and no
//     origin of the page is stopped by a split-view alert;
// then stores the page, its proofs and the new cursor in one transaction.
// A page that fails any check is refused whole: nothing of it is kept, the
// cursor stays, the reason is reported and counted, and the round stops
// (the same page is asked for again next round). Interrupted rounds resume
// from the stored cursor; repeating a round stores nothing twice.
//
// After the pages, the round reads the peer's witness view (the checkpoints
// it witnessed) and observes those of known members, asking an origin that
// is also a peer for a consistency proof when a checkpoint's consistency
// with ours is unknown: that is how two peers shown different histories of
// one origin find out.
//
// Thread-safety: a Puller may be used by one thread at a time; several
// Pullers (e.g. the serve loop and `aisafe sync` in another process) may
// run on one node, since each page is one store transaction.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "federation/http_client.h"
#include "federation/witness.h"
#include "node/node.h"

namespace aisafe::federation {

struct SyncOptions {
  size_t page_limit = 1000;
  ClientOptions client;
  // Set (by another thread) to end a round after the page in flight.
  const std::atomic<bool>* cancel = nullptr;
};

struct PeerSyncReport {
  std::string peer;
  uint64_t pages = 0;
  uint64_t received = 0;              // Records new to this node.
  uint64_t rejected = 0;              // Records in refused pages.
  uint64_t skipped = 0;               // Relayed records of origins that are not members here (not taken, not an error).
  uint64_t split_views = 0;           // Alerts raised in this round.
  std::vector<std::string> problems;  // Each refusal and alert, with its reason.
  absl::Status status;                // OK when every page verified and the peer answered.
};

// What the round saw, for metrics and logs (may be empty).
struct SyncObserver {
  std::function<void(const std::string& peer, uint64_t records)> on_stored;
  // `kind`: a short reason class ("proof", "signature", "policy", "record",
  // "origin", "page", "split_view", ...), `detail` the full reason.
  std::function<void(const std::string& peer, const std::string& kind, const std::string& detail)> on_rejected;
  std::function<void(const std::string& origin, const std::string& reason)> on_split_view;
};

class Puller {
 public:
  // `node` is borrowed.
  Puller(node::Node* node, SyncOptions options, SyncObserver observer = {});

  // One round from the peer named `name`. NotFound if there is none.
  PeerSyncReport SyncPeer(const std::string& name);
  // One round from every peer, in name order.
  std::vector<PeerSyncReport> SyncAll();

 private:
  struct Impl;
  node::Node* node_;
  SyncOptions options_;
  SyncObserver observer_;
  Witness witness_;
};

}  // namespace aisafe::federation
