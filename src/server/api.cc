#include "server/api.h"

#include <charconv>
#include <optional>
#include <string_view>

#include "audit/audit.h"
#include "auth/auth.h"
#include "federation/feed.h"
#include "federation/publisher.h"
#include "log/tiles.h"
#include "nlohmann/json.hpp"
#include "node/access.h"
#include "node/transparency.h"
#include "records/violation.h"
#include "search/params.h"
#include "server/api_internal.h"
#include "util/clock.h"
#include "util/hex.h"
#include "util/strings.h"

namespace aisafe::server {
namespace internal {

std::string_view Msg(const absl::Status& st) { return {st.message().data(), st.message().size()}; }

Response Problem(int status, std::string_view title, std::string_view detail, Json errors) {
  Json body = {{"type", "about:blank"}, {"title", title}, {"status", status}, {"detail", detail}};
  if (!errors.is_null()) body["errors"] = std::move(errors);
  Response r;
  r.status = status;
  r.headers = {{"Content-Type", "application/problem+json"}, {"Cache-Control", "no-store"}};
  r.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return r;
}

Response NotFound() { return Problem(404, "Not Found", "no such resource"); }

Response ParameterProblem(std::string_view name, std::string_view detail) {
  return Problem(400, "Bad Request", util::StrCat(name, ": ", detail),
                 Json::array({{{"parameter", name}, {"detail", detail}}}));
}

Response Fault(const absl::Status& st) {
  if (st.code() == absl::StatusCode::kUnavailable) {
    Response r = Problem(503, "Service Unavailable", "the store is busy; retry");
    r.headers.emplace_back("Retry-After", "1");
    return r;
  }
  return Problem(500, "Internal Server Error", "the node could not complete the request");
}

Response JsonResponse(int status, std::string body) {
  Response r;
  r.status = status;
  r.headers = {{"Content-Type", "application/json"}};
  r.body = std::move(body);
  return r;
}

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded decoding of one query component.
std::optional<std::string> DecodeComponent(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseQueryPairs(std::string_view query,
                                                                                 std::string* bad_name) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t pos = 0;
  while (pos < query.size()) {
    size_t amp = query.find('&', pos);
    std::string_view part = query.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
    pos = amp == std::string_view::npos ? query.size() : amp + 1;
    if (part.empty()) continue;
    size_t eq = part.find('=');
    auto name = DecodeComponent(part.substr(0, eq));
    auto value = DecodeComponent(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1));
    if (!name || !value) {
      *bad_name = name ? *name : std::string(part.substr(0, eq));
      return absl::InvalidArgumentError("is not valid percent-encoding");
    }
    out.emplace_back(std::move(*name), std::move(*value));
  }
  return out;
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseQuery(
    std::string_view query, std::initializer_list<std::string_view> allowed, std::string* bad_name) {
  auto pairs = ParseQueryPairs(query, bad_name);
  if (!pairs.ok()) return pairs.status();
  for (size_t i = 0; i < pairs->size(); ++i) {
    const std::string& name = (*pairs)[i].first;
    *bad_name = name;
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return absl::InvalidArgumentError(
          util::StrCat("is not a parameter of this route (it takes: ", util::StrJoin(allowed, ", "), ")"));
    }
    for (size_t k = 0; k < i; ++k) {
      if ((*pairs)[k].first == name) return absl::InvalidArgumentError("is given more than once");
    }
  }
  return pairs;
}

std::optional<uint64_t> ParseUint(std::string_view s) {
  uint64_t v = 0;
  if (s.empty() || s.size() > 19 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

store::VisibleFilter ToStoreFilter(const auth::VisibleSet& set, std::string_view node_name) {
  store::VisibleFilter f;
  for (records::Tlp t : set.markings) f.tlps.emplace_back(records::TlpName(t));
  if (set.red_of_own_origin) f.red_origin = std::string(node_name);
  return f;
}

bool MaySeeStored(const auth::Caller& caller, const store::StoredRecord& r, std::string_view node_name) {
  auto tlp = records::ParseTlp(r.tlp);
  return tlp && auth::MaySee(caller, *tlp, r.origin, node_name);
}

bool IsMediaType(std::optional<std::string_view> header, std::string_view type) {
  if (!header) return false;
  std::string_view v = *header;
  v = v.substr(0, v.find(';'));
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.size() != type.size()) return false;
  for (size_t i = 0; i < v.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(v[i])) != type[i]) return false;
  }
  return true;
}

}  // namespace internal

using namespace internal;  // NOLINT(google-build-using-namespace): this file's own helpers.

namespace {
constexpr size_t kDefaultListLimit = 100;
constexpr size_t kMaxListLimit = 1000;
}  // namespace

Api::Api(node::Node* node, ApiOptions options)
    : node_(node),
      options_(options),
      token_limiter_(options.token_write_rate, options.token_write_burst, &node->clock()),
      address_limiter_(options.address_write_rate, options.address_write_burst, &node->clock()),
      submitter_(
          node::SubmitterOptions{
              .origin = node->config().name, .max_record_bytes = node->config().max_record_bytes, .threads = 1},
          &node->store(), &node->clock(), &node->checkpoint_signer()),
      replays_(std::make_unique<federation::ReplayGuard>()),
      witness_(std::make_unique<federation::Witness>(&node->store(), &node->signer(), &node->clock())) {
  store::Store* store = &node_->store();
  metrics_.AddCallbackGauge("aisafe_log_size", "Entries in the node's transparency log.", [store] {
    auto n = store->LogSize();
    return n.ok() ? static_cast<double>(*n) : -1.0;
  });
  metrics_.AddCallbackGauge("aisafe_records", "Records the node holds.", [store] {
    auto n = store->Count(std::nullopt);
    return n.ok() ? static_cast<double>(*n) : -1.0;
  });
  metrics_.AddCallbackGauge("aisafe_log_checkpoint_size", "Tree size of the newest signed checkpoint.", [store] {
    auto cp = store->LatestCheckpoint();
    return cp.ok() && *cp ? static_cast<double>((*cp)->size) : -1.0;
  });
  metrics_.GetCounter("aisafe_store_errors_total", "Store operations that failed with a fault of the store.");
  metrics_.AddCallbackGauge("aisafe_split_view_alerts", "Split-view alerts not yet cleared by a human.", [store] {
    auto alerts = store->ListSplitViews();
    if (!alerts.ok()) return -1.0;
    return static_cast<double>(
        std::count_if(alerts->begin(), alerts->end(), [](const store::SplitView& a) { return !a.cleared_us; }));
  });
}

const std::vector<RouteInfo>& Api::Routes() {
  static const auto* routes = new std::vector<RouteInfo>{
      {"POST", "/v1/records"},
      {"GET", "/v1/records"},
      {"GET", "/v1/records/{id}"},
      {"GET", "/v1/records/{id}/proof"},
      {"GET", "/v1/search"},
      {"GET", "/v1/me"},
      {"GET", "/v1/node"},
      {"GET", "/v1/stats"},
      {"GET", "/v1/admin/principals"},
      {"POST", "/v1/admin/principals"},
      {"DELETE", "/v1/admin/principals/{name}"},
      {"GET", "/v1/admin/tokens"},
      {"POST", "/v1/admin/tokens"},
      {"DELETE", "/v1/admin/tokens/{id}"},
      {"GET", "/log/checkpoint"},
      {"GET", "/log/tile/{level}/{index}"},
      {"GET", "/log/tile/entries/{index}"},
      {"GET", "/v1/federation/feed"},
      {"GET", "/v1/federation/witness"},
      {"GET", "/v1/federation/consistency"},
      {"GET", "/v1/federation/status"},
      {"POST", "/witness/add-checkpoint"},
      {"GET", "/healthz"},
      {"GET", "/metrics"},
      {"GET", "/openapi.json"},
  };
  return *routes;
}

Response Api::Handle(const Request& req) {
  absl::Time start = absl::Now();
  std::string route = "unknown";
  Response r;
  try {
    r = Impl::Route(*this, req, &route);
  } catch (const std::exception& e) {
    // Library code under a handler (nlohmann-json) may throw; a request
    // must never take the server down.
    r = Problem(500, "Internal Server Error", "the node could not complete the request");
  }
  // The application's pages run under this policy, and an API answer
  // opened in a tab can run nothing.
  r.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  metrics_
      .GetCounter("aisafe_http_requests_total", "HTTP requests by route, method and status.",
                  {{"route", route}, {"method", req.method}, {"status", std::to_string(r.status)}})
      .Increment();
  metrics_
      .GetHistogram("aisafe_http_request_duration_seconds", "Time to answer HTTP requests, by route.",
                    metrics::DefaultLatencyBuckets(), {{"route", route}})
      .Observe(absl::ToDoubleSeconds(absl::Now() - start));
  return r;
}

void Api::ObserveCoreExchange(const Exchange& exchange) {
  // The core answers only what never reached a handler: malformed or
  // oversized requests, timeouts, too many connections.
  if (exchange.status < 400 || !exchange.method.empty()) return;
  metrics_
      .GetCounter("aisafe_http_requests_total", "HTTP requests by route, method and status.",
                  {{"route", "none"}, {"method", ""}, {"status", std::to_string(exchange.status)}})
      .Increment();
}

Response Api::Impl::Route(Api& api, const Request& req, std::string* route) {
  std::string_view path = req.path;
  auto method_not_allowed = [&](std::string_view allow) {
    Response r = Problem(405, "Method Not Allowed", util::StrCat(req.method, " is not allowed here; use ", allow));
    r.headers.emplace_back("Allow", std::string(allow));
    return r;
  };
  // Runs `fn` for the authenticated caller (the public caller without a
  // token); 401 for a bad credential.
  auto as_caller = [&](auto fn) -> Response {
    auto caller = Caller(api, req);
    if (!caller.ok()) {
      if (caller.status().code() != absl::StatusCode::kUnauthenticated) return StoreFault(api, caller.status());
      Response r = Problem(401, "Unauthorized", Msg(caller.status()));
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      return r;
    }
    return fn(*caller);
  };
  auto only_get = [&](std::string_view name, auto fn) -> Response {
    *route = std::string(name);
    if (req.method != "GET") return method_not_allowed("GET");
    return fn();
  };
  if (path == "/healthz") return only_get("/healthz", [&] { return Health(api); });
  if (path == "/metrics") return only_get("/metrics", [&] { return Metrics(api); });
  if (path == "/openapi.json") {
    return only_get("/openapi.json", [&] {
      Response r = JsonResponse(200, OpenApiDocument());
      r.headers.emplace_back("Cache-Control", "public, max-age=300");
      return r;
    });
  }
  if (path == "/log/checkpoint") return only_get("/log/checkpoint", [&] { return Checkpoint(api); });
  if (path.starts_with("/log/tile/")) {
    bool entries = path.starts_with("/log/tile/entries/");
    return only_get(entries ? "/log/tile/entries/{index}" : "/log/tile/{level}/{index}",
                    [&] { return Tile(api, path.substr(5)); });
  }
  if (path == "/v1/federation/feed") return only_get("/v1/federation/feed", [&] { return Feed(api, req); });
  if (path == "/v1/federation/witness") return only_get("/v1/federation/witness", [&] { return WitnessView(api); });
  if (path == "/v1/federation/consistency") {
    return only_get("/v1/federation/consistency", [&] { return Consistency(api, req); });
  }
  if (path == "/v1/federation/status") {
    return only_get("/v1/federation/status", [&] { return FederationStatus(api, req); });
  }
  if (path == "/witness/add-checkpoint") {
    *route = "/witness/add-checkpoint";
    if (req.method != "POST") return method_not_allowed("POST");
    return AddCheckpoint(api, req);
  }
  if (path == "/v1/records") {
    *route = "/v1/records";
    if (req.method != "GET" && req.method != "POST") return method_not_allowed("GET, POST");
    return as_caller([&](const auth::Caller& caller) {
      return req.method == "POST" ? Submit(api, req, caller) : ListRecords(api, req, caller);
    });
  }
  if (path == "/v1/search") {
    *route = "/v1/search";
    if (req.method != "GET") return method_not_allowed("GET");
    return as_caller([&](const auth::Caller& caller) { return Search(api, req, caller); });
  }
  if (path == "/v1/me")
    return only_get("/v1/me", [&] { return as_caller([&](const auth::Caller& c) { return Me(api, c); }); });
  if (path == "/v1/node") return only_get("/v1/node", [&] { return NodeInfo(api); });
  if (path == "/v1/stats") {
    return only_get("/v1/stats", [&] { return as_caller([&](const auth::Caller& c) { return Stats(api, req, c); }); });
  }
  if (path.starts_with("/v1/admin/")) {
    *route = "/v1/admin";
    return as_caller([&](const auth::Caller& c) { return Admin(api, req, c, path.substr(10), route); });
  }
  if (path.starts_with("/v1/records/")) {
    std::string_view rest = path.substr(12);
    bool proof = rest.ends_with("/proof");
    if (proof) rest.remove_suffix(6);
    *route = proof ? "/v1/records/{id}/proof" : "/v1/records/{id}";
    if (req.method != "GET") return method_not_allowed("GET");
    return as_caller([&](const auth::Caller& caller) {
      return proof ? Proof(api, req, caller, rest) : GetRecord(api, req, caller, rest);
    });
  }
  // The web application owns every other path but the API's and the log's.
  bool api_path = false;
  for (std::string_view prefix : {"/v1", "/log", "/witness"}) {
    api_path = api_path || path == prefix || path.starts_with(util::StrCat(prefix, "/"));
  }
  if (api.options_.web != nullptr && !api_path) {
    if (req.method == "GET") {
      if (auto r = api.options_.web->Serve(req)) {
        *route = "/{app}";
        return std::move(*r);
      }
    } else if (path == "/" || path.find('.') == std::string_view::npos) {
      *route = "/{app}";
      return method_not_allowed("GET");
    }
  }
  return NotFound();
}

Response Api::Impl::Submit(Api& api, const Request& req, const auth::Caller& caller) {
  if (caller.role == auth::Role::kPublic) {
    Response r = Problem(401, "Unauthorized", "submitting records needs a bearer token");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  auto type = req.Header("content-type");
  bool lines = IsMediaType(type, "application/x-ndjson") || IsMediaType(type, "application/jsonl") ||
               IsMediaType(type, "application/json-seq");
  if (!lines && !IsMediaType(type, "application/json")) {
    return Problem(415, "Unsupported Media Type",
                   "send one record as application/json or many as application/x-ndjson (JSON Lines)");
  }
  std::vector<node::InputDoc> docs;
  if (lines) {
    docs = node::SplitInput(req.body);
  } else {
    docs.push_back({req.body, 0});
  }
  if (docs.empty()) return Problem(400, "Bad Request", "the body holds no record");
  // Writes cost one token per record, per principal and per address.
  double cost = static_cast<double>(docs.size());
  for (auto [limiter, key] :
       {std::pair{&api.token_limiter_, caller.name}, std::pair{&api.address_limiter_, req.remote_address}}) {
    RateLimiter::Decision d = limiter->Admit(key, cost);
    if (!d.allowed && d.retry_after == absl::InfiniteDuration()) {
      // No wait admits a batch larger than the whole burst.
      return Problem(
          413, "Content Too Large",
          util::StrCat("a batch of ", docs.size(), " records is more than the write burst allows; split it"));
    }
    if (!d.allowed) {
      Response r = Problem(429, "Too Many Requests", "write rate limit reached; retry later");
      int64_t secs = std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(d.retry_after, absl::Seconds(1))));
      r.headers.emplace_back("Retry-After", std::to_string(secs));
      return r;
    }
  }
  // A 400 naming each field at fault, from the violations the submitter
  // attaches to its InvalidArgument.
  auto invalid_record = [](const absl::Status& st) {
    Json errors = Json::array();
    if (auto payload = st.GetPayload(records::kViolationsPayload)) {
      Json parsed = Json::parse(std::string(*payload), nullptr, false);
      if (parsed.is_array()) {
        for (Json& e : parsed) {
          Json item = {{"pointer", e.value("pointer", "")}, {"detail", e.value("message", "")}};
          if (e.contains("line")) item["line"] = e["line"];
          errors.push_back(std::move(item));
        }
      }
    }
    return Problem(400, "Invalid Record", Msg(st), std::move(errors));
  };
  auto prepared = api.submitter_.Prepare(docs, "body");
  if (!prepared.ok()) {
    if (prepared.status().code() != absl::StatusCode::kInvalidArgument) return StoreFault(api, prepared.status());
    return invalid_record(prepared.status());
  }
  Json denied = Json::array();
  for (const node::Prepared& p : *prepared) {
    if (auto st = auth::CheckSubmitMarking(caller, p.record.tlp); !st.ok()) {
      Json item = {{"pointer", "/tlp"}, {"detail", Msg(st)}};
      if (p.line > 0) item["line"] = p.line;
      denied.push_back(std::move(item));
    }
  }
  if (!denied.empty()) {
    return Problem(403, "Forbidden", "contributors may submit clear or green records; nothing was stored",
                   std::move(denied));
  }
  auto results = api.submitter_.Commit(*prepared, "body");
  if (!results.ok()) {
    // A supersedes reference to a record the node lacks is the caller's.
    if (results.status().code() == absl::StatusCode::kInvalidArgument) return invalid_record(results.status());
    return StoreFault(api, results.status());
  }
  Json out = {{"records", Json::array()}};
  bool any_created = false;
  for (const node::SubmitResult& r : *results) {
    out["records"].push_back({{"id", util::ToHex(r.id)}, {"created", r.created}});
    any_created = any_created || r.created;
  }
  Response r = JsonResponse(any_created ? 201 : 200, out.dump());
  if (results->size() == 1) r.headers.emplace_back("Location", "/v1/records/" + util::ToHex((*results)[0].id));
  return r;
}

Response Api::Impl::GetRecord(Api& api, const Request& req, const auth::Caller& caller, std::string_view id_hex) {
  auto id = util::DigestFromHex(id_hex);
  if (!id) return NotFound();
  auto rec = api.node_->store().Get(*id);
  if (!rec.ok()) return StoreFault(api, rec.status());
  if (!*rec || !MaySeeStored(caller, **rec, api.node_->config().name)) return NotFound();
  std::string etag = util::StrCat("\"", id_hex, "\"");
  // A record never changes: its id is its hash.
  std::string cache = (*rec)->tlp == "clear" ? "public, max-age=31536000, immutable" : "private, max-age=31536000";
  if (auto inm = req.Header("if-none-match"); inm && *inm == etag) {
    Response r;
    r.status = 304;
    r.headers = {{"ETag", etag}, {"Cache-Control", cache}};
    return r;
  }
  Response r = JsonResponse(200, std::move((*rec)->canonical));
  r.headers.emplace_back("ETag", etag);
  r.headers.emplace_back("Cache-Control", cache);
  if (caller.role != auth::Role::kPublic) r.headers.emplace_back("Vary", "Authorization");
  return r;
}

Response Api::Impl::ListRecords(Api& api, const Request& req, const auth::Caller& caller) {
  std::string bad;
  auto params = ParseQuery(req.query, {"type", "origin", "limit", "cursor"}, &bad);
  if (!params.ok()) return ParameterProblem(bad, Msg(params.status()));
  store::ListQuery q;
  q.limit = kDefaultListLimit;
  for (const auto& [name, value] : *params) {
    if (name == "type") {
      q.type = value;
    } else if (name == "origin") {
      q.origin = value;
    } else if (name == "cursor") {
      q.cursor = value;
    } else if (name == "limit") {
      auto n = ParseUint(value);
      if (!n || *n < 1 || *n > kMaxListLimit) {
        return ParameterProblem("limit", util::StrCat("must be an integer from 1 to ", kMaxListLimit));
      }
      q.limit = *n;
    }
  }
  const std::string& node_name = api.node_->config().name;
  q.visible = ToStoreFilter(auth::VisibleTo(caller), node_name);
  auto page = api.node_->store().List(q);
  if (!page.ok()) {
    if (page.status().code() == absl::StatusCode::kInvalidArgument) {
      return ParameterProblem("cursor", "is not a cursor this node gave out");
    }
    return StoreFault(api, page.status());
  }
  // As `aisafe list` prints them, {"id","record"}; the records are
  // canonical JSON already, spliced in as they are.
  std::string body = "{\"records\":[";
  bool first = true;
  for (const store::StoredRecord& r : page->records) {
    if (!MaySeeStored(caller, r, node_name)) continue;  // The store applied the same rule; belt and braces.
    util::StrAppend(&body, first ? "" : ",", "{\"id\":\"", util::ToHex(r.id), "\",\"record\":", r.canonical, "}");
    first = false;
  }
  util::StrAppend(&body, "],\"next_cursor\":", Json(page->next_cursor).dump(), "}");
  Response r = JsonResponse(200, std::move(body));
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Response Api::Impl::Search(Api& api, const Request& req, const auth::Caller& caller) {
  std::string bad;
  auto params = ParseQueryPairs(req.query, &bad);
  if (!params.ok()) return ParameterProblem(bad, Msg(params.status()));
  auto search_req = search::RequestFromParams(*params);
  auto parameter_problem = [](const absl::Status& st) {
    // The search component names the parameter first: "limit: ...".
    std::string msg(st.message());
    size_t colon = msg.find(": ");
    if (colon == std::string::npos) return ParameterProblem("q", msg);
    return ParameterProblem(std::string_view(msg).substr(0, colon), std::string_view(msg).substr(colon + 2));
  };
  if (!search_req.ok()) return parameter_problem(search_req.status());
  if (search_req->query_lang.empty()) {
    // The asker's language, as the browser states it: "th-TH,th;q=0.9,en;q=0.8".
    if (auto accept = req.Header("accept-language")) {
      std::string_view first = accept->substr(0, accept->find_first_of(",;"));
      while (!first.empty() && first.front() == ' ') first.remove_prefix(1);
      while (!first.empty() && first.back() == ' ') first.remove_suffix(1);
      if (first != "*") search_req->query_lang = std::string(first);
    }
  }
  search_req->visible = auth::VisibleTo(caller);
  search_req->node_name = api.node_->config().name;
  auto result = api.node_->Search(*search_req);
  if (!result.ok()) {
    if (result.status().code() == absl::StatusCode::kInvalidArgument) return parameter_problem(result.status());
    return StoreFault(api, result.status());
  }
  Response r =
      JsonResponse(200, search::ResultJson(*search_req, *result).dump(-1, ' ', false, Json::error_handler_t::replace));
  r.headers.emplace_back("Cache-Control", "no-store");
  if (caller.role != auth::Role::kPublic) r.headers.emplace_back("Vary", "Authorization");
  return r;
}

Response Api::Impl::Proof(Api& api, const Request& req, const auth::Caller& caller, std::string_view id_hex) {
  std::string bad;
  auto params = ParseQuery(req.query, {"size"}, &bad);
  if (!params.ok()) return ParameterProblem(bad, Msg(params.status()));
  std::optional<uint64_t> size;
  if (!params->empty()) {
    size = ParseUint((*params)[0].second);
    if (!size) return ParameterProblem("size", "must be a tree size, a non-negative integer");
  }
  auto id = util::DigestFromHex(id_hex);
  if (!id) return NotFound();
  store::Store& store = api.node_->store();
  auto rec = store.Get(*id);
  if (!rec.ok()) return StoreFault(api, rec.status());
  if (!*rec || !MaySeeStored(caller, **rec, api.node_->config().name)) return NotFound();
  if (!size) {
    // A record newer than the newest checkpoint is covered by the next
    // one, at most checkpoint_interval away.
    auto cp = api.node_->CheckpointLog();
    if (!cp.ok()) return StoreFault(api, cp.status());
  }
  auto answer = node::ProveRecord(store, *id, size);
  if (!answer.ok()) {
    if (answer.status().code() == absl::StatusCode::kOutOfRange) {
      return ParameterProblem("size", Msg(answer.status()));
    }
    return StoreFault(api, answer.status());
  }
  Json out = Json::parse(audit::FormatInclusionProof({answer->index, answer->tree_size, answer->proof}));
  out["checkpoint"] = answer->checkpoint ? Json(answer->checkpoint->note) : Json(nullptr);
  Response r = JsonResponse(200, out.dump());
  r.headers.emplace_back("Cache-Control", size ? "private, max-age=31536000" : "no-cache");
  return r;
}

Response Api::Impl::Checkpoint(Api& api) {
  auto cp = api.node_->store().LatestCheckpoint();
  if (!cp.ok()) return StoreFault(api, cp.status());
  if (!*cp) return NotFound();
  Response r;
  r.headers = {{"Content-Type", "text/plain; charset=utf-8"}, {"Cache-Control", "no-cache"}};
  r.body = std::move((*cp)->note);
  return r;
}

Response Api::Impl::Tile(Api& api, std::string_view tile_path) {
  auto request = log::ParseTilePath(tile_path);
  if (!request.ok()) return NotFound();
  auto stored = api.node_->store().ReadTileAtLeast(request->level, request->index, request->width);
  if (!stored.ok()) return StoreFault(api, stored.status());
  // A full tile is served only once it is full; a partial one only at a
  // width it has reached (C2SP tlog-tiles).
  if (*stored == nullptr || (*stored)->width < request->width) return NotFound();
  auto bytes = log::ServedTile(request->level, **stored, request->width);
  if (!bytes.ok()) return NotFound();
  Response r;
  r.headers = {{"Content-Type", "application/octet-stream"},
               // Tiles never change once served at a width: immutable.
               {"Cache-Control", "public, max-age=31536000, immutable"}};
  r.body = std::move(*bytes);
  return r;
}

Response Api::Impl::Feed(Api& api, const Request& req) {
  std::string bad;
  auto params = ParseQuery(req.query, {"cursor", "limit", "have", "to"}, &bad);
  if (!params.ok()) return ParameterProblem(bad, Msg(params.status()));
  federation::FeedRequest fr;
  fr.limit = federation::kDefaultFeedPage;
  std::optional<std::string> to;
  for (const auto& [name, value] : *params) {
    if (name == "cursor") {
      fr.cursor = value;
    } else if (name == "limit") {
      auto n = ParseUint(value);
      if (!n || *n < 1 || *n > federation::kMaxFeedPage) {
        return ParameterProblem("limit", util::StrCat("must be an integer from 1 to ", federation::kMaxFeedPage));
      }
      fr.limit = *n;
    } else if (name == "have") {
      fr.have = ParseUint(value);
      if (!fr.have) return ParameterProblem("have", "must be a tree size, a non-negative integer");
    } else if (name == "to") {
      to = value;
    }
  }
  // The signature covers the path as sent, not as decoded.
  std::string_view raw_path = std::string_view(req.target).substr(0, req.target.find('?'));
  federation::SignedParts parts{
      req.method, raw_path, req.query, req.Header("date"), req.Header("signature-input"), req.Header("signature")};
  auto asker = federation::AuthenticateAsker(api.node_->store(), parts, *api.replays_, api.node_->clock().Now());
  if (!asker.ok()) {
    if (absl::IsResourceExhausted(asker.status())) {
      Response r = Problem(503, "Service Unavailable", "too many signed requests in the replay window; retry");
      r.headers.emplace_back("Retry-After", "5");
      return r;
    }
    if (asker.status().code() != absl::StatusCode::kUnauthenticated) return StoreFault(api, asker.status());
    Response r = Problem(401, "Unauthorized", Msg(asker.status()));
    r.headers.emplace_back("WWW-Authenticate", "Signature");
    return r;
  }
  // The signature covers the query, and `to` in it names the node the
  // request was made for: a request one node received cannot be replayed
  // by it to another node to read what was meant for the signer.
  if (*asker && to != api.node_->config().name) {
    Response r = Problem(401, "Unauthorized",
                         util::StrCat("a signed feed request must name this node, ?to=", api.node_->config().name),
                         Json::array({{{"parameter", "to"}, {"detail", "must be this node's name"}}}));
    r.headers.emplace_back("WWW-Authenticate", "Signature");
    return r;
  }
  fr.asker = *asker;
  auto body = federation::ServeFeed(*api.node_, fr);
  if (!body.ok()) {
    if (body.status().code() == absl::StatusCode::kInvalidArgument) {
      std::string_view m = Msg(body.status());
      return ParameterProblem(m.substr(0, m.find(':')), m.substr(m.find(':') + 2));
    }
    if (body.status().code() == absl::StatusCode::kFailedPrecondition) {
      Response r = Problem(503, "Service Unavailable", Msg(body.status()));
      r.headers.emplace_back("Retry-After", "1");
      return r;
    }
    return StoreFault(api, body.status());
  }
  api.metrics_
      .GetCounter("aisafe_federation_feed_pages_total",
                  "Feed pages served, by whether the asker was a verified member.",
                  {{"asker", fr.asker ? "member" : "anonymous"}})
      .Increment();
  Response r = JsonResponse(200, std::move(*body));
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Response Api::Impl::WitnessView(Api& api) {
  auto body = federation::ServeWitnessView(*api.node_);
  if (!body.ok()) return StoreFault(api, body.status());
  Response r = JsonResponse(200, std::move(*body));
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Response Api::Impl::Consistency(Api& api, const Request& req) {
  std::string bad;
  auto params = ParseQuery(req.query, {"old", "new"}, &bad);
  if (!params.ok()) return ParameterProblem(bad, Msg(params.status()));
  std::optional<uint64_t> sizes[2];
  for (const auto& [name, value] : *params) {
    auto n = ParseUint(value);
    if (!n) return ParameterProblem(name, "must be a tree size, a non-negative integer");
    sizes[name == "old" ? 0 : 1] = n;
  }
  if (!sizes[0]) return ParameterProblem("old", "is required");
  if (!sizes[1]) return ParameterProblem("new", "is required");
  auto body = federation::ServeConsistency(*api.node_, *sizes[0], *sizes[1]);
  if (!body.ok()) {
    if (body.status().code() == absl::StatusCode::kOutOfRange) {
      return Problem(416, "Range Not Satisfiable", Msg(body.status()));
    }
    return StoreFault(api, body.status());
  }
  // A proof between two sizes never changes.
  Response r = JsonResponse(200, std::move(*body));
  r.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
  return r;
}

Response Api::Impl::FederationStatus(Api& api, const Request& req) {
  auto caller = Caller(api, req);
  if (!caller.ok() || caller->role == auth::Role::kPublic) {
    if (!caller.ok() && caller.status().code() != absl::StatusCode::kUnauthenticated) {
      return StoreFault(api, caller.status());
    }
    Response r = Problem(401, "Unauthorized", "the network's state needs a bearer token");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  const store::Store& store = api.node_->store();
  auto peers = store.ListPeers();
  auto witnessed = store.ListWitnessed();
  auto alerts = store.ListSplitViews();
  if (!peers.ok()) return StoreFault(api, peers.status());
  if (!witnessed.ok()) return StoreFault(api, witnessed.status());
  if (!alerts.ok()) return StoreFault(api, alerts.status());
  Json out = {{"node", api.node_->config().name},
              {"peers", Json::array()},
              {"witnessed", Json::array()},
              {"split_views", Json::array()}};
  for (const store::Peer& p : *peers) {
    Json j = {{"name", p.name},         {"url", p.url},           {"cursor", p.cursor},
              {"received", p.received}, {"rejected", p.rejected}, {"last_error", p.last_error}};
    j["last_sync"] =
        p.last_sync_us ? Json(util::FormatTimestamp(absl::FromUnixMicros(*p.last_sync_us))) : Json(nullptr);
    out["peers"].push_back(std::move(j));
  }
  for (const store::Witnessed& w : *witnessed) {
    out["witnessed"].push_back({{"origin", w.checkpoint.origin},
                                {"size", w.checkpoint.size},
                                {"checkpoint", w.cosigned},
                                {"updated", util::FormatTimestamp(absl::FromUnixMicros(w.updated_us))}});
  }
  for (const store::SplitView& a : *alerts) {
    Json j = {{"id", a.id},
              {"origin", a.origin},
              {"reason", a.reason},
              {"source", a.source},
              {"first", a.first},
              {"second", a.second},
              {"raised", util::FormatTimestamp(absl::FromUnixMicros(a.raised_us))}};
    j["cleared"] = a.cleared_us ? Json(util::FormatTimestamp(absl::FromUnixMicros(*a.cleared_us))) : Json(nullptr);
    out["split_views"].push_back(std::move(j));
  }
  Response r = JsonResponse(200, out.dump(-1, ' ', false, Json::error_handler_t::replace));
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Response Api::Impl::AddCheckpoint(Api& api, const Request& req) {
  federation::WitnessReply reply = federation::AddCheckpoint(*api.node_, *api.witness_, req.body);
  if (reply.split_view) {
    api.metrics_
        .GetCounter("aisafe_split_views_raised_total", "Split-view alerts raised, by how they were found.",
                    {{"found_by", "push"}})
        .Increment();
  }
  Response r;
  r.status = reply.status;
  r.headers = {{"Content-Type", reply.content_type}, {"Cache-Control", "no-store"}};
  r.body = std::move(reply.body);
  return r;
}

Response Api::Impl::Health(Api& api) {
  auto size = api.node_->store().LogSize();
  if (!size.ok()) return StoreFault(api, size.status());
  Json out = {{"status", "ok"}, {"node", api.node_->config().name}, {"log_size", *size}};
  Response r = JsonResponse(200, out.dump());
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Response Api::Impl::Metrics(Api& api) {
  Response r;
  r.headers = {{"Content-Type", std::string(metrics::kContentType)}, {"Cache-Control", "no-store"}};
  r.body = api.metrics_.Render();
  return r;
}

}  // namespace aisafe::server
