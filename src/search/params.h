// The parameters of a search as `aisafe search` and GET /v1/search take
// them (docs/search.md, "Parameters"), and the answer as JSON. One parser
// for both, so the CLI and the API accept and refuse exactly the same.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "search/index.h"

namespace aisafe::search {

// name=value pairs in order; a name may repeat (type=incident&type=system)
// and filter values may also be comma-separated (type=incident,system).
using Params = std::vector<std::pair<std::string, std::string>>;

// Builds a request from parameters: q, qlang, type, tlp, origin, country,
// lang, harm, from, to, offset, limit, facets, diacritics, match.
// InvalidArgument naming the parameter at fault ("type: ...") for unknown
// parameters, bad values or a repeated single-valued parameter. The
// caller fills `visible` and `node_name`.
absl::StatusOr<SearchRequest> RequestFromParams(const Params& params);

// {"id", "type", "origin", "tlp", "lang", "created", "countries", "title",
//  "snippet", "snippet_html"}
nlohmann::json HitJson(const Hit& hit);

// {"total", "total_exact", "offset", "limit", "next_offset" (when more),
//  "hits": [...], "facets": {...} (when asked for)}
nlohmann::json ResultJson(const SearchRequest& request, const SearchResult& result);

}  // namespace aisafe::search
