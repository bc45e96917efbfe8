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
//   meta          small named values of node state (later: peers, cursors,
//                 log state get tables of their own through migrations).
//
// Thread-safety: implementations are safe to call from several threads; a
// write batch is one transaction, durable when PutBatch returns OK.
// Errors: NotFound is never an error here, absence is an empty optional.
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
#include "util/sha256.h"

namespace aisafe::store {

using RecordId = util::Digest;

struct StoredRecord {
  uint64_t seq = 0;
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

struct ListQuery {
  std::optional<std::string> type;  // All types when absent.
  size_t limit = 100;               // 1..10000.
  std::string cursor;               // Opaque; "" starts at the newest.
};

struct ListPage {
  std::vector<StoredRecord> records;  // Newest `created` first; ties by seq.
  std::string next_cursor;            // "" when there is nothing more.
};

class ReadOnlyStore {
 public:
  virtual ~ReadOnlyStore() = default;

  virtual absl::StatusOr<std::optional<StoredRecord>> Get(const RecordId& id) const = 0;

  // InvalidArgument for a malformed cursor or limit.
  absl::StatusOr<ListPage> List(const ListQuery& query) const;

  // Number of records, of one type or all.
  virtual absl::StatusOr<uint64_t> Count(std::optional<std::string_view> type) const = 0;

  // The record a submitted document became, if it was submitted before.
  virtual absl::StatusOr<std::optional<RecordId>> FindSubmission(const util::Digest& digest) const = 0;

  virtual absl::StatusOr<std::optional<std::string>> GetMeta(std::string_view key) const = 0;

 protected:
  struct Position {
    int64_t created_us;
    uint64_t seq;
  };
  virtual absl::StatusOr<ListPage> ListImpl(std::optional<std::string_view> type, size_t limit,
                                            std::optional<Position> after) const = 0;
  static std::string EncodeCursor(const StoredRecord& last);
};

class Store : public ReadOnlyStore {
 public:
  // Stores a batch atomically: all records or none. A record whose id is
  // already stored, or whose submission digest is, is not stored again; its
  // outcome names the existing id. Outcomes are in input order. Returns when
  // the transaction is durable. InvalidArgument for an empty id or empty
  // canonical bytes (nothing is stored).
  absl::StatusOr<std::vector<PutOutcome>> PutBatch(std::span<const NewRecord> batch);

  virtual absl::Status SetMeta(std::string_view key, std::string_view value) = 0;

 protected:
  virtual absl::StatusOr<std::vector<PutOutcome>> PutBatchImpl(std::span<const NewRecord> batch) = 0;
};

}  // namespace aisafe::store
