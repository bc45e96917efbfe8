// Strict JSON parsing for records: RFC 8259 syntax, valid UTF-8 (no lone
// surrogates), and no duplicate member names (I-JSON, RFC 7493), because a
// document with duplicates means different things to different parsers and
// so cannot have one canonical form.
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace aisafe::records {

// Parses exactly one JSON value (surrounding whitespace allowed).
// InvalidArgument with "line L, column C: what" on any error.
absl::StatusOr<nlohmann::json> ParseJson(std::string_view text);

}  // namespace aisafe::records
