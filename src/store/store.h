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
};

struct PutOutcome {
  RecordId id{};          // The id the input now maps to.
  bool inserted = false;  // False if the record, or its submission, existed.
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

 protected:
  virtual absl::StatusOr<std::vector<PutOutcome>> PutBatchImpl(std::span<const NewRecord> batch,
                                                               const CheckpointSigner* signer) = 0;
};

}  // namespace aisafe::store
