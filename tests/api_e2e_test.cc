// End to end: a real `aisafe serve` on 127.0.0.1, spoken to over HTTP
// (issue 4): every route, every role against every TLP marking, tokens,
// limits, TLS, graceful shutdown, and the log read through /log alone.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <set>
#include <thread>

#include "log/checkpoint.h"
#include "log/merkle.h"
#include "nlohmann/json.hpp"
#include "server/api.h"
#include "tests/http_client.h"
#include "tests/merkle_reference.h"
#include "util/base64.h"
#include "util/hex.h"

namespace aisafe {
namespace {

using testing::As;
using testing::Http;
using testing::HttpOptions;
using testing::HttpResult;
using testing::Lines;
using testing::Result;
using testing::ServeProcess;
using Json = nlohmann::json;

class ApiTest : public testing::ApiFixture {
 protected:
  // Sets [server] keys in node.toml (appended lines win over none; the
  // [server] table is the file's last).
  void ServerConfig(const std::string& lines) {
    std::string path = data() + "/node.toml";
    std::string text = testing::Slurp(path);
    testing::WriteFile(path, text + lines + "\n");
  }
  // id -> tlp of every example record, stored through the API by `token`.
  std::map<std::string, std::string> SubmitExamples(uint16_t port, const std::string& token) {
    std::string body = testing::Slurp(AISAFE_EXAMPLES);
    HttpResult r = Http(port, "POST", "/v1/records", As(token, body, "application/x-ndjson"));
    EXPECT_EQ(r.status, 201) << r.body;
    std::map<std::string, std::string> out;
    Json j = Json::parse(r.body, nullptr, false);
    std::vector<std::string> docs = Lines(body);
    EXPECT_EQ(j["records"].size(), docs.size());
    for (size_t i = 0; i < docs.size() && i < j["records"].size(); ++i) {
      out[j["records"][i]["id"]] = Json::parse(docs[i])["tlp"];
    }
    return out;
  }
};

// The visibility table, through every route that returns records: each
// principal sees exactly what PRODUCT.md allows, and a hidden record is
// indistinguishable from an absent one.
TEST_F(ApiTest, EveryRoleSeesExactlyItsMarkingsOnEveryRoute) {
  Init();
  std::map<std::string, std::string> tokens = {{"public", ""},
                                               {"contributor", Token("c1", "contributor")},
                                               {"analyst", Token("a1", "analyst")},
                                               {"admin", Token("root", "admin")}};
  ServeProcess serve(data());
  ASSERT_GT(serve.port(), 0) << serve.Stderr();
  std::map<std::string, std::string> tlp_of = SubmitExamples(serve.port(), tokens["admin"]);
  ASSERT_EQ(tlp_of.size(), 42u);
  const std::map<std::string, std::set<std::string>> allowed = {
      {"public", {"clear"}},
      {"contributor", {"clear", "green"}},
      {"analyst", {"clear", "green", "amber", "amber+strict", "red"}},
      {"admin", {"clear", "green", "amber", "amber+strict", "red"}},
  };
  std::string absent(64, 'a');
  HttpResult absent_get = Http(serve.port(), "GET", "/v1/records/" + absent);
  ASSERT_EQ(absent_get.status, 404);
  for (const auto& [role, token] : tokens) {
    SCOPED_TRACE(role);
    std::set<std::string> expected;
    for (const auto& [id, tlp] : tlp_of) {
      if (allowed.at(role).count(tlp)) expected.insert(id);
    }
    // List, page by page.
    std::set<std::string> listed;
    std::string cursor;
    for (int pages = 0; pages < 100; ++pages) {
      HttpResult page =
          Http(serve.port(), "GET", "/v1/records?limit=7" + (cursor.empty() ? "" : "&cursor=" + cursor), As(token));
      ASSERT_EQ(page.status, 200) << page.body;
      Json j = Json::parse(page.body);
      for (const Json& item : j["records"]) {
        std::string canonical = item["record"].dump();
        EXPECT_EQ(util::ToHex(util::Sha256(canonical)), item["id"]);
        listed.insert(item["id"].get<std::string>());
        EXPECT_TRUE(allowed.at(role).count(item["record"]["tlp"].get<std::string>())) << canonical.substr(0, 80);
      }
      cursor = j["next_cursor"];
      if (cursor.empty()) break;
    }
    EXPECT_EQ(listed, expected);
    // Get and proof of every record.
    for (const auto& [id, tlp] : tlp_of) {
      bool visible = expected.count(id) > 0;
      HttpResult get = Http(serve.port(), "GET", "/v1/records/" + id, As(token));
      EXPECT_EQ(get.status, visible ? 200 : 404) << id << " " << tlp;
      if (visible) {
        EXPECT_EQ(util::ToHex(util::Sha256(get.body)), id);
      } else {
        EXPECT_EQ(get.body, absent_get.body);  // Hidden looks exactly like absent.
      }
      HttpResult proof = Http(serve.port(), "GET", "/v1/records/" + id + "/proof", As(token));
      EXPECT_EQ(proof.status, visible ? 200 : 404) << id << " " << tlp;
    }
  }
  EXPECT_EQ(serve.Stop(), 0) << serve.Stderr();
}

TEST_F(ApiTest, SubmissionRulesAndProblemDetails) {
  Init();
  std::string contributor = Token("c1", "contributor");
  std::string analyst = Token("a1", "analyst");
  ServerConfig("max_body_bytes = 65536");
  ServeProcess serve(data());
  ASSERT_GT(serve.port(), 0) << serve.Stderr();
  std::vector<std::string> docs = Lines(testing::Slurp(AISAFE_EXAMPLES));
  const std::string& green = docs[1];
  const std::string& amber = docs[2];
  auto log_size = [&] { return Json::parse(Http(serve.port(), "GET", "/healthz").body)["log_size"].get<int>(); };

  // The public may not submit.
  HttpResult r = Http(serve.port(), "POST", "/v1/records", As("", green, "application/json"));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.headers["www-authenticate"], "Bearer");
  // A contributor may not submit amber, even inside a batch with green:
  // nothing of the batch is stored, and the problem names /tlp and the line.
  r = Http(serve.port(), "POST", "/v1/records", As(contributor, green + "\n" + amber + "\n", "application/x-ndjson"));
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(r.headers["content-type"], "application/problem+json");
  Json problem = Json::parse(r.body);
  ASSERT_EQ(problem["errors"].size(), 1u);
  EXPECT_EQ(problem["errors"][0]["pointer"], "/tlp");
  EXPECT_EQ(problem["errors"][0]["line"], 2);
  EXPECT_EQ(log_size(), 0);
  // Green is fine; the same document again maps to the same record.
  r = Http(serve.port(), "POST", "/v1/records", As(contributor, green, "application/json"));
  ASSERT_EQ(r.status, 201) << r.body;
  std::string id = Json::parse(r.body)["records"][0]["id"];
  EXPECT_EQ(r.headers["location"], "/v1/records/" + id);
  r = Http(serve.port(), "POST", "/v1/records", As(contributor, green, "application/json"));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body)["records"][0]["created"], false);
  // Invalid records: every violation with its pointer, nothing stored.
  Json bad = Json::parse(green);
  bad["tlp"] = "purple";
  bad.erase("title");
  r = Http(serve.port(), "POST", "/v1/records", As(analyst, bad.dump(), "application/json"));
  EXPECT_EQ(r.status, 400) << r.body;
  problem = Json::parse(r.body);
  std::set<std::string> pointers;
  for (const Json& e : problem["errors"]) pointers.insert(e["pointer"]);
  EXPECT_TRUE(pointers.count("/tlp")) << r.body;
  r = Http(serve.port(), "POST", "/v1/records", As(analyst, "{not json", "application/json"));
  EXPECT_EQ(r.status, 400);
  r = Http(serve.port(), "POST", "/v1/records", As(analyst, green, "text/plain"));
  EXPECT_EQ(r.status, 415);
  r = Http(serve.port(), "POST", "/v1/records", As(analyst, std::string(70000, ' '), "application/json"));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(log_size(), 1);
  // Query parameters are checked by name.
  r = Http(serve.port(), "GET", "/v1/records?limit=0", As(analyst));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Json::parse(r.body)["errors"][0]["parameter"], "limit");
  r = Http(serve.port(), "GET", "/v1/records?cursor=zzz", As(analyst));
  EXPECT_EQ(Json::parse(r.body)["errors"][0]["parameter"], "cursor");
  r = Http(serve.port(), "GET", "/v1/records?colour=red", As(analyst));
  EXPECT_EQ(Json::parse(r.body)["errors"][0]["parameter"], "colour");
  r = Http(serve.port(), "GET", "/v1/records/" + id + "/proof?size=99", As(analyst));
  EXPECT_EQ(Json::parse(r.body)["errors"][0]["parameter"], "size");
  r = Http(serve.port(), "DELETE", "/v1/records/" + id, As(analyst));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers["allow"], "GET");
  EXPECT_EQ(serve.Stop(), 0);
}

TEST_F(ApiTest, RevokedExpiredAndRemovedTokensAreRefused) {
  Init();
  std::string keep = Token("a1", "analyst");
  Result t = Node({"token", "create", "a1"});
  std::string revoked = Lines(t.out)[0];
  Result short_lived = Node({"token", "create", "a1", "--expires", "1s"});
  ASSERT_EQ(short_lived.code, 0) << short_lived.err;
  std::string expiring = Lines(short_lived.out)[0];
  std::string removed = Token("gone", "admin");
  ServeProcess serve(data());
  ASSERT_GT(serve.port(), 0);
  for (const std::string& tok : {keep, revoked, removed}) {
    EXPECT_EQ(Http(serve.port(), "GET", "/v1/records", As(tok)).status, 200);
  }
  // token create names the new token's id on stderr: "token ID for a1".
  std::string revoked_id = t.err.substr(t.err.find("token ") + 6, 16);
  ASSERT_EQ(Node({"token", "revoke", revoked_id}).code, 0);
  EXPECT_EQ(Http(serve.port(), "GET", "/v1/records", As(keep)).status, 200);
  HttpResult r = Http(serve.port(), "GET", "/v1/records", As(revoked));
  EXPECT_EQ(r.status, 401);
  ASSERT_EQ(Node({"principal", "remove", "gone"}).code, 0);
  EXPECT_EQ(Http(serve.port(), "GET", "/v1/records", As(removed)).status, 401);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  HttpResult expired = Http(serve.port(), "GET", "/v1/records", As(expiring));
  EXPECT_EQ(expired.status, 401);
  // Every refusal reads the same: nothing tells which tokens exist.
  EXPECT_EQ(expired.body, r.body);
  EXPECT_EQ(Http(serve.port(), "GET", "/v1/records", As("aisafe_" + std::string(43, 'A'))).body, r.body);
  EXPECT_EQ(Http(serve.port(), "GET", "/v1/records", As("not-a-token")).status, 401);
  EXPECT_EQ(serve.Stop(), 0);
}

TEST_F(ApiTest, WriteRateLimitAnswers429WithRetryAfter) {
  Init();
  std::string analyst = Token("a1", "analyst");
  ServerConfig("token_write_rate = 1\ntoken_write_burst = 5");
  ServeProcess serve(data());
  ASSERT_GT(serve.port(), 0) << serve.Stderr();
  std::vector<std::string> docs = Lines(testing::Slurp(AISAFE_EXAMPLES));
  std::string four = docs[0] + "\n" + docs[1] + "\n" + docs[4] + "\n" + docs[5] + "\n";
  // More than the whole burst can never pass: 413, not a wait.
  std::string six = four + docs[7] + "\n" + docs[11] + "\n";
  EXPECT_EQ(Http(serve.port(), "POST", "/v1/records", As(analyst, six, "application/x-ndjson")).status, 413);
  EXPECT_EQ(Http(serve.port(), "POST", "/v1/records", As(analyst, four, "application/x-ndjson")).status, 201);
  HttpResult r = Http(serve.port(), "POST", "/v1/records", As(analyst, four, "application/x-ndjson"));
  EXPECT_EQ(r.status, 429) << r.body;
  EXPECT_GE(std::atoi(r.headers["retry-after"].c_str()), 1);
  // Reads are not limited.
  EXPECT_EQ(Http(serve.port(), "GET", "/v1/records", As(analyst)).status, 200);
  EXPECT_EQ(serve.Stop(), 0);
}

// A tiles client needs nothing but /log: the checkpoint verifies with the
// node's key, and the root recomputed from the entry bundles equals it and
// matches every hash tile.
TEST_F(ApiTest, TheLogReadThroughTileEndpointsAloneRecomputesTheCheckpointRoot) {
  Init();
  std::string admin = Token("root", "admin");
  std::string key = Node({"key"}).out;
  while (!key.empty() && key.back() == '\n') key.pop_back();
  ServeProcess serve(data());
  ASSERT_GT(serve.port(), 0);
  Json base = Json::parse(Lines(testing::Slurp(AISAFE_EXAMPLES))[0]);
  std::string batch;
  for (int i = 0; i < 600; ++i) {
    base["title"] = "generated record " + std::to_string(i);
    batch += base.dump() + "\n";
  }
  ASSERT_EQ(Http(serve.port(), "POST", "/v1/records", As(admin, batch, "application/x-ndjson")).status, 201);
  // The proof route signs the checkpoint that covers the newest record.
  HttpResult first = Http(serve.port(), "GET", "/v1/records?limit=1", As(admin));
  std::string newest = Json::parse(first.body)["records"][0]["id"];
  HttpResult proof = Http(serve.port(), "GET", "/v1/records/" + newest + "/proof", As(admin));
  ASSERT_EQ(proof.status, 200) << proof.body;

  HttpResult cp = Http(serve.port(), "GET", "/log/checkpoint");
  ASSERT_EQ(cp.status, 200);
  auto verifier = keys::ParseVerifierKey(key);
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  auto opened = log::OpenCheckpoint(cp.body, *verifier, "vn-nca");
  ASSERT_TRUE(opened.ok()) << opened.status();
  uint64_t size = opened->checkpoint.size;
  ASSERT_EQ(size, 600u);

  log::Reference ref;
  for (uint64_t tile = 0; tile * 256 < size; ++tile) {
    uint64_t width = std::min<uint64_t>(256, size - tile * 256);
    std::string suffix = width == 256 ? "" : ".p/" + std::to_string(width);
    std::string index = tile < 1000 ? (tile < 10 ? "00" : tile < 100 ? "0" : "") + std::to_string(tile) : "";
    HttpResult bundle = Http(serve.port(), "GET", "/log/tile/entries/" + index + suffix);
    ASSERT_EQ(bundle.status, 200) << index << suffix;
    HttpResult hashes = Http(serve.port(), "GET", "/log/tile/0/" + index + suffix);
    ASSERT_EQ(hashes.status, 200);
    ASSERT_EQ(hashes.body.size(), width * 32);
    EXPECT_EQ(hashes.headers["cache-control"], "public, max-age=31536000, immutable");
    size_t pos = 0;
    for (uint64_t i = 0; i < width; ++i) {
      ASSERT_LE(pos + 2, bundle.body.size());
      size_t len = (static_cast<uint8_t>(bundle.body[pos]) << 8) | static_cast<uint8_t>(bundle.body[pos + 1]);
      ASSERT_EQ(len, 32u);
      log::Hash leaf = log::LeafHash(bundle.body.substr(pos + 2, len));
      EXPECT_EQ(std::string(reinterpret_cast<const char*>(leaf.data()), 32), hashes.body.substr(i * 32, 32));
      ref.leaves.push_back(leaf);
      pos += 2 + len;
    }
    EXPECT_EQ(pos, bundle.body.size());
  }
  EXPECT_EQ(ref.Root(0, size), opened->checkpoint.root);
  // The level-1 tile holds the roots of the two full level-0 tiles.
  HttpResult level1 = Http(serve.port(), "GET", "/log/tile/1/000.p/2");
  ASSERT_EQ(level1.status, 200);
  for (int i = 0; i < 2; ++i) {
    log::Hash h = ref.Root(i * 256, (i + 1) * 256);
    EXPECT_EQ(level1.body.substr(i * 32, 32), std::string(reinterpret_cast<const char*>(h.data()), 32));
  }
  // Tiles beyond the tree, and malformed paths, are 404.
  EXPECT_EQ(Http(serve.port(), "GET", "/log/tile/0/003").status, 404);
  EXPECT_EQ(Http(serve.port(), "GET", "/log/tile/0/002").status, 404);  // Partial: only as .p/88.
  EXPECT_EQ(Http(serve.port(), "GET", "/log/tile/0/02").status, 404);
  EXPECT_EQ(serve.Stop(), 0);
}

// /openapi.json describes exactly the routes the server has, and each of
// them answers.
TEST_F(ApiTest, OpenApiDocumentMatchesTheRoutes) {
  Init();
  ServeProcess serve(data());
  ASSERT_GT(serve.port(), 0);
  HttpResult r = Http(serve.port(), "GET", "/openapi.json");
  ASSERT_EQ(r.status, 200);
  Json doc = Json::parse(r.body);
  EXPECT_EQ(doc["openapi"], "3.1.0");
  std::set<std::pair<std::string, std::string>> documented, routes;
  for (const auto& [path, ops] : doc["paths"].items()) {
    for (const auto& [method, op] : ops.items()) {
      std::string m = method;
      for (char& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert({m, path});
    }
  }
  for (const server::RouteInfo& route : server::Api::Routes()) routes.insert({route.method, route.path});
  EXPECT_EQ(documented, routes);
  for (const auto& [method, path] : routes) {
    std::string target = path;
    for (auto [param, value] : {std::pair<std::string, std::string>{"{id}", std::string(64, 'b')},
                                {"{level}", "0"},
                                {"{index}", "000.p/1"}}) {
      if (size_t at = target.find(param); at != std::string::npos) target.replace(at, param.size(), value);
    }
    HttpResult answer = Http(serve.port(), method, target, As("", method == "POST" ? "{}" : "", "application/json"));
    // Routes with parameters may 404 for an absent record or tile, but with
    // a problem of this route; none answers "method not allowed".
    EXPECT_NE(answer.status, 405) << method << " " << target;
    EXPECT_NE(answer.status, 0) << method << " " << target;
    if (path.find('{') == std::string::npos) {
      EXPECT_NE(answer.status, 404) << method << " " << target;
    }
  }
  // Unknown paths under the API answer 404 (the web application, when
  // served, takes the paths outside /v1, /log and /witness).
  EXPECT_EQ(Http(serve.port(), "GET", "/v1/nope").status, 404);
  EXPECT_EQ(serve.Stop(), 0);
}

TEST_F(ApiTest, MetricsCountRequestsAndReportTheLog) {
  Init();
  std::string admin = Token("root", "admin");
  ServeProcess serve(data());
  ASSERT_GT(serve.port(), 0);
  SubmitExamples(serve.port(), admin);
  Http(serve.port(), "GET", "/v1/records/" + std::string(64, 'c'));
  Http(serve.port(), "GET", "/v1/records/" + std::string(64, 'c'));
  HttpResult m = Http(serve.port(), "GET", "/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(m.body.find("aisafe_http_requests_total{method=\"GET\",route=\"/v1/records/{id}\",status=\"404\"} 2"),
            std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("aisafe_http_requests_total{method=\"POST\",route=\"/v1/records\",status=\"201\"} 1"),
            std::string::npos);
  EXPECT_NE(m.body.find("aisafe_log_size 42"), std::string::npos);
  EXPECT_NE(m.body.find("aisafe_records 42"), std::string::npos);
  EXPECT_NE(m.body.find("aisafe_http_request_duration_seconds_bucket{route=\"/v1/records\",le=\"+Inf\"}"),
            std::string::npos);
  EXPECT_NE(m.body.find("aisafe_store_errors_total 0"), std::string::npos);
  // Garbage on the wire is answered 400 and counted; others are unharmed.
  int fd = testing::ConnectLoopback(serve.port());
  ASSERT_GE(fd, 0);
  std::string junk = "NOT HTTP AT ALL\r\n\r\n";
  ASSERT_EQ(::send(fd, junk.data(), junk.size(), MSG_NOSIGNAL), static_cast<ssize_t>(junk.size()));
  char buf[512];
  ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  ::close(fd);
  ASSERT_GT(n, 12);
  EXPECT_EQ(std::string(buf, 12), "HTTP/1.1 400");
  EXPECT_EQ(Http(serve.port(), "GET", "/healthz").status, 200);
  EXPECT_EQ(serve.Stop(), 0);
}

TEST_F(ApiTest, ServesHttpsWithACertificateMadeNow) {
  Init();
  std::string cert = tmp_.Sub("cert.pem"), key = tmp_.Sub("key.pem");
  std::string cmd =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 "
      "-addext subjectAltName=IP:127.0.0.1 -keyout " +
      testing::Quote(key) + " -out " + testing::Quote(cert) + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  ServeProcess serve(data(), {"--tls-cert", cert, "--tls-key", key});
  ASSERT_GT(serve.port(), 0) << serve.Stderr();
  HttpOptions tls;
  tls.tls_ca_file = cert;
  HttpResult r = Http(serve.port(), "GET", "/healthz", tls);
  EXPECT_EQ(r.status, 200) << serve.Stderr();
  EXPECT_EQ(Http(serve.port(), "GET", "/healthz").status, 0);  // Plain HTTP gets no answer.
  EXPECT_EQ(serve.Stop(), 0);
}

// SIGTERM while batches are being submitted: every batch the server
// acknowledged is stored and logged after the restart; the process exits 0.
TEST_F(ApiTest, GracefulShutdownDuringBatchSubmitLosesNothingAcknowledged) {
  Init();
  std::string admin = Token("root", "admin");
  Json base = Json::parse(Lines(testing::Slurp(AISAFE_EXAMPLES))[0]);
  std::set<std::string> acknowledged;
  for (int round = 0; round < 3; ++round) {
    ServeProcess serve(data());
    ASSERT_GT(serve.port(), 0);
    std::atomic<bool> stop{false};
    std::mutex mu;
    std::vector<std::thread> clients;
    for (int c = 0; c < 4; ++c) {
      clients.emplace_back([&, c] {
        for (int b = 0; !stop && b < 50; ++b) {
          std::string batch;
          for (int i = 0; i < 200; ++i) {
            Json doc = base;
            doc["title"] = "r" + std::to_string(round) + " c" + std::to_string(c) + " b" + std::to_string(b) + " " +
                           std::to_string(i);
            batch += doc.dump() + "\n";
          }
          HttpResult r = Http(serve.port(), "POST", "/v1/records", As(admin, batch, "application/x-ndjson"));
          if (r.status == 0) break;  // The server is going away: nothing was acknowledged.
          EXPECT_EQ(r.status, 201) << r.body;
          if (r.status != 201) break;
          Json answer = Json::parse(r.body);
          std::lock_guard<std::mutex> lock(mu);
          for (const Json& rec : answer["records"]) acknowledged.insert(rec["id"]);
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + 200 * round));
    EXPECT_EQ(serve.Stop(), 0) << serve.Stderr();
    stop = true;
    for (auto& t : clients) t.join();
  }
  ASSERT_FALSE(acknowledged.empty());
  // Read back through a restarted server, page by page.
  std::set<std::string> stored;
  {
    ServeProcess serve(data());
    ASSERT_GT(serve.port(), 0);
    std::string cursor;
    for (int pages = 0; pages < 1000; ++pages) {
      HttpResult page =
          Http(serve.port(), "GET", "/v1/records?limit=1000" + (cursor.empty() ? "" : "&cursor=" + cursor), As(admin));
      ASSERT_EQ(page.status, 200) << page.body;
      Json j = Json::parse(page.body);
      for (const Json& item : j["records"]) stored.insert(item["id"].get<std::string>());
      cursor = j["next_cursor"];
      if (cursor.empty()) break;
    }
    EXPECT_EQ(serve.Stop(), 0);
  }
  for (const std::string& id : acknowledged) EXPECT_TRUE(stored.count(id)) << "acknowledged but lost: " << id;
  Result audit = Node({"log", "verify"});
  EXPECT_EQ(audit.code, 0) << audit.err;
}

}  // namespace
}  // namespace aisafe
