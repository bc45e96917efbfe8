// A violation is one thing wrong with a document, located by an RFC 6901
// JSON Pointer. Validation reports every violation it finds, not the first.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace aisafe::records {

struct Violation {
  std::string pointer;  // "" is the whole document; "/body/severity" a field.
  std::string message;

  bool operator==(const Violation&) const = default;
};

// Escapes a member name for use in a JSON Pointer ("~" -> "~0", "/" -> "~1").
std::string EscapePointerToken(std::string_view token);

// Formats violations one per line, "PREFIX/pointer: message" where `prefix`
// names the input (e.g. "records.jsonl:3: "). The whole document shows as
// "(document)".
std::string FormatViolations(const std::vector<Violation>& violations, std::string_view prefix);

// The payload type URL under which InvalidArgument statuses carry their
// violations as a JSON array of {"pointer","message"} (and "line" when the
// input was JSON Lines), for the HTTP layer's problem details.
inline constexpr char kViolationsPayload[] = "aisafe.network/violations";

}  // namespace aisafe::records
