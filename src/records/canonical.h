// RFC 8785 JSON Canonicalization Scheme (JCS).
//
// Members sorted by their names' UTF-16 code units, no whitespace, strings
// escaped minimally (only '"', '\' and controls; \b \f \n \r \t short forms,
// others \u00xx lowercase), numbers in ECMAScript's Number-to-String form.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace aisafe::records {

// InvalidArgument if the value holds an integer outside the IEEE 754 double
// range where every integer is exact (|n| > 2^53): JCS cannot represent it
// without changing it, and I-JSON forbids it.
absl::StatusOr<std::string> Canonicalize(const nlohmann::json& value);

// Appends the ECMAScript form of a finite double ("1e+21", "0.000001",
// "-0" as "0").
void AppendEcmaNumber(double value, std::string* out);

}  // namespace aisafe::records
