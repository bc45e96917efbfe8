// The node's HTTP API (INTERFACES.md "HTTP API"; docs/http-api.md): the
// routes under /v1, the C2SP tlog-tiles endpoints under /log, and
// /healthz, /metrics, /openapi.json. One handler for HttpServer.
//
// Every route that returns records asks auth::MaySee (or applies
// auth::VisibleTo inside the store's query), so no principal ever receives
// a record PRODUCT.md's table hides from it; a hidden record answers 404
// exactly as an absent one does. Errors are RFC 9457 problem details.
//
// Thread-safety: Handle may be called from many threads at once.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "federation/http_signature.h"
#include "federation/witness.h"
#include "node/node.h"
#include "node/submitter.h"
#include "server/http_server.h"
#include "server/metrics.h"
#include "server/rate_limit.h"
#include "server/web_assets.h"

namespace aisafe::server {

struct ApiOptions {
  // Write limits, in records per second (token buckets; 0: unlimited).
  double token_write_rate = 0;
  double token_write_burst = 0;
  double address_write_rate = 0;
  double address_write_burst = 0;
  // The web application served at / (borrowed; must outlive the Api).
  // nullptr: no application, / answers 404.
  const WebAssets* web = nullptr;
};

// A route as the server has it, for the OpenAPI document's test.
struct RouteInfo {
  std::string method;
  std::string path;  // OpenAPI template: "/v1/records/{id}".
};

class Api {
 public:
  // `node` is borrowed and must outlive the Api.
  Api(node::Node* node, ApiOptions options);

  Response Handle(const Request& request);

  // Counts the exchanges the HTTP core answered itself (malformed, too
  // large, timed out) and writes nothing else; Handle counts its own.
  void ObserveCoreExchange(const Exchange& exchange);

  metrics::Registry& metrics() { return metrics_; }

  static const std::vector<RouteInfo>& Routes();
  // The OpenAPI 3.1 document served at /openapi.json.
  static const std::string& OpenApiDocument();

 private:
  struct Impl;
  node::Node* const node_;
  const ApiOptions options_;
  metrics::Registry metrics_;
  RateLimiter token_limiter_;
  RateLimiter address_limiter_;
  node::Submitter submitter_;
  std::unique_ptr<federation::ReplayGuard> replays_;  // Nonces of signed feed requests.
  std::unique_ptr<federation::Witness> witness_;      // For pushes to add-checkpoint.
  // /v1/stats answers by visible set, with the state they were counted at
  // (log size, newest checkpoint, day): records are never removed, so the
  // counts change only when the log grows.
  struct CachedStats {
    std::string state;
    std::string body;
  };
  absl::Mutex stats_mu_;
  absl::flat_hash_map<std::string, CachedStats> stats_cache_ ABSL_GUARDED_BY(stats_mu_);
};

}  // namespace aisafe::server
