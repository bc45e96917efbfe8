// End to end (issue 7): the routes the web application uses beyond the
// records API, on a real `aisafe serve`: /v1/me, /v1/node, /v1/stats
// (checked against counts the test computes from what it submitted and
// what each role may see), /v1/admin/principals and /v1/admin/tokens, the
// security headers of every response, and the application served at /.
#include <gtest/gtest.h>
#include <time.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "log/checkpoint.h"
#include "nlohmann/json.hpp"
#include "server/api.h"
#include "server/web_assets.h"
#include "tests/http_client.h"

namespace aisafe {
namespace {

using testing::As;
using testing::HttpOptions;
using testing::HttpResult;
using testing::Lines;
using testing::Result;
using testing::ServeProcess;
using Json = nlohmann::json;

constexpr int64_t kDay = 86400;
const char* const kMembers[] = {"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN", "TL"};

// Every answer of the node, API or application, carries these headers.
HttpResult Call(uint16_t port, const std::string& method, const std::string& target, const HttpOptions& options = {}) {
  HttpResult r = testing::Http(port, method, target, options);
  EXPECT_NE(r.status, 0) << method << " " << target;
  if (r.status != 0) {
    EXPECT_EQ(r.headers["content-security-policy"], server::kContentSecurityPolicy)
        << method << " " << target << " " << r.status;
    EXPECT_EQ(r.headers["x-content-type-options"], "nosniff") << method << " " << target;
    EXPECT_EQ(r.headers["referrer-policy"], "no-referrer") << method << " " << target;
  }
  return r;
}

// Seconds since the epoch of "YYYY-MM-DDTHH:MM:SS[.frac]Z".
int64_t ParseTime(const std::string& s) {
  tm t{};
  int n = 0;
  EXPECT_EQ(std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &t.tm_year, &t.tm_mon, &t.tm_mday, &t.tm_hour,
                        &t.tm_min, &t.tm_sec, &n),
            6)
      << s;
  t.tm_year -= 1900;
  t.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&t));
}

int64_t DayOf(int64_t secs) { return secs >= 0 ? secs / kDay : -((-secs + kDay - 1) / kDay); }

std::string FormatTime(int64_t secs, const char* format) {
  time_t tt = static_cast<time_t>(secs);
  tm t{};
  gmtime_r(&tt, &t);
  char buf[64];
  strftime(buf, sizeof buf, format, &t);
  return buf;
}
std::string DayText(int64_t day) { return FormatTime(day * kDay, "%Y-%m-%d"); }
std::string Timestamp(int64_t secs) { return FormatTime(secs, "%Y-%m-%dT%H:%M:%SZ"); }

class AppApiTest : public testing::ApiFixture {
 protected:
  static HttpOptions Post(const std::string& token, const Json& body) {
    return As(token, body.dump(), "application/json");
  }
  // A small built application: index.html and one hashed asset.
  std::string WebDir() {
    std::string dir = tmp_.Sub("web");
    std::filesystem::create_directories(dir + "/assets");
    testing::WriteFile(dir + "/index.html", index_html_);
    testing::WriteFile(dir + "/assets/x.js", "export const x = 1;\n");
    return dir;
  }

  const std::string index_html_ =
      "<!doctype html><html lang=en><head><script type=module src=/assets/x.js></script></head>"
      "<body><main id=main></main></body></html>";
};

// The first problem error's member `key` ("pointer" or "parameter").
std::string ErrorAt(const HttpResult& r, const std::string& key) {
  Json j = Json::parse(r.body, nullptr, false);
  if (!j.is_object() || !j.contains("errors") || !j["errors"].is_array() || j["errors"].empty()) return "<none>";
  return j["errors"][0].value(key, "<none>");
}

TEST_F(AppApiTest, MeNamesTheCallerAndItsRole) {
  Init();
  std::map<std::string, std::pair<std::string, std::string>> callers = {
      {"public", {"", ""}},
      {"contributor", {"c1", Token("c1", "contributor")}},
      {"analyst", {"a1", Token("a1", "analyst")}},
      {"admin", {"root", Token("root", "admin")}},
  };
  ServeProcess serve(data(), {"--web", "none"});
  ASSERT_GT(serve.port(), 0) << serve.Stderr();
  for (const auto& [role, who] : callers) {
    SCOPED_TRACE(role);
    HttpResult r = Call(serve.port(), "GET", "/v1/me", As(who.second));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers["content-type"], "application/json");
    EXPECT_EQ(r.headers["cache-control"], "no-store");
    Json j = Json::parse(r.body);
    EXPECT_EQ(j["role"], role);
    if (role == "public") {
      EXPECT_TRUE(j["name"].is_null()) << r.body;
    } else {
      EXPECT_EQ(j["name"], who.first);
    }
    EXPECT_EQ(j["node"], "vn-nca");
    EXPECT_EQ(j["country"], "VN");
  }
  for (const std::string& bad : {"aisafe_" + std::string(43, 'A'), std::string("not-a-token")}) {
    HttpResult r = Call(serve.port(), "GET", "/v1/me", As(bad));
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_EQ(r.headers["www-authenticate"], "Bearer");
    EXPECT_EQ(r.headers["content-type"], "application/problem+json");
  }
  HttpResult r = Call(serve.port(), "POST", "/v1/me", As(callers["admin"].second, "{}", "application/json"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers["allow"], "GET");
  EXPECT_EQ(serve.Stop(), 0) << serve.Stderr();
}

TEST_F(AppApiTest, NodeReportsItsIdentityKeyAndLog) {
  Init();
  std::string admin = Token("root", "admin");
  std::string key = Node({"key"}).out;
  while (!key.empty() && key.back() == '\n') key.pop_back();
  ASSERT_FALSE(key.empty());
  ServeProcess serve(data(), {"--web", "none"});
  ASSERT_GT(serve.port(), 0) << serve.Stderr();
  HttpResult r = Call(serve.port(), "GET", "/v1/node");
  ASSERT_EQ(r.status, 200) << r.body;
  Json j = Json::parse(r.body);
  EXPECT_EQ(j["name"], "vn-nca");
  EXPECT_EQ(j["country"], "VN");
  EXPECT_EQ(j["key"], key);
  EXPECT_EQ(j["log_size"], 0);
  HttpResult cp = Call(serve.port(), "GET", "/log/checkpoint");
  if (cp.status == 404) {
    EXPECT_TRUE(j["checkpoint"].is_null()) << r.body;
  } else {
    EXPECT_EQ(j["checkpoint"], cp.body);
  }

  std::string body = testing::Slurp(AISAFE_EXAMPLES);
  ASSERT_EQ(Call(serve.port(), "POST", "/v1/records", As(admin, body, "application/x-ndjson")).status, 201);
  // The proof route signs a checkpoint covering the newest record.
  Json newest = Json::parse(Call(serve.port(), "GET", "/v1/records?limit=1", As(admin)).body);
  std::string id = newest["records"][0]["id"];
  ASSERT_EQ(Call(serve.port(), "GET", "/v1/records/" + id + "/proof", As(admin)).status, 200);
  // Everyone gets the same answer: the node's identity is public.
  r = Call(serve.port(), "GET", "/v1/node", As(admin));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Call(serve.port(), "GET", "/v1/node").body, r.body);
  j = Json::parse(r.body);
  EXPECT_EQ(j["log_size"], 42);
  ASSERT_TRUE(j["checkpoint"].is_string()) << r.body;
  cp = Call(serve.port(), "GET", "/log/checkpoint");
  ASSERT_EQ(cp.status, 200);
  EXPECT_EQ(j["checkpoint"], cp.body);
  auto verifier = keys::ParseVerifierKey(j["key"].get<std::string>());
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  auto opened = log::OpenCheckpoint(j["checkpoint"].get<std::string>(), *verifier, "vn-nca");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->checkpoint.size, 42u);
  EXPECT_EQ(Call(serve.port(), "DELETE", "/v1/node", As(admin)).status, 405);
  EXPECT_EQ(serve.Stop(), 0) << serve.Stderr();
}

// The dashboard's counts, for every role, against a model: the examples
// (created now) and records dated over the last 120 days, in the future
// and long ago, with every marking. A contributor's counts never include
// amber or red; the public's only clear.
TEST_F(AppApiTest, StatsCountExactlyWhatEachRoleMaySee) {
  Init();
  std::map<std::string, std::string> tokens = {{"public", ""},
                                               {"contributor", Token("c1", "contributor")},
                                               {"analyst", Token("a1", "analyst")},
                                               {"admin", Token("root", "admin")}};
  ServeProcess serve(data(), {"--web", "none"});
  ASSERT_GT(serve.port(), 0) << serve.Stderr();
  const std::string& admin = tokens["admin"];

  std::vector<std::string> examples = Lines(testing::Slurp(AISAFE_EXAMPLES));
  ASSERT_EQ(examples.size(), 42u);
  std::vector<Json> incidents;
  for (const std::string& e : examples) {
    Json doc = Json::parse(e);
    if (doc["type"] == "incident") incidents.push_back(doc);
  }
  ASSERT_GE(incidents.size(), 5u);
  int64_t now = static_cast<int64_t>(time(nullptr));
  int64_t today_start = DayOf(now) * kDay;
  std::string generated;
  auto add = [&](Json doc, int64_t created, int i) {
    doc["title"] = "generated record " + std::to_string(i);
    doc["created"] = Timestamp(created);
    generated += doc.dump() + "\n";
  };
  int n = 0;
  for (int i = 0; i < 260; ++i) {
    Json doc = Json::parse(examples[i % examples.size()]);
    doc.erase("countries");
    if (i % 6 != 0) {
      Json countries = Json::array({kMembers[i % 11]});
      if (i % 3 == 0 && (i * 7 + 3) % 11 != i % 11) countries.push_back(kMembers[(i * 7 + 3) % 11]);
      doc["countries"] = countries;
    }
    // Days 0..119 back, at a time of day that is never after now.
    int64_t days_back = i % 120;
    int64_t created = today_start - days_back * kDay + (days_back == 0 ? 0 : (i * 3607) % kDay);
    add(doc, created, n++);
  }
  // Ahead of the clock and long ago: in the totals and the map, not in the week or the trend.
  for (int64_t offset : {2 * kDay, 40 * kDay, 500 * kDay}) {
    add(incidents[n % incidents.size()], now + offset, n);
    ++n;
  }
  for (const char* when : {"2001-02-03T04:05:06Z", "1999-12-31T23:59:59Z", "1970-01-01T00:00:00Z"}) {
    add(incidents[n % incidents.size()], ParseTime(when), n);
    ++n;
  }
  for (const std::string& body : {testing::Slurp(AISAFE_EXAMPLES), generated}) {
    HttpResult r = Call(serve.port(), "POST", "/v1/records", As(admin, body, "application/x-ndjson"));
    ASSERT_EQ(r.status, 201) << r.body.substr(0, 2000);
  }
  const size_t total_records = 42 + static_cast<size_t>(n);

  // What was stored, with the `created` the node filled for the examples.
  std::vector<Json> stored;
  std::string cursor;
  for (int pages = 0; pages < 100; ++pages) {
    HttpResult page =
        Call(serve.port(), "GET", "/v1/records?limit=1000" + (cursor.empty() ? "" : "&cursor=" + cursor), As(admin));
    ASSERT_EQ(page.status, 200) << page.body;
    Json j = Json::parse(page.body);
    for (const Json& item : j["records"]) stored.push_back(item["record"]);
    cursor = j["next_cursor"].is_string() ? j["next_cursor"].get<std::string>() : "";
    if (cursor.empty()) break;
  }
  ASSERT_EQ(stored.size(), total_records);
  std::set<std::string> tlps_seen;
  for (const Json& rec : stored) tlps_seen.insert(rec["tlp"].get<std::string>());
  EXPECT_EQ(tlps_seen, (std::set<std::string>{"clear", "green", "amber", "amber+strict", "red"}));
  // A signed checkpoint covering everything.
  Json newest = Json::parse(Call(serve.port(), "GET", "/v1/records?limit=1", As(admin)).body);
  ASSERT_EQ(
      Call(serve.port(), "GET", "/v1/records/" + newest["records"][0]["id"].get<std::string>() + "/proof", As(admin))
          .status,
      200);

  const std::map<std::string, std::set<std::string>> allowed = {
      {"public", {"clear"}},
      {"contributor", {"clear", "green"}},
      {"analyst", {"clear", "green", "amber", "amber+strict", "red"}},
      {"admin", {"clear", "green", "amber", "amber+strict", "red"}},
  };
  std::map<std::string, uint64_t> totals;
  for (const auto& [role, token] : tokens) {
    SCOPED_TRACE(role);
    HttpResult r = Call(serve.port(), "GET", "/v1/stats", As(token));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers["content-type"], "application/json");
    EXPECT_EQ(r.headers["cache-control"], "no-store");
    Json got = Json::parse(r.body);
    int64_t today = DayOf(ParseTime(got["as_of"].get<std::string>()));
    EXPECT_LE(std::abs(ParseTime(got["as_of"].get<std::string>()) - static_cast<int64_t>(time(nullptr))), 300);

    uint64_t total = 0, week_total = 0;
    std::map<std::string, uint64_t> week_by_type, week_by_country, incidents_by_country;
    std::map<int64_t, std::map<std::string, uint64_t>> days;
    for (const Json& rec : stored) {
      if (!allowed.at(role).count(rec["tlp"].get<std::string>())) continue;
      std::string type = rec["type"];
      int64_t day = DayOf(ParseTime(rec["created"].get<std::string>()));
      std::vector<std::string> countries;
      if (rec.contains("countries")) countries = rec["countries"].get<std::vector<std::string>>();
      ++total;
      if (day >= today - 6 && day <= today) {
        ++week_total;
        ++week_by_type[type];
        for (const std::string& c : countries) ++week_by_country[c];
      }
      if (type == "incident") {
        for (const std::string& c : countries) ++incidents_by_country[c];
      }
      if (day >= today - 89 && day <= today) ++days[day][type];
    }
    Json expected_days = Json::array();
    for (const auto& [day, by_type] : days) expected_days.push_back({{"day", DayText(day)}, {"by_type", by_type}});

    EXPECT_EQ(got["total"], total);
    EXPECT_EQ(got["log_size"], total_records);
    EXPECT_EQ(got["week"]["from"], DayText(today - 6));
    EXPECT_EQ(got["week"]["total"], week_total);
    EXPECT_EQ(got["week"]["by_type"], Json(week_by_type));
    EXPECT_EQ(got["week"]["by_country"], Json(week_by_country));
    EXPECT_EQ(got["incidents_by_country"], Json(incidents_by_country));
    EXPECT_EQ(got["days"], expected_days);
    // Every one of the last 90 days has a generated record, so both edges of the trend are in the model.
    if (role == "admin") {
      EXPECT_EQ(got["days"].size(), 90u);
    }
    // Ascending, non-empty, within the last 90 days: said outright as well.
    std::string previous;
    for (const Json& d : got["days"]) {
      std::string day = d["day"];
      EXPECT_LT(previous, day);
      previous = day;
      EXPECT_GE(day, DayText(today - 89));
      EXPECT_LE(day, DayText(today));
      EXPECT_FALSE(d["by_type"].empty()) << day;
    }
    ASSERT_TRUE(got["checkpoint"].is_object()) << r.body.substr(0, 500);
    EXPECT_EQ(got["checkpoint"]["size"], total_records);
    std::vector<std::string> note = Lines(got["checkpoint"]["note"].get<std::string>());
    ASSERT_GE(note.size(), 3u);
    EXPECT_EQ(got["checkpoint"]["root"], note[2]);
    EXPECT_EQ(got["checkpoint"]["note"], Call(serve.port(), "GET", "/log/checkpoint").body);
    totals[role] = total;
  }
  // The model is not vacuous: every role sees a different amount, and the
  // generated days reach both sides of the week and trend boundaries.
  EXPECT_LT(totals["public"], totals["contributor"]);
  EXPECT_LT(totals["contributor"], totals["admin"]);
  EXPECT_EQ(totals["analyst"], totals["admin"]);
  EXPECT_EQ(totals["admin"], total_records);

  // Parameters: none are taken.
  for (std::string query : {"from=2026-01-01", "days=7", "tlp=amber"}) {
    HttpResult r = Call(serve.port(), "GET", "/v1/stats?" + query, As(tokens["contributor"]));
    EXPECT_EQ(r.status, 400) << query;
    std::string name = query.substr(0, query.find('='));
    EXPECT_EQ(ErrorAt(r, "parameter"), name) << r.body;
    EXPECT_NE(Json::parse(r.body)["detail"].get<std::string>().find(name), std::string::npos) << r.body;
  }
  EXPECT_EQ(Call(serve.port(), "GET", "/v1/stats", As("aisafe_" + std::string(43, 'A'))).status, 401);
  EXPECT_EQ(Call(serve.port(), "POST", "/v1/stats", As(admin, "{}", "application/json")).status, 405);

  // Answers are kept per visible set until the log grows: asked again they
  // are the same; after one more clear record every role counts it.
  std::map<std::string, Json> before;
  for (const auto& [role, token] : tokens) {
    before[role] = Json::parse(Call(serve.port(), "GET", "/v1/stats", As(token)).body);
    EXPECT_EQ(Json::parse(Call(serve.port(), "GET", "/v1/stats", As(token)).body), before[role]) << role;
  }
  Json extra = Json::parse(examples[0]);
  extra["tlp"] = "clear";
  extra.erase("audience");
  extra["title"] = "one more, counted at once";
  extra.erase("created");
  ASSERT_EQ(Call(serve.port(), "POST", "/v1/records", As(admin, extra.dump(), "application/json")).status, 201);
  for (const auto& [role, token] : tokens) {
    Json after = Json::parse(Call(serve.port(), "GET", "/v1/stats", As(token)).body);
    EXPECT_EQ(after["total"].get<uint64_t>(), before[role]["total"].get<uint64_t>() + 1) << role;
    EXPECT_EQ(after["week"]["total"].get<uint64_t>(), before[role]["week"]["total"].get<uint64_t>() + 1) << role;
    EXPECT_EQ(after["log_size"].get<uint64_t>(), before[role]["log_size"].get<uint64_t>() + 1) << role;
  }
  EXPECT_EQ(serve.Stop(), 0) << serve.Stderr();
}

TEST_F(AppApiTest, AdminManagesPrincipalsAndTokens) {
  Init();
  std::string admin = Token("root", "admin");
  std::string analyst = Token("a1", "analyst");
  std::string contributor = Token("c1", "contributor");
  ServeProcess serve(data(), {"--web", "none"});
  ASSERT_GT(serve.port(), 0) << serve.Stderr();
  uint16_t port = serve.port();

  // Listing.
  HttpResult r = Call(port, "GET", "/v1/admin/principals", As(admin));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["cache-control"], "no-store");
  std::map<std::string, std::string> roles;
  Json principals = Json::parse(r.body)["principals"];
  for (const Json& p : principals) {
    roles[p["name"]] = p["role"];
    EXPECT_TRUE(p["created"].is_string());
  }
  EXPECT_EQ(roles, (std::map<std::string, std::string>{{"root", "admin"}, {"a1", "analyst"}, {"c1", "contributor"}}));

  // Creating.
  r = Call(port, "POST", "/v1/admin/principals", Post(admin, {{"name", "th-analyst@etda"}, {"role", "contributor"}}));
  ASSERT_EQ(r.status, 201) << r.body;
  Json created = Json::parse(r.body);
  EXPECT_EQ(created["name"], "th-analyst@etda");
  EXPECT_EQ(created["role"], "contributor");
  EXPECT_LE(std::abs(ParseTime(created["created"].get<std::string>()) - static_cast<int64_t>(time(nullptr))), 300);
  r = Call(port, "POST", "/v1/admin/principals", Post(admin, {{"name", "th-analyst@etda"}, {"role", "admin"}}));
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.headers["content-type"], "application/problem+json");
  r = Call(port, "GET", "/v1/admin/principals", As(admin));
  bool listed = false;
  principals = Json::parse(r.body)["principals"];
  for (const Json& p : principals) {
    if (p["name"] == "th-analyst@etda") {
      listed = true;
      EXPECT_EQ(p["role"], "contributor");  // Not changed by the refused duplicate.
    }
  }
  EXPECT_TRUE(listed) << r.body;

  // Bad requests name their field.
  const std::pair<Json, std::string> bad_bodies[] = {
      {{{"name", "bad name!"}, {"role", "analyst"}}, "/name"},
      {{{"name", ""}, {"role", "analyst"}}, "/name"},
      {{{"name", std::string(65, 'x')}, {"role", "analyst"}}, "/name"},
      {{{"name", 7}, {"role", "analyst"}}, "/name"},
      {{{"role", "analyst"}}, "/name"},
      {{{"name", "x1"}, {"role", "superuser"}}, "/role"},
      {{{"name", "x1"}, {"role", "public"}}, "/role"},
      {{{"name", "x1"}}, "/role"},
      {{{"name", "x1"}, {"role", "analyst"}, {"colour", "red"}}, "/colour"},
  };
  for (const auto& [body, pointer] : bad_bodies) {
    r = Call(port, "POST", "/v1/admin/principals", Post(admin, body));
    EXPECT_EQ(r.status, 400) << body.dump() << " " << r.body;
    EXPECT_EQ(ErrorAt(r, "pointer"), pointer) << body.dump() << " " << r.body;
  }
  r = Call(port, "POST", "/v1/admin/principals",
           As(admin, Json({{"name", "x1"}, {"role", "analyst"}}).dump(), "text/plain"));
  EXPECT_EQ(r.status, 415) << r.body;
  r = Call(port, "POST", "/v1/admin/principals", As(admin, "{\"name\":\"x1\",\"role\":\"analyst\"}"));
  EXPECT_EQ(r.status, 415) << r.body;  // No content type at all.
  for (std::string body : {"[1,2]", "\"x1\"", "{not json", "", "null"}) {
    r = Call(port, "POST", "/v1/admin/principals", As(admin, body, "application/json"));
    EXPECT_EQ(r.status, 400) << body << " " << r.body;
  }
  r = Call(port, "GET", "/v1/admin/principals", As(admin));
  EXPECT_EQ(r.body.find("\"x1\""), std::string::npos) << r.body;

  // Tokens: created for a principal, shown once, working at once.
  r = Call(port, "POST", "/v1/admin/tokens", Post(admin, {{"principal", "th-analyst@etda"}, {"expires", nullptr}}));
  ASSERT_EQ(r.status, 201) << r.body;
  Json token = Json::parse(r.body);
  std::string secret = token["token"];
  std::string token_id = token["id"];
  EXPECT_EQ(token["principal"], "th-analyst@etda");
  EXPECT_TRUE(token["expires"].is_null()) << r.body;
  EXPECT_EQ(token_id.size(), 16u);
  ASSERT_EQ(secret.rfind("aisafe_", 0), 0u) << secret;
  r = Call(port, "GET", "/v1/me", As(secret));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body)["name"], "th-analyst@etda");
  EXPECT_EQ(Json::parse(r.body)["role"], "contributor");

  r = Call(port, "POST", "/v1/admin/tokens", Post(admin, {{"principal", "a1"}, {"expires", "12h"}}));
  ASSERT_EQ(r.status, 201) << r.body;
  Json expiring = Json::parse(r.body);
  ASSERT_TRUE(expiring["expires"].is_string()) << r.body;
  EXPECT_EQ(ParseTime(expiring["expires"].get<std::string>()) - ParseTime(expiring["created"].get<std::string>()),
            12 * 3600);
  EXPECT_EQ(Call(port, "GET", "/v1/me", As(expiring["token"].get<std::string>())).status, 200);
  r = Call(port, "POST", "/v1/admin/tokens", Post(admin, {{"principal", "a1"}}));
  EXPECT_EQ(r.status, 201) << r.body;  // expires may be left out.
  std::string third_secret = Json::parse(r.body).value("token", "");

  const std::pair<Json, std::string> bad_tokens[] = {
      {{{"principal", "a1"}, {"expires", "soon"}}, "/expires"},
      {{{"principal", "a1"}, {"expires", "0d"}}, "/expires"},
      {{{"principal", "a1"}, {"expires", 90}}, "/expires"},
      {{{"principal", "nobody"}}, "/principal"},
      {{{"principal", "no such one!"}}, "/principal"},
      {{{"principal", 3}}, "/principal"},
      {{{"expires", "90d"}}, "/principal"},
      {{{"principal", "a1"}, {"secret", "x"}}, "/secret"},
  };
  for (const auto& [body, pointer] : bad_tokens) {
    r = Call(port, "POST", "/v1/admin/tokens", Post(admin, body));
    EXPECT_EQ(r.status, 400) << body.dump() << " " << r.body;
    EXPECT_EQ(ErrorAt(r, "pointer"), pointer) << body.dump() << " " << r.body;
  }
  r = Call(port, "POST", "/v1/admin/tokens", As(admin, "{\"principal\":\"a1\"}", "text/plain"));
  EXPECT_EQ(r.status, 415);

  // The list never holds a secret (nor any token's hash).
  r = Call(port, "GET", "/v1/admin/tokens", As(admin));
  ASSERT_EQ(r.status, 200) << r.body;
  for (const std::string& s : {secret, expiring["token"].get<std::string>(), third_secret, admin, analyst}) {
    EXPECT_EQ(r.body.find(s), std::string::npos);
  }
  EXPECT_EQ(r.body.find("aisafe_"), std::string::npos);
  EXPECT_EQ(r.body.find("hash"), std::string::npos);
  Json list = Json::parse(r.body);
  bool found = false;
  for (const Json& t : list["tokens"]) {
    EXPECT_FALSE(t.contains("token"));
    EXPECT_EQ(t.size(), 5u) << t.dump();
    if (t["id"] == token_id) {
      found = true;
      EXPECT_EQ(t["principal"], "th-analyst@etda");
      EXPECT_TRUE(t["expires"].is_null());
      EXPECT_TRUE(t["revoked"].is_null());
    }
  }
  EXPECT_TRUE(found) << r.body;
  EXPECT_EQ(list["tokens"].size(), 6u);  // Three made by the CLI, three here.

  // Revoking.
  r = Call(port, "DELETE", "/v1/admin/tokens/" + token_id, As(admin));
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_TRUE(r.body.empty());
  r = Call(port, "GET", "/v1/me", As(secret));
  EXPECT_EQ(r.status, 401) << r.body;
  r = Call(port, "GET", "/v1/admin/tokens", As(admin));
  Json after_revoke = Json::parse(r.body)["tokens"];
  for (const Json& t : after_revoke) {
    if (t["id"] == token_id) {
      EXPECT_TRUE(t["revoked"].is_string()) << t.dump();
    }
  }
  EXPECT_EQ(Call(port, "DELETE", "/v1/admin/tokens/" + std::string(16, 'f'), As(admin)).status, 404);
  EXPECT_EQ(Call(port, "DELETE", "/v1/admin/tokens/not-an-id", As(admin)).status, 404);

  // Removing principals.
  std::string doomed =
      Json::parse(Call(port, "POST", "/v1/admin/tokens", Post(admin, {{"principal", "c1"}})).body).value("token", "");
  EXPECT_EQ(Call(port, "GET", "/v1/me", As(doomed)).status, 200);
  r = Call(port, "DELETE", "/v1/admin/principals/c1", As(admin));
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(Call(port, "GET", "/v1/me", As(doomed)).status, 401);
  EXPECT_EQ(Call(port, "GET", "/v1/me", As(contributor)).status, 401);
  r = Call(port, "DELETE", "/v1/admin/principals/c1", As(admin));
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(Call(port, "DELETE", "/v1/admin/principals/no%20such%20one", As(admin)).status, 404);
  r = Call(port, "DELETE", "/v1/admin/principals/root", As(admin));
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(Call(port, "GET", "/v1/me", As(admin)).status, 200);

  // Only admins: 401 for the public, 403 for the others.
  const std::pair<std::string, std::string> routes[] = {
      {"GET", "/v1/admin/principals"}, {"POST", "/v1/admin/principals"}, {"DELETE", "/v1/admin/principals/a1"},
      {"GET", "/v1/admin/tokens"},     {"POST", "/v1/admin/tokens"},     {"DELETE", "/v1/admin/tokens/" + token_id},
  };
  std::string other_contributor =
      Json::parse(Call(port, "POST", "/v1/admin/tokens", Post(admin, {{"principal", "th-analyst@etda"}})).body)
          .value("token", "");
  for (const auto& [method, path] : routes) {
    SCOPED_TRACE(method + " " + path);
    Json body = path.ends_with("principals") ? Json{{"name", "sneaky"}, {"role", "admin"}}
                                             : Json{{"principal", "a1"}, {"expires", "90d"}};
    std::string text = method == "POST" ? body.dump() : "";
    r = Call(port, method, path, As("", text, "application/json"));
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_EQ(r.headers["www-authenticate"], "Bearer");
    for (const std::string& who : {analyst, other_contributor}) {
      r = Call(port, method, path, As(who, text, "application/json"));
      EXPECT_EQ(r.status, 403) << r.body;
      EXPECT_EQ(r.headers["content-type"], "application/problem+json");
    }
  }
  r = Call(port, "GET", "/v1/admin/principals", As(admin));
  EXPECT_EQ(r.body.find("sneaky"), std::string::npos);
  EXPECT_NE(r.body.find("\"a1\""), std::string::npos);  // The analyst's DELETE did nothing.

  // Methods.
  r = Call(port, "PUT", "/v1/admin/principals", As(admin, "{}", "application/json"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers["allow"], "GET, POST");
  r = Call(port, "DELETE", "/v1/admin/tokens", As(admin));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers["allow"], "GET, POST");
  r = Call(port, "GET", "/v1/admin/principals/a1", As(admin));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers["allow"], "DELETE");
  r = Call(port, "POST", "/v1/admin/tokens/" + std::string(16, 'a'), As(admin, "{}", "application/json"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers["allow"], "DELETE");
  EXPECT_EQ(Call(port, "GET", "/v1/admin/other", As(admin)).status, 404);
  EXPECT_EQ(Call(port, "GET", "/v1/admin/principalsx", As(admin)).status, 404);
  EXPECT_EQ(serve.Stop(), 0) << serve.Stderr();
}

TEST_F(AppApiTest, ServesTheApplicationAtTheRootAndNeverForApiPaths) {
  Init();
  std::string web = WebDir();
  ServeProcess serve(data(), {"--web", web});
  ASSERT_GT(serve.port(), 0) << serve.Stderr();
  uint16_t port = serve.port();
  HttpResult root = Call(port, "GET", "/");
  ASSERT_EQ(root.status, 200);
  EXPECT_EQ(root.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_EQ(root.body, index_html_);
  EXPECT_EQ(root.headers["cache-control"], "no-cache");
  for (const std::string& page : {"/records/" + std::string(64, 'a'), std::string("/search?q=deepfake&type=incident"),
                                  std::string("/admin"), std::string("/submit")}) {
    HttpResult r = Call(port, "GET", page);
    EXPECT_EQ(r.status, 200) << page;
    EXPECT_EQ(r.body, index_html_) << page;
    EXPECT_EQ(r.headers["content-type"], "text/html; charset=utf-8") << page;
  }
  HttpResult js = Call(port, "GET", "/assets/x.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "export const x = 1;\n");
  EXPECT_EQ(js.headers["content-type"], "text/javascript; charset=utf-8");
  EXPECT_EQ(js.headers["cache-control"], "public, max-age=31536000, immutable");
  HttpOptions revalidate;
  revalidate.headers.emplace_back("If-None-Match", js.headers["etag"]);
  HttpResult not_modified = Call(port, "GET", "/assets/x.js", revalidate);
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_TRUE(not_modified.body.empty());

  // API and log paths never fall back to the application.
  for (const char* path :
       {"/v1/nope", "/v1/nope/deeper", "/v1/admin/nope", "/log/nope", "/v1/", "/missing.js", "/assets/gone.js"}) {
    HttpResult r = Call(port, "GET", path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.headers["content-type"], "application/problem+json") << path;
    EXPECT_EQ(r.body.find("<!doctype"), std::string::npos) << path;
  }
  HttpResult post = Call(port, "POST", "/", As("", "x=1", "application/x-www-form-urlencoded"));
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.headers["allow"], "GET");
  post = Call(port, "POST", "/records/" + std::string(64, 'a'), As("", "x=1", "application/x-www-form-urlencoded"));
  EXPECT_EQ(post.status, 405);
  // The API still answers beside it.
  EXPECT_EQ(Call(port, "GET", "/healthz").status, 200);
  EXPECT_EQ(Call(port, "GET", "/v1/me").status, 200);
  EXPECT_EQ(serve.Stop(), 0) << serve.Stderr();

  ServeProcess api_only(data(), {"--web", "none"});
  ASSERT_GT(api_only.port(), 0) << api_only.Stderr();
  HttpResult r = Call(api_only.port(), "GET", "/");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Call(api_only.port(), "GET", "/records/" + std::string(64, 'a')).status, 404);
  EXPECT_EQ(Call(api_only.port(), "GET", "/v1/me").status, 200);
  EXPECT_EQ(api_only.Stop(), 0) << api_only.Stderr();

  // An explicit --web that is not an application stops the server at once.
  for (const std::string& dir : {tmp_.Sub("no-such-web-dir"), tmp_.Sub("node")}) {
    ServeProcess broken(data(), {"--web", dir});
    EXPECT_EQ(broken.port(), 0) << dir;
    EXPECT_NE(broken.Stop(), 0) << dir;
    EXPECT_NE(broken.Stderr().find(dir), std::string::npos) << broken.Stderr();
  }
}

}  // namespace
}  // namespace aisafe
