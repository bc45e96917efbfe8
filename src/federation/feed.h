// The federation feed's wire format (docs/federation.md): one page of the
// records a node may send to the asker, in the sender's log order, each
// with the proof that makes it checkable without trusting the sender.
//
//   {"sender": NAME,                        the sending node
//    "checkpoint": NOTE,                    its signed checkpoint
//    "consistency": {"old_size": N,         present when the asker said
//                    "new_size": M,         which size of the sender's
//                    "proof": [HEX, ...]},  log it holds (?have=N)
//    "origin_checkpoints": [NOTE, ...],     relayed records' origins'
//    "entries": [                           checkpoints
//      {"index": I, "record": {...}, "proof": [HEX, ...]},
//      {"index": I, "record": {...},
//       "relay": {"checkpoint": K, "index": J, "proof": [HEX, ...]}}],
//    "next_cursor": "...", "more": BOOL}
//
// An entry's "index" is its place in the sender's log. A record of the
// sender's own carries "proof", its RFC 9162 inclusion proof at "index" in
// "checkpoint"; a relayed record carries "relay": its index J in its
// origin's log and the inclusion proof against origin_checkpoints[K]. Hashes
// are lowercase hex. Records are embedded as JSON objects; a record's id is
// the SHA-256 of its RFC 8785 form, which the receiver computes itself.
//
// Errors: DecodeFeedPage returns InvalidArgument naming the JSON pointer at
// fault ("/entries/3/proof/0: not a 32-byte hex hash"). Never crashes on
// any input. Thread-safe: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "log/merkle.h"
#include "nlohmann/json.hpp"

namespace aisafe::federation {

inline constexpr size_t kDefaultFeedPage = 1000;
inline constexpr size_t kMaxFeedPage = 5000;

struct FeedConsistency {
  uint64_t old_size = 0;
  uint64_t new_size = 0;
  std::vector<log::Hash> proof;
};

struct FeedEntry {
  uint64_t index = 0;
  // Encode: the record's canonical JSON, embedded as is. Decode: the
  // parsed record (the receiver canonicalises it to find its id).
  std::string record_json;
  nlohmann::json record;
  std::vector<log::Hash> proof;  // Own records: inclusion in `checkpoint`.
  struct Relay {
    size_t checkpoint = 0;  // Position in origin_checkpoints.
    uint64_t index = 0;     // In the origin's log.
    std::vector<log::Hash> proof;
  };
  std::optional<Relay> relay;
};

struct FeedPage {
  std::string sender;
  std::string checkpoint;
  std::optional<FeedConsistency> consistency;
  std::vector<std::string> origin_checkpoints;
  std::vector<FeedEntry> entries;
  std::string next_cursor;
  bool more = false;
};

// The page as sent (application/json). Entries' record_json is embedded
// verbatim; it must be a JSON object (the store's canonical bytes are).
std::string EncodeFeedPage(const FeedPage& page);

// Parses a page strictly (records::ParseJson: no duplicate names, valid
// UTF-8): every member present with its type, indexes increasing, relay
// checkpoint positions in range, proofs at most 128 hashes.
absl::StatusOr<FeedPage> DecodeFeedPage(std::string_view body);

// Hashes as the wire has them.
std::string HashesJson(const std::vector<log::Hash>& hashes);
absl::StatusOr<std::vector<log::Hash>> HashesFromJson(const nlohmann::json& value, std::string_view pointer);

// The feed cursor: opaque to the asker; in fact the next index of the
// sender's log to scan, in decimal.
std::string EncodeCursor(uint64_t next_index);
absl::StatusOr<uint64_t> DecodeCursor(std::string_view cursor);

}  // namespace aisafe::federation
