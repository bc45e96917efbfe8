// The JSON Schemas of schemas/, compiled into the binary.
#pragma once

#include <string_view>
#include <vector>

namespace aisafe::records {

struct EmbeddedSchema {
  std::string_view name;  // "envelope", "incident", ...
  std::string_view text;  // The schema document, as in the repository.
};

const std::vector<EmbeddedSchema>& EmbeddedSchemas();

}  // namespace aisafe::records
