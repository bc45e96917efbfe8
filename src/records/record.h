// The aisafe record: an envelope every type shares and a body its type
// defines (docs/formats/records.md). This header is the record component's
// contract: what makes a document a valid record, and its identity.
//
//   id = lowercase hex SHA-256 of the RFC 8785 canonical form of the whole
//        record, after every string is NFC-normalised.
//
// Thread-safe: everything here is a pure function of its arguments.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "records/violation.h"
#include "util/sha256.h"

namespace aisafe::records {

using RecordId = util::Digest;

// TLP 2.0 markings (PRODUCT.md's sharing table).
enum class Tlp { kClear, kGreen, kAmber, kAmberStrict, kRed };

std::optional<Tlp> ParseTlp(std::string_view text);
std::string_view TlpName(Tlp tlp);

// Default size limit of one record, in bytes (INTERFACES: configurable).
inline constexpr size_t kDefaultMaxRecordBytes = 1 << 20;

// A record ready to store: canonical bytes, id, and the envelope fields the
// store indexes.
struct Record {
  RecordId id{};
  std::string canonical;  // RFC 8785 form; SHA-256(canonical) == id.
  std::string type;
  std::string origin;
  Tlp tlp = Tlp::kClear;
  std::string created;  // RFC 3339 UTC, as in the record.
  absl::Time created_time;
  std::optional<RecordId> supersedes;
  std::vector<std::string> countries;  // `countries`, as in the record (checked distinct).
};

// Checks a complete record (origin, created and nonce present) against the
// envelope and type schemas and the rules no schema expresses: TLP and
// audience, real calendar dates, ISO 3166-1 country codes, and the
// oversight signature. Returns every violation; empty means valid.
// `doc` must already be NFC-normalised (NormalizeDocument).
std::vector<Violation> CheckRecord(const nlohmann::json& doc);

// Canonicalises a checked record, computes its id and extracts the indexed
// fields. InvalidArgument (with violations in the message) if CheckRecord
// finds anything, or if the canonical form exceeds `max_bytes`.
absl::StatusOr<Record> MakeRecord(const nlohmann::json& doc, size_t max_bytes = kDefaultMaxRecordBytes);

// The same, appending violations to `violations` instead (for callers that
// gather the violations of many documents); nullopt if there are any.
std::optional<Record> MakeRecord(const nlohmann::json& doc, size_t max_bytes, std::vector<Violation>* violations);

// The bytes an oversight decision's signature covers: the RFC 8785 form of
// the body without its "signature" member.
absl::StatusOr<std::string> OversightSigningInput(const nlohmann::json& body);

// True if `code` is an assigned ISO 3166-1 alpha-2 code.
bool IsCountryCode(std::string_view code);

// Builds the InvalidArgument status for `violations`, with the formatted
// list as its message (each line prefixed by `prefix`) and the violations as
// a JSON payload under kViolationsPayload.
absl::Status ViolationsStatus(const std::vector<Violation>& violations, std::string_view prefix);

}  // namespace aisafe::records
