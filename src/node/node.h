// A node's data directory: its configuration, its Ed25519 identity and its
// store (docs/formats/data-dir.md).
//
//   DIR/node.toml     format, name, country, limits; written last by init,
//                     so its presence means the node is complete
//   DIR/node.key      C2SP signer key, mode 0600; the node refuses to open
//                     when group or others have any access to it
//   DIR/store.sqlite  the SQLite store (+ -wal, -shm)
//   DIR/search/       the search index (Xapian), derived from the store:
//                     brought up to date on open and after every write
//
// Thread-safety: a Node may be shared between threads once opened; its
// store serialises access.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "keys/keys.h"
#include "search/index.h"
#include "search/indexer.h"
#include "store/store.h"
#include "util/clock.h"

namespace aisafe::node {

inline constexpr int kDataDirFormat = 1;

// [server]: how `aisafe serve` listens (docs/formats/data-dir.md). Flags of
// `serve` override these.
struct ServerSettings {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT.
  int threads = 0;                        // 0: one per core.
  size_t max_body_bytes = 8 << 20;
  size_t max_header_bytes = 16 << 10;
  absl::Duration header_timeout = absl::Seconds(10);
  absl::Duration body_timeout = absl::Seconds(60);
  absl::Duration idle_timeout = absl::Seconds(30);
  std::string tls_cert;  // PEM files; both set: HTTPS. Relative to the data directory.
  std::string tls_key;
  // Write rate limits, in records per second with a burst allowance
  // (token buckets; 0: unlimited). Per API token and per client address.
  double token_write_rate = 2000;
  double token_write_burst = 20000;
  double address_write_rate = 5000;
  double address_write_burst = 50000;
};

struct NodeConfig {
  std::string name;                   // Node name: ^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$, the log origin.
  std::string country;                // ISO 3166-1 alpha-2 of the member state it serves.
  size_t max_record_bytes = 1 << 20;  // [records] max_bytes. Default: 1 MiB.
  // [log] checkpoint_interval_ms: the least time between two checkpoints
  // (0: one after every batch). Default: 1 s.
  absl::Duration checkpoint_interval = absl::Seconds(1);
  ServerSettings server;
  // [federation] sync_interval_ms: how often `aisafe serve` pulls from its
  // peers (0: never). Default: 10 s.
  absl::Duration sync_interval = absl::Seconds(10);
  // [federation] ca_file: PEM CA certificates that HTTPS peers' certificates
  // must chain to ("": the system's). Relative to the data directory.
  std::string federation_ca_file;
};

// Signs the node's checkpoints: origin = the node's name, Ed25519 with the
// node's key (C2SP tlog-checkpoint in a C2SP signed note).
class NodeCheckpointSigner final : public store::CheckpointSigner {
 public:
  // `key` and `clock` are borrowed.
  NodeCheckpointSigner(const keys::Signer* key, const util::Clock* clock, absl::Duration interval)
      : key_(key), clock_(clock), interval_(interval) {}
  int64_t NowUs() const override { return absl::ToUnixMicros(clock_->Now()); }
  int64_t MinIntervalUs() const override { return absl::ToInt64Microseconds(interval_); }
  absl::StatusOr<std::string> Sign(uint64_t size, const log::Hash& root) const override;

 private:
  const keys::Signer* key_;
  const util::Clock* clock_;
  absl::Duration interval_;
};

// InvalidArgument if `name` is not a valid node name.
absl::Status CheckNodeName(std::string_view name);

class Node {
 public:
  // Creates a node in `dir` (created if absent). AlreadyExists if `dir`
  // holds a node; FailedPrecondition if it holds anything else;
  // InvalidArgument for a bad name or country.
  static absl::StatusOr<std::unique_ptr<Node>> Init(const std::string& dir, std::string_view name,
                                                    std::string_view country);

  // Opens the node in `dir`. NotFound if there is none; FailedPrecondition
  // if the directory is not an aisafe node or its format is newer;
  // PermissionDenied if the key is readable by others or files unreadable.
  static absl::StatusOr<std::unique_ptr<Node>> Open(const std::string& dir);

  const NodeConfig& config() const { return config_; }
  const keys::Signer& signer() const { return signer_; }
  store::Store& store() const { return *store_; }
  const std::string& dir() const { return dir_; }
  const util::Clock& clock() const { return *clock_; }
  const store::CheckpointSigner& checkpoint_signer() const { return checkpoint_signer_; }

  // Makes the newest checkpoint cover the whole log, as every write does
  // before it answers: if entries are not yet checkpointed, waits until the
  // newest checkpoint is checkpoint_interval old, then signs one. Returns
  // the newest checkpoint.
  absl::StatusOr<store::StoredCheckpoint> CheckpointLog() const;

  // Searches the records the node holds (search/index.h), after indexing
  // any the index lacks (written by another process, say).
  absl::StatusOr<search::SearchResult> Search(const search::SearchRequest& request) const;
  const search::Index& SearchIndex() const { return *index_; }
  // Rebuilds the search index from the store beside the live one, then
  // swaps them. Returns the number of records indexed. Not to be run while
  // this Node searches from other threads.
  absl::StatusOr<uint64_t> Reindex(const search::IndexProgress& progress = nullptr);

 private:
  absl::Status AttachSearch();
  // Indexes what the index lacks; a failure is reported on stderr only.
  void CatchUpSearch() const;

  Node(std::string dir, NodeConfig config, keys::Signer signer, std::unique_ptr<store::Store> store)
      : dir_(std::move(dir)),
        config_(std::move(config)),
        signer_(std::move(signer)),
        store_(std::move(store)),
        checkpoint_signer_(&signer_, clock_, config_.checkpoint_interval) {}

  std::string dir_;
  NodeConfig config_;
  keys::Signer signer_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<search::Index> index_;
  std::unique_ptr<search::Indexer> indexer_;
  const util::Clock* clock_ = &util::RealClock();
  NodeCheckpointSigner checkpoint_signer_;
};

}  // namespace aisafe::node
