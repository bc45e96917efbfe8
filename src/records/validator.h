// Validates documents against the embedded JSON Schemas (valijson, draft-07).
//
// Thread-safe: the compiled schemas are shared read-only; each thread gets
// its own valijson::Validator (it caches compiled regular expressions).
#pragma once

#include <string_view>
#include <vector>

#include "nlohmann/json.hpp"
#include "records/violation.h"

namespace aisafe::records {

// Validates `doc` against the schema named `schema` ("envelope",
// "incident", ...), appending one violation per failed constraint, with
// pointers prefixed by `pointer_prefix` (e.g. "/body"). Returns false if the
// schema name is unknown.
bool ValidateAgainst(std::string_view schema, const nlohmann::json& doc, std::string_view pointer_prefix,
                     std::vector<Violation>* out);

// The names of the record types that have a body schema, in schema order.
const std::vector<std::string>& RecordTypes();

}  // namespace aisafe::records
