// A node's data directory: its configuration, its Ed25519 identity and its
// store (docs/formats/data-dir.md).
//
//   DIR/node.toml     format, name, country, limits; written last by init,
//                     so its presence means the node is complete
//   DIR/node.key      C2SP signer key, mode 0600; the node refuses to open
//                     when group or others have any access to it
//   DIR/store.sqlite  the SQLite store (+ -wal, -shm)
//
// Thread-safety: a Node may be shared between threads once opened; its
// store serialises access.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "keys/keys.h"
#include "store/store.h"

namespace aisafe::node {

inline constexpr int kDataDirFormat = 1;

struct NodeConfig {
  std::string name;                   // Node name: ^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$, the log origin.
  std::string country;                // ISO 3166-1 alpha-2 of the member state it serves.
  size_t max_record_bytes = 1 << 20;  // [records] max_bytes. Default: 1 MiB.
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

 private:
  Node(std::string dir, NodeConfig config, keys::Signer signer, std::unique_ptr<store::Store> store)
      : dir_(std::move(dir)), config_(std::move(config)), signer_(std::move(signer)), store_(std::move(store)) {}

  std::string dir_;
  NodeConfig config_;
  keys::Signer signer_;
  std::unique_ptr<store::Store> store_;
};

}  // namespace aisafe::node
