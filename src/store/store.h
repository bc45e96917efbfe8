// The node's storage contract. Everything a node keeps goes through these
// two interfaces, so a PostgreSQL backend can replace SQLite with no change
// to callers (habit 2/3 of CODE-WE-LEARN-FROM.md: read-only and writable
// interfaces, preconditions checked outside the virtuals).
//
// What a store holds:
//   records       immutable canonical bytes keyed by their 32-byte id, with
//                 the envelope fields needed to list them, and a local
//                 sequence number in arrival order (seq, from 1);
//   submissions   digest of a document as submitted (before the node filled
//                 origin/created/nonce) -> the id it became, so resubmitting
//                 it is idempotent;
//   log           the node's transparency log (docs/formats/log.md): every
//                 record's id is appended, in the transaction that stores
//                 the record, at the next log index; the tree is kept as
//                 C2SP tlog-tiles (log::TileReader); signed checkpoints are
//                 all kept;
//   principals,   the people and services known to the node, and their API
//   tokens        tokens (hashes only);
//   meta          small named values of node state.
//
// Thread-safety: implementations are safe to call from several threads; a
// write batch is one transaction, durable when PutBatch returns OK.
// Errors: a read never fails with NotFound, absence is an empty optional;
// NotFound reports a missing target of a change (RemovePrincipal, ...).
// Unavailable/Internal/DataLoss report faults of the backend.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "log/tiles.h"
#include "util/sha256.h"

namespace aisafe::store {

using RecordId = util::Digest;

struct StoredRecord {
  uint64_t seq = 0;
  uint64_t log_index = 0;  // The record's entry in the node's log.
  RecordId id{};
  std::string type;
  std::string origin;
  std::string tlp;
  std::string created;     // RFC 3339 UTC, as in the record.
  int64_t created_us = 0;  // created, in microseconds since the Unix epoch.
  std::string canonical;   // The record's RFC 8785 bytes.
};

// One record to store. Borrowed views: they must outlive the PutBatch call.
struct NewRecord {
  RecordId id{};
  std::string_view canonical;
  std::string_view type;
  std::string_view origin;
  std::string_view tlp;
  std::string_view created;
  int64_t created_us = 0;
  // Digest of the document as submitted; absent for records whose bytes
  // came complete (e.g. from a peer).
  std::optional<util::Digest> submission;
  // The ISO 3166-1 codes the record names (`countries`, distinct), for the
  // record counts; the store does not parse `canonical` for them.
  std::span<const std::string> countries = {};
};

struct PutOutcome {
  RecordId id{};          // The id the input now maps to.
  bool inserted = false;  // False if the record, or its submission, existed.
  uint64_t seq = 0;       // The new record's seq, when inserted.
};

// Which markings a reader may see (auth::VisibleTo decides; the store only
// applies it, inside the query, so pages and counts never reveal the rest).
struct VisibleFilter {
  std::vector<std::string> tlps;          // Visible whatever the origin.
  std::optional<std::string> red_origin;  // Also red records of this origin.
};

struct ListQuery {
  std::optional<std::string> type;       // All types when absent.
  std::optional<std::string> origin;     // All origins when absent.
  std::optional<VisibleFilter> visible;  // Everything when absent.
  size_t limit = 100;                    // 1..10000.
  std::string cursor;                    // Opaque; "" starts at the newest.
};

struct ListPage {
  std::vector<StoredRecord> records;  // Newest `created` first; ties by seq.
  std::string next_cursor;            // "" when there is nothing more.
};

// Record counts by the UTC day of `created`, kept by the store in the
// transaction that stores each record (the dashboard's figures, issue 7).
struct CountsQuery {
  std::optional<VisibleFilter> visible;  // Everything when absent.
  int64_t from_day = INT64_MIN;          // First day counted, in days since 1970-01-01 UTC.
  int64_t to_day = INT64_MAX;            // Last day counted.
  bool per_day = false;                  // Rows per day; otherwise one row per (type, country).
  bool per_country = false;              // Rows per country a record names; otherwise per record.
};

// The UTC day of a time in microseconds since the Unix epoch, as the counts
// key it: floor(us / 86,400,000,000), so times before 1970 fall on negative
// days, not on day 0.
inline int64_t DayOfUnixMicros(int64_t us) {
  constexpr int64_t kUsPerDay = int64_t{86400} * 1000000;
  return us >= 0 ? us / kUsPerDay : -((-us + kUsPerDay - 1) / kUsPerDay);
}

struct DayCount {
  int64_t day = 0;  // 0 unless CountsQuery::per_day.
  std::string type;
  std::string country;  // "" unless CountsQuery::per_country.
  uint64_t count = 0;
};

// A person or service known to the node (auth::Role names the role).
struct Principal {
  std::string name;
  std::string role;
  int64_t created_us = 0;
};

// An API token as kept: never the secret, only its SHA-256 and public id.
struct StoredToken {
  std::string id;  // 16 lowercase hex characters, public.
  util::Digest hash{};
  std::string principal;
  int64_t created_us = 0;
  std::optional<int64_t> expires_us;
  std::optional<int64_t> revoked_us;
};

// A signed checkpoint of the node's log, as kept.
struct StoredCheckpoint {
  uint64_t size = 0;
  int64_t created_us = 0;
  std::string note;  // The C2SP signed note, as signed.
};

// --- Federation (docs/federation.md) -------------------------------------

// A network member whose records this node accepts, directly or relayed:
// its node name and its verifier key (C2SP signed-note format).
struct Member {
  std::string name;
  std::string vkey;
  std::string country;
  int64_t added_us = 0;
};

// A member this node pulls from, with where it stands in the peer's feed.
struct Peer {
  std::string name;  // Also a Member.
  std::string url;
  int64_t added_us = 0;
  std::string cursor;                   // Opaque feed cursor; "" from the start.
  std::optional<int64_t> last_sync_us;  // End of the last pull round, success or not.
  std::string last_error;               // "" when the last round succeeded.
  uint64_t received = 0;                // Records stored from this peer's feed, ever.
  uint64_t rejected = 0;                // Records refused from it, ever.
};

// A checkpoint of another node's log whose signature this node verified.
struct ForeignCheckpoint {
  int64_t id = 0;  // Assigned by the store.
  std::string origin;
  uint64_t size = 0;
  log::Hash root{};
  std::string note;    // As signed by the origin.
  std::string source;  // How it came: "peer:NAME", "relay:NAME", "gossip:NAME", "push".
  int64_t seen_us = 0;
};

// The newest checkpoint of an origin this node verified as consistent with
// every earlier one it verified, and this node's cosignature of it.
struct Witnessed {
  ForeignCheckpoint checkpoint;
  std::string cosigned;  // The note with our tlog-cosignature/v1 line added.
  int64_t updated_us = 0;
};

// Two signed checkpoints of one origin that cannot both be honest.
struct SplitView {
  int64_t id = 0;
  std::string origin;
  std::string first;   // The note this node held.
  std::string second;  // The note that contradicts it.
  std::string reason;
  std::string source;
  int64_t raised_us = 0;
  std::optional<int64_t> cleared_us;
  std::string cleared_by;
};

// How a record received from another node is proven in its origin's log.
struct OriginProof {
  uint64_t index = 0;            // The record's index in the origin's log.
  int64_t checkpoint_id = 0;     // ForeignCheckpoint::id.
  std::string checkpoint_note;   // Filled by reads.
  std::vector<log::Hash> proof;  // RFC 9162 inclusion proof against it.
};

// A record in this node's log order, with its origin proof when it came
// from another node (what the feed serves).
struct FeedRecord {
  StoredRecord record;
  std::optional<OriginProof> origin_proof;
};

// One verified feed page, stored atomically: its records, the checkpoints
// that prove them and the new cursor. (The witness advances before, once
// the page's checkpoints passed it.)
struct PulledPage {
  std::string peer;
  std::string next_cursor;
  // Every checkpoint a record of the page is proven against (ids are
  // assigned on store; records name them by position).
  std::vector<ForeignCheckpoint> checkpoints;
  struct Received {
    NewRecord record;
    size_t checkpoint = 0;  // Position in `checkpoints`.
    uint64_t origin_index = 0;
    std::vector<log::Hash> proof;
  };
  std::vector<Received> records;
  uint64_t rejected = 0;  // Added to the peer's count (a refused page keeps nothing else).
};

// Signs the log's checkpoints. The store calls it inside the transaction
// that grows the log, so a checkpoint is never kept for a tree that is not.
class CheckpointSigner {
 public:
  virtual ~CheckpointSigner() = default;
  // The time to record as the checkpoint's, microseconds since the epoch.
  virtual int64_t NowUs() const = 0;
  // A batch signs a checkpoint only when the newest is at least this old;
  // 0 signs one after every batch. Bounds signing under load.
  virtual int64_t MinIntervalUs() const = 0;
  // The signed note for the tree of `size` with `root`.
  virtual absl::StatusOr<std::string> Sign(uint64_t size, const log::Hash& root) const = 0;
};

class ReadOnlyStore : public log::TileReader {
 public:
  ~ReadOnlyStore() override = default;

  virtual absl::StatusOr<std::optional<StoredRecord>> Get(const RecordId& id) const = 0;

  // InvalidArgument for a malformed cursor or limit.
  absl::StatusOr<ListPage> List(const ListQuery& query) const;

  // Number of records, of one type or all.
  virtual absl::StatusOr<uint64_t> Count(std::optional<std::string_view> type) const = 0;

  // Counts of records by (day,) type (and country), in no particular order.
  // A record naming three countries counts once per country when
  // per_country is set, once otherwise; records naming none are absent
  // from per-country rows.
  virtual absl::StatusOr<std::vector<DayCount>> CountRecords(const CountsQuery& query) const = 0;

  // The record a submitted document became, if it was submitted before.
  virtual absl::StatusOr<std::optional<RecordId>> FindSubmission(const util::Digest& digest) const = 0;

  virtual absl::StatusOr<std::optional<std::string>> GetMeta(std::string_view key) const = 0;

  // The log: its size (= the number of records), records in log order from
  // `begin`, and the kept checkpoints in size order after `after_size`
  // (nullopt: from the first).
  virtual absl::StatusOr<uint64_t> LogSize() const = 0;
  virtual absl::StatusOr<std::vector<StoredRecord>> ListByLogIndex(uint64_t begin, size_t limit) const = 0;
  virtual absl::StatusOr<std::optional<StoredCheckpoint>> LatestCheckpoint() const = 0;
  virtual absl::StatusOr<std::vector<StoredCheckpoint>> ListCheckpoints(std::optional<uint64_t> after_size,
                                                                        size_t limit) const = 0;

  // Federation (issue 5).
  virtual absl::StatusOr<std::optional<Member>> GetMember(std::string_view name) const = 0;
  virtual absl::StatusOr<std::vector<Member>> ListMembers() const = 0;  // By name.
  virtual absl::StatusOr<std::optional<Peer>> GetPeer(std::string_view name) const = 0;
  virtual absl::StatusOr<std::vector<Peer>> ListPeers() const = 0;  // By name.
  // Records in log order from `begin`, each with its origin proof if kept.
  virtual absl::StatusOr<std::vector<FeedRecord>> ListFeed(uint64_t begin, size_t limit) const = 0;
  // Kept checkpoints of `origin` of tree `size`.
  virtual absl::StatusOr<std::vector<ForeignCheckpoint>> FindForeignCheckpoints(std::string_view origin,
                                                                                uint64_t size) const = 0;
  virtual absl::StatusOr<std::optional<Witnessed>> GetWitnessed(std::string_view origin) const = 0;
  virtual absl::StatusOr<std::vector<Witnessed>> ListWitnessed() const = 0;   // By origin.
  virtual absl::StatusOr<std::vector<SplitView>> ListSplitViews() const = 0;  // Oldest first, cleared too.

  // Principals and tokens (issue 4).
  virtual absl::StatusOr<std::optional<Principal>> GetPrincipal(std::string_view name) const = 0;
  virtual absl::StatusOr<std::vector<Principal>> ListPrincipals() const = 0;  // By name.
  virtual absl::StatusOr<std::optional<StoredToken>> FindToken(const util::Digest& hash) const = 0;
  virtual absl::StatusOr<std::vector<StoredToken>> ListTokens() const = 0;  // By principal, then age.

 protected:
  struct Position {
    int64_t created_us;
    uint64_t seq;
  };
  virtual absl::StatusOr<ListPage> ListImpl(const ListQuery& query, std::optional<Position> after) const = 0;
  static std::string EncodeCursor(const StoredRecord& last);
};

class Store : public ReadOnlyStore {
 public:
  // Stores a batch atomically: all records or none, each new record with
  // its log entry, and, when `signer` is given and the newest checkpoint is
  // old enough (CheckpointSigner::MinIntervalUs), a checkpoint of the grown
  // log. A record whose id is already stored, or whose submission digest
  // is, is not stored again; its outcome names the existing id. Outcomes
  // are in input order. Returns when the transaction is durable.
  // InvalidArgument for an empty id or empty canonical bytes (nothing is
  // stored).
  absl::StatusOr<std::vector<PutOutcome>> PutBatch(std::span<const NewRecord> batch,
                                                   const CheckpointSigner* signer = nullptr);

  // Signs and keeps a checkpoint of the whole log now if the newest one is
  // of a smaller tree (or there is none), whatever its age; returns the
  // newest checkpoint.
  virtual absl::StatusOr<StoredCheckpoint> Checkpoint(const CheckpointSigner& signer) = 0;

  virtual absl::Status SetMeta(std::string_view key, std::string_view value) = 0;

  // AlreadyExists if the name is taken.
  virtual absl::Status AddPrincipal(const Principal& principal) = 0;
  // Removes the principal and every token of it. NotFound if absent.
  virtual absl::Status RemovePrincipal(std::string_view name) = 0;
  // NotFound if its principal is absent; AlreadyExists if the id or hash is.
  virtual absl::Status AddToken(const StoredToken& token) = 0;
  // Marks the token revoked at `now_us` (kept, for the audit trail).
  // NotFound if absent; a revoked token stays revoked at its first time.
  virtual absl::Status RevokeToken(std::string_view id, int64_t now_us) = 0;

  // Federation. AddMember: AlreadyExists if the name is taken.
  // RemoveMember: NotFound if absent, FailedPrecondition while it is a peer.
  virtual absl::Status AddMember(const Member& member) = 0;
  virtual absl::Status RemoveMember(std::string_view name) = 0;
  // Adds the peer, and `member` as a member unless the same one (name and
  // key) is one already; AlreadyExists if the peer exists or the member
  // name is taken with another key. RemovePeer keeps the member and every
  // record; NotFound if absent.
  virtual absl::Status AddPeer(const Peer& peer, const Member& member) = 0;
  virtual absl::Status RemovePeer(std::string_view name) = 0;
  // The end of a pull round: its time, its error ("" for success).
  virtual absl::Status SetPeerSyncResult(std::string_view name, int64_t now_us, std::string_view error,
                                         uint64_t rejected) = 0;
  // Stores a verified page: its records (with their log entries and
  // `signer`'s checkpoint as PutBatch does), their origin proofs, the
  // checkpoints, and the peer's cursor; all or nothing. Returns how many
  // records were new.
  absl::StatusOr<uint64_t> ApplyPulledPage(const PulledPage& page, const CheckpointSigner* signer);
  // Keeps a verified checkpoint (once per origin, size and root); returns
  // its id.
  virtual absl::StatusOr<int64_t> KeepForeignCheckpoint(const ForeignCheckpoint& checkpoint) = 0;
  // Makes `witnessed` the origin's newest witnessed checkpoint if the one
  // held now has `expected_size` (nullopt: none is held), atomically (C2SP
  // tlog-witness); else FailedPrecondition. Keeps its checkpoint too.
  virtual absl::Status AdvanceWitnessed(const Witnessed& witnessed, std::optional<uint64_t> expected_size) = 0;
  // Raises a split view (kept once per origin and pair of notes; the same
  // evidence seen again after a human cleared it reopens it); returns its
  // id. ClearSplitView records a human's decision: the alert is kept,
  // cleared, and the origin's witnessed checkpoint is forgotten, so the
  // next one starts afresh; NotFound if absent or already cleared.
  virtual absl::StatusOr<int64_t> RaiseSplitView(const SplitView& alert) = 0;
  virtual absl::Status ClearSplitView(int64_t id, int64_t now_us, std::string_view by) = 0;

  // Called after every commit that stored new records (PutBatch,
  // ApplyPulledPage), on the committing thread, once the transaction is
  // durable. The node keeps its search index current with it
  // (search/indexer.h); the store knows nothing of what it does. Set it
  // before the store is shared between threads.
  void SetRecordsStoredHook(std::function<void()> hook) { records_stored_ = std::move(hook); }

 protected:
  virtual absl::StatusOr<std::vector<PutOutcome>> PutBatchImpl(std::span<const NewRecord> batch,
                                                               const CheckpointSigner* signer) = 0;
  virtual absl::StatusOr<uint64_t> ApplyPulledPageImpl(const PulledPage& page, const CheckpointSigner* signer) = 0;

 private:
  std::function<void()> records_stored_;
};

}  // namespace aisafe::store
