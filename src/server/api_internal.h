// Internal to the server component: what the route handlers of api.cc and
// app_api.cc share (problem details, query parsing, visibility helpers),
// and the declaration of Api::Impl. Not part of the server's public
// contract; include only from src/server/*.cc.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "auth/auth.h"
#include "nlohmann/json.hpp"
#include "node/access.h"
#include "server/api.h"
#include "store/store.h"

namespace aisafe::server {
namespace internal {

using Json = nlohmann::json;

// absl::string_view is its own type in Debian's Abseil build.
std::string_view Msg(const absl::Status& st);

// An RFC 9457 problem. `errors` names the fields at fault: {"pointer"} for
// the body (a JSON Pointer, with "line" in JSON Lines), {"parameter"} for
// the query.
Response Problem(int status, std::string_view title, std::string_view detail, Json errors = nullptr);
Response NotFound();
Response ParameterProblem(std::string_view name, std::string_view detail);
// Store and other environment faults: 503 when the store is busy, else 500.
// The detail stays generic; the access log has the status.
Response Fault(const absl::Status& st);
Response JsonResponse(int status, std::string body);

// Every parameter of the query in order, names possibly repeated (the
// route checks names and values).
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseQueryPairs(std::string_view query,
                                                                                 std::string* bad_name);
// The query's parameters, each at most once and each among `allowed`.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseQuery(
    std::string_view query, std::initializer_list<std::string_view> allowed, std::string* bad_name);
std::optional<uint64_t> ParseUint(std::string_view s);

store::VisibleFilter ToStoreFilter(const auth::VisibleSet& set, std::string_view node_name);
bool MaySeeStored(const auth::Caller& caller, const store::StoredRecord& r, std::string_view node_name);
// True if the Content-Type `header` is `type` (lowercase), parameters aside.
bool IsMediaType(std::optional<std::string_view> header, std::string_view type);

}  // namespace internal

// Route handlers, with what they share: the node, the caller, metrics.
struct Api::Impl {
  static Response Route(Api& api, const Request& req, std::string* route);
  static Response Submit(Api& api, const Request& req, const auth::Caller& caller);
  static Response GetRecord(Api& api, const Request& req, const auth::Caller& caller, std::string_view id_hex);
  static Response ListRecords(Api& api, const Request& req, const auth::Caller& caller);
  static Response Search(Api& api, const Request& req, const auth::Caller& caller);
  static Response Proof(Api& api, const Request& req, const auth::Caller& caller, std::string_view id_hex);
  static Response Checkpoint(Api& api);
  static Response Tile(Api& api, std::string_view tile_path);
  static Response Health(Api& api);
  static Response Metrics(Api& api);
  static Response Feed(Api& api, const Request& req);
  static Response WitnessView(Api& api);
  static Response Consistency(Api& api, const Request& req);
  static Response FederationStatus(Api& api, const Request& req);
  static Response AddCheckpoint(Api& api, const Request& req);

  // The web application's routes (app_api.cc).
  static Response Me(Api& api, const auth::Caller& caller);
  static Response NodeInfo(Api& api);
  static Response Stats(Api& api, const Request& req, const auth::Caller& caller);
  // /v1/admin/principals[/NAME] and /v1/admin/tokens[/ID]; `rest` is the
  // path after "/v1/admin/".
  static Response Admin(Api& api, const Request& req, const auth::Caller& caller, std::string_view rest,
                        std::string* route);

  static absl::StatusOr<auth::Caller> Caller(Api& api, const Request& req) {
    return node::Authenticate(api.node_->store(), req.Header("authorization"), api.node_->clock().Now());
  }
  static Response StoreFault(Api& api, const absl::Status& st) {
    api.metrics_.GetCounter("aisafe_store_errors_total", "Store operations that failed with a fault of the store.")
        .Increment();
    return internal::Fault(st);
  }
};

}  // namespace aisafe::server
