// The routes the web application needs beyond the records API (issue 7):
// who the caller is (/v1/me), the node's identity (/v1/node), the
// dashboard's counts (/v1/stats), and principals and tokens for admins
// (/v1/admin/*). docs/http-api.md describes each.
#include <algorithm>
#include <map>

#include "absl/time/time.h"
#include "node/access.h"
#include "server/api_internal.h"
#include "util/clock.h"
#include "util/strings.h"

namespace aisafe::server {

using namespace internal;  // NOLINT(google-build-using-namespace): the component's own helpers.

namespace {

constexpr int64_t kWeekDays = 7;
constexpr int64_t kTrendDays = 90;

std::string DayText(int64_t day) {
  return absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(day * 86400), absl::UTCTimeZone());
}

// The third line of a checkpoint note is its base64 root hash.
std::string NoteRoot(std::string_view note) {
  size_t a = note.find('\n');
  size_t b = a == std::string_view::npos ? a : note.find('\n', a + 1);
  size_t c = b == std::string_view::npos ? b : note.find('\n', b + 1);
  if (c == std::string_view::npos) return "";
  return std::string(note.substr(b + 1, c - b - 1));
}

Response Forbidden(std::string_view detail) { return Problem(403, "Forbidden", detail); }

Response NoStore(Response r) {
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

// A problem naming the body member at fault.
Response FieldProblem(std::string_view name, std::string_view detail) {
  return Problem(400, "Bad Request", util::StrCat("/", name, ": ", detail),
                 Json::array({{{"pointer", util::StrCat("/", name)}, {"detail", detail}}}));
}

// The JSON object body of an admin request, with no members but `allowed`;
// otherwise *problem is the answer.
absl::StatusOr<Json> ObjectBody(const Request& req, std::initializer_list<std::string_view> allowed,
                                Response* problem) {
  if (!IsMediaType(req.Header("content-type"), "application/json")) {
    *problem = Problem(415, "Unsupported Media Type", "send a JSON object as application/json");
    return absl::InvalidArgumentError("media type");
  }
  Json body = Json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    *problem = Problem(400, "Bad Request", "the body must be a JSON object",
                       Json::array({{{"pointer", ""}, {"detail", "must be a JSON object"}}}));
    return absl::InvalidArgumentError("body");
  }
  for (const auto& [key, value] : body.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      *problem = FieldProblem(
          key, util::StrCat("is not a member of this request (it takes: ", util::StrJoin(allowed, ", "), ")"));
      return absl::InvalidArgumentError("member");
    }
  }
  return body;
}

Json OptionalTime(const std::optional<int64_t>& us) {
  return us ? Json(util::FormatTimestamp(absl::FromUnixMicros(*us))) : Json(nullptr);
}

Json TokenJson(const store::StoredToken& t) {
  return {{"id", t.id},
          {"principal", t.principal},
          {"created", util::FormatTimestamp(absl::FromUnixMicros(t.created_us))},
          {"expires", OptionalTime(t.expires_us)},
          {"revoked", OptionalTime(t.revoked_us)}};
}

}  // namespace

Response Api::Impl::Me(Api& api, const auth::Caller& caller) {
  Json out = {{"name", caller.role == auth::Role::kPublic ? Json(nullptr) : Json(caller.name)},
              {"role", auth::RoleName(caller.role)},
              {"node", api.node_->config().name},
              {"country", api.node_->config().country}};
  Response r = JsonResponse(200, out.dump());
  r.headers.emplace_back("Vary", "Authorization");
  return NoStore(std::move(r));
}

Response Api::Impl::NodeInfo(Api& api) {
  auto size = api.node_->store().LogSize();
  if (!size.ok()) return StoreFault(api, size.status());
  auto cp = api.node_->store().LatestCheckpoint();
  if (!cp.ok()) return StoreFault(api, cp.status());
  Json out = {{"name", api.node_->config().name},
              {"country", api.node_->config().country},
              {"key", api.node_->signer().verifier().Encode()},
              {"log_size", *size},
              {"checkpoint", *cp ? Json((*cp)->note) : Json(nullptr)}};
  return NoStore(JsonResponse(200, out.dump()));
}

Response Api::Impl::Stats(Api& api, const Request& req, const auth::Caller& caller) {
  std::string bad;
  auto params = ParseQuery(req.query, {}, &bad);
  if (!params.ok()) return ParameterProblem(bad, Msg(params.status()));
  const std::string& node_name = api.node_->config().name;
  store::VisibleFilter visible = ToStoreFilter(auth::VisibleTo(caller), node_name);
  const store::Store& store = api.node_->store();
  absl::Time now = api.node_->clock().Now();
  int64_t today = store::DayOfUnixMicros(absl::ToUnixMicros(now));
  int64_t week_from = today - (kWeekDays - 1);
  int64_t trend_from = today - (kTrendDays - 1);

  auto size = store.LogSize();
  if (!size.ok()) return StoreFault(api, size.status());
  auto cp = store.LatestCheckpoint();
  if (!cp.ok()) return StoreFault(api, cp.status());
  std::string visible_key = util::StrCat(util::StrJoin(visible.tlps, ","), "/", visible.red_origin.value_or(""));
  std::string state = util::StrCat(*size, "/", *cp ? (*cp)->size : 0, "/", today);
  auto answer = [&](std::string body) {
    Response r = JsonResponse(200, std::move(body));
    if (caller.role != auth::Role::kPublic) r.headers.emplace_back("Vary", "Authorization");
    return NoStore(std::move(r));
  };
  {
    absl::MutexLock lock(&api.stats_mu_);
    auto it = api.stats_cache_.find(visible_key);
    if (it != api.stats_cache_.end() && it->second.state == state) return answer(it->second.body);
  }

  // Four scans of the counts table, each bounded by days x types x
  // markings (x countries), not by the number of records. Records dated
  // after today (a clock ahead) count in the totals only.
  auto totals = store.CountRecords({.visible = visible});
  auto days = store.CountRecords({.visible = visible, .from_day = trend_from, .to_day = today, .per_day = true});
  auto week_countries =
      store.CountRecords({.visible = visible, .from_day = week_from, .to_day = today, .per_country = true});
  auto all_countries = store.CountRecords({.visible = visible, .per_country = true});
  for (const auto* st : {&totals, &days, &week_countries, &all_countries}) {
    if (!st->ok()) return StoreFault(api, st->status());
  }

  uint64_t total = 0;
  for (const store::DayCount& c : *totals) total += c.count;
  // std::map: days ascending, names sorted, so the body is deterministic.
  std::map<int64_t, std::map<std::string, uint64_t>> per_day;
  std::map<std::string, uint64_t> week_by_type;
  uint64_t week_total = 0;
  for (const store::DayCount& c : *days) {
    per_day[c.day][c.type] += c.count;
    if (c.day >= week_from) {
      week_by_type[c.type] += c.count;
      week_total += c.count;
    }
  }
  std::map<std::string, uint64_t> week_by_country;
  for (const store::DayCount& c : *week_countries) week_by_country[c.country] += c.count;
  std::map<std::string, uint64_t> incidents_by_country;
  for (const store::DayCount& c : *all_countries) {
    if (c.type == "incident") incidents_by_country[c.country] += c.count;
  }
  Json day_list = Json::array();
  for (const auto& [day, by_type] : per_day) day_list.push_back({{"day", DayText(day)}, {"by_type", by_type}});
  Json checkpoint = nullptr;
  if (*cp) checkpoint = {{"size", (*cp)->size}, {"root", NoteRoot((*cp)->note)}, {"note", (*cp)->note}};
  Json out = {{"as_of", util::FormatTimestamp(now)},
              {"log_size", *size},
              {"checkpoint", std::move(checkpoint)},
              {"total", total},
              {"week",
               {{"from", DayText(week_from)},
                {"total", week_total},
                {"by_type", week_by_type},
                {"by_country", week_by_country}}},
              {"incidents_by_country", incidents_by_country},
              {"days", std::move(day_list)}};
  std::string body = out.dump();
  {
    // Counted from a log at least as large as `state` says; a racing write
    // only makes the cached answer refresh on the next request.
    absl::MutexLock lock(&api.stats_mu_);
    api.stats_cache_[visible_key] = {state, body};
  }
  return answer(std::move(body));
}

Response Api::Impl::Admin(Api& api, const Request& req, const auth::Caller& caller, std::string_view rest,
                          std::string* route) {
  bool principals = rest == "principals" || rest.starts_with("principals/");
  bool tokens = rest == "tokens" || rest.starts_with("tokens/");
  if (!principals && !tokens) return NotFound();
  std::string_view item = rest.substr(principals ? 10 : 6);
  bool collection = item.empty();
  if (!collection) {
    item.remove_prefix(1);
    if (item.empty() || item.find('/') != std::string_view::npos) return NotFound();
  }
  *route = util::StrCat("/v1/admin/", principals ? "principals" : "tokens",
                        collection   ? ""
                        : principals ? "/{name}"
                                     : "/{id}");
  if (collection && req.method != "GET" && req.method != "POST") {
    Response r = Problem(405, "Method Not Allowed", util::StrCat(req.method, " is not allowed here; use GET, POST"));
    r.headers.emplace_back("Allow", "GET, POST");
    return r;
  }
  if (!collection && req.method != "DELETE") {
    Response r = Problem(405, "Method Not Allowed", util::StrCat(req.method, " is not allowed here; use DELETE"));
    r.headers.emplace_back("Allow", "DELETE");
    return r;
  }
  if (caller.role == auth::Role::kPublic) {
    Response r = Problem(401, "Unauthorized", "administration needs a bearer token");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  if (caller.role != auth::Role::kAdmin) return Forbidden("administration is for admins");
  store::Store& store = api.node_->store();
  absl::Time now = api.node_->clock().Now();
  // DELETE's answer: 204, or 404 for an unknown target.
  auto deleted = [&](const absl::Status& st) {
    if (absl::IsNotFound(st)) return NotFound();
    if (!st.ok()) return StoreFault(api, st);
    Response r;
    r.status = 204;
    r.headers = {{"Cache-Control", "no-store"}};
    return r;
  };

  if (principals) {
    if (req.method == "GET") {
      auto list = store.ListPrincipals();
      if (!list.ok()) return StoreFault(api, list.status());
      Json out = {{"principals", Json::array()}};
      for (const store::Principal& p : *list) {
        out["principals"].push_back({{"name", p.name},
                                     {"role", p.role},
                                     {"created", util::FormatTimestamp(absl::FromUnixMicros(p.created_us))}});
      }
      return NoStore(JsonResponse(200, out.dump()));
    }
    if (req.method == "DELETE") {
      if (item == caller.name) return Problem(409, "Conflict", "an admin cannot remove itself");
      return deleted(store.RemovePrincipal(item));
    }
    Response problem;
    auto body = ObjectBody(req, {"name", "role"}, &problem);
    if (!body.ok()) return problem;
    for (const char* field : {"name", "role"}) {
      if (!body->contains(field)) return FieldProblem(field, "is required");
      if (!(*body)[field].is_string()) return FieldProblem(field, "must be a string");
    }
    std::string name = (*body)["name"], role = (*body)["role"];
    if (auto st = auth::CheckPrincipalName(name); !st.ok()) return FieldProblem("name", Msg(st));
    if (!auth::ParseRole(role)) return FieldProblem("role", "must be admin, analyst or contributor");
    absl::Status st = node::AddPrincipal(store, name, role, now);
    if (absl::IsAlreadyExists(st)) {
      return Problem(409, "Conflict", Msg(st), Json::array({{{"pointer", "/name"}, {"detail", "is taken"}}}));
    }
    if (absl::IsInvalidArgument(st)) return FieldProblem("name", Msg(st));
    if (!st.ok()) return StoreFault(api, st);
    Json out = {{"name", name}, {"role", role}, {"created", util::FormatTimestamp(now)}};
    return NoStore(JsonResponse(201, out.dump()));
  }

  // Tokens.
  if (req.method == "GET") {
    auto list = store.ListTokens();
    if (!list.ok()) return StoreFault(api, list.status());
    Json out = {{"tokens", Json::array()}};
    for (const store::StoredToken& t : *list) out["tokens"].push_back(TokenJson(t));
    return NoStore(JsonResponse(200, out.dump()));
  }
  if (req.method == "DELETE") {
    if (!auth::CheckTokenId(item).ok()) return NotFound();
    return deleted(store.RevokeToken(item, absl::ToUnixMicros(now)));
  }
  Response problem;
  auto body = ObjectBody(req, {"principal", "expires"}, &problem);
  if (!body.ok()) return problem;
  if (!body->contains("principal")) return FieldProblem("principal", "is required");
  if (!(*body)["principal"].is_string()) return FieldProblem("principal", "must be a string");
  std::optional<absl::Duration> lifetime;
  if (body->contains("expires") && !(*body)["expires"].is_null()) {
    if (!(*body)["expires"].is_string()) return FieldProblem("expires", "must be a duration such as \"90d\" or null");
    auto d = auth::ParseExpiry((*body)["expires"].get<std::string>());
    if (!d.ok()) return FieldProblem("expires", Msg(d.status()));
    lifetime = *d;
  }
  std::string principal = (*body)["principal"];
  auto created = node::CreateToken(store, principal, lifetime, now);
  if (absl::IsNotFound(created.status()) || absl::IsInvalidArgument(created.status())) {
    return FieldProblem("principal", "is not a principal of this node");
  }
  if (!created.ok()) return StoreFault(api, created.status());
  Json out = TokenJson(created->stored);
  out["token"] = created->secret;
  return NoStore(JsonResponse(201, out.dump()));
}

}  // namespace aisafe::server
