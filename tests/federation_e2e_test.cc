// End to end: federation between real `aisafe serve` processes on
// 127.0.0.1 (issue 5): senders that lie (through a tampering proxy or an
// edited database), a split view shown by two processes sharing one node's
// name and key, a sender killed mid-pull, and `aisafe demo`.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <functional>
#include <set>
#include <thread>

#include "auth/auth.h"
#include "federation/feed.h"
#include "federation/http_client.h"
#include "federation/http_signature.h"
#include "keys/keys.h"
#include "log/checkpoint.h"
#include "log/note.h"
#include "nlohmann/json.hpp"
#include "server/http_server.h"
#include "tests/http_client.h"
#include "util/base64.h"
#include "util/hex.h"

namespace aisafe {
namespace {

using Json = nlohmann::json;
using testing::Http;
using testing::HttpOptions;
using testing::HttpResult;
using testing::Result;
using testing::ServeProcess;

// Reads a node's store directly (read-only SQLite), as an auditor would.
struct StoredRow {
  std::string id_hex, origin, tlp, canonical;
};
std::vector<StoredRow> ReadRecords(const std::string& dir) {
  std::vector<StoredRow> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2((dir + "/store.sqlite").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return out;
  }
  sqlite3_busy_timeout(db, 10000);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "SELECT lower(hex(id)), origin, tlp, canonical FROM records ORDER BY log_index", -1, &s,
                     nullptr);
  while (s && sqlite3_step(s) == SQLITE_ROW) {
    auto col = [&](int i) {
      const void* p = sqlite3_column_blob(s, i);
      return p ? std::string(static_cast<const char*>(p), sqlite3_column_bytes(s, i)) : std::string();
    };
    out.push_back({col(0), col(1), col(2), col(3)});
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

size_t CountRecords(const std::string& dir) { return ReadRecords(dir).size(); }

std::set<std::string> Ids(const std::vector<StoredRow>& rows) {
  std::set<std::string> out;
  for (const auto& r : rows) out.insert(r.id_hex);
  return out;
}

std::vector<std::string> AudienceOf(const StoredRow& r) {
  std::vector<std::string> out;
  Json doc = Json::parse(r.canonical, nullptr, false);
  if (doc.is_object() && doc.contains("audience")) {
    for (const Json& a : doc["audience"]) out.push_back(a.get<std::string>());
  }
  return out;
}

Json IncidentTemplate() {
  std::string all = testing::Slurp(AISAFE_EXAMPLES);
  std::stringstream in(all);
  std::string line;
  while (std::getline(in, line)) {
    Json doc = Json::parse(line, nullptr, false);
    if (doc.is_object() && doc["type"] == "incident") return doc;
  }
  return Json();
}

std::string Doc(const std::string& tlp, const std::vector<std::string>& audience, const std::string& title) {
  Json doc = IncidentTemplate();
  doc["tlp"] = tlp;
  doc.erase("audience");
  if (!audience.empty()) doc["audience"] = audience;
  doc["title"] = title;
  return doc.dump();
}

class FederationTest : public testing::CliFixture {
 protected:
  std::string Dir(const std::string& name) { return tmp_.Sub(name); }
  Result At(const std::string& name, std::vector<std::string> args, const std::string& in = "") {
    args.insert(args.begin(), {"--data", Dir(name)});
    return Run(args, in);
  }
  void InitNode(const std::string& name, const std::string& cc) {
    Result r = At(name, {"init", "--name", name, "--country", cc});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  std::string Key(const std::string& name) {
    Result r = At(name, {"key"});
    EXPECT_EQ(r.code, 0) << r.err;
    std::string k = r.out;
    while (!k.empty() && (k.back() == '\n' || k.back() == ' ')) k.pop_back();
    return k;
  }
  void Submit(const std::string& name, const std::vector<std::string>& docs) {
    std::string in;
    for (const auto& d : docs) in += d + "\n";
    Result r = At(name, {"submit", "-"}, in);
    ASSERT_EQ(r.code, 0) << r.err;
  }
  void AddMember(const std::string& at, const std::string& who, const std::string& cc = "SG") {
    Result r = At(at, {"member", "add", who, Key(who), "--country", cc});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  void AddPeer(const std::string& at, const std::string& who, const std::string& url, const std::string& key = "") {
    Result r = At(at, {"peer", "add", who, url, key.empty() ? Key(who) : key});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  static std::string Url(uint16_t port) { return "http://127.0.0.1:" + std::to_string(port); }
};

// --------------------------------------------------------------- proxy

// An HTTP server in front of a real node that lets a test rewrite what the
// node answers: a sender that lies. `sign_as`, when set, re-signs each
// request with another node's key (the proxy then asks as that node).
class TamperingProxy {
 public:
  using Tamper = std::function<void(Json& page)>;
  TamperingProxy(uint16_t upstream, Tamper tamper, const keys::Signer* sign_as = nullptr)
      : upstream_(upstream), tamper_(std::move(tamper)), sign_as_(sign_as) {
    server::ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 1;
    auto s = server::HttpServer::Start(o, [this](const server::Request& r) { return Handle(r); });
    if (s.ok()) server_ = std::move(*s);
  }
  ~TamperingProxy() {
    if (server_) server_->Shutdown(absl::Seconds(5));
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_ ? server_->port() : 0); }

 private:
  server::Response Handle(const server::Request& req) {
    federation::HttpClient client(*federation::ParseUrl("http://127.0.0.1:" + std::to_string(upstream_)), {});
    federation::ClientRequest out;
    out.method = req.method;
    out.target = req.target;
    out.body = req.body;
    if (sign_as_ != nullptr) {
      std::string path = req.target.substr(0, req.target.find('?'));
      auto h = federation::SignRequest(*sign_as_, req.method, path, req.query, absl::Now());
      out.headers = {{"Date", h.date}, {"Signature-Input", h.signature_input}, {"Signature", h.signature}};
    } else {
      for (const char* name : {"date", "signature-input", "signature", "content-type"}) {
        if (auto v = req.Header(name)) out.headers.emplace_back(name, std::string(*v));
      }
    }
    server::Response r;
    auto resp = client.Send(out);
    if (!resp.ok()) {
      r.status = 502;
      return r;
    }
    r.status = resp->status;
    r.body = resp->body;
    r.headers = {{"Content-Type", "application/json"}};
    if (req.path == "/v1/federation/feed" && resp->status == 200) {
      Json page = Json::parse(r.body);
      tamper_(page);
      r.body = page.dump();
    }
    return r;
  }

  uint16_t upstream_;
  Tamper tamper_;
  const keys::Signer* sign_as_;
  std::unique_ptr<server::HttpServer> server_;
};

// A sender sg.test with green, clear and amber records; a receiver
// my.test pulling from it (directly or through a proxy); vn.test in the
// amber record's audience; th.test an origin sg.test pulls from.
class LyingSenderTest : public FederationTest {
 protected:
  void SetUp() override {
    for (auto [n, cc] : {std::pair{"sg.test", "SG"}, {"my.test", "MY"}, {"vn.test", "VN"}, {"th.test", "TH"}}) {
      InitNode(n, cc);
    }
    AddMember("sg.test", "my.test", "MY");
    AddMember("sg.test", "vn.test", "VN");
    AddMember("th.test", "sg.test", "SG");
    AddMember("my.test", "th.test", "TH");
    Submit("sg.test", {Doc("green", {}, "lie-target-title"), Doc("green", {}, "green two"),
                       Doc("clear", {}, "clear one"), Doc("amber", {"vn.test"}, "amber for vn only")});
    Submit("th.test", {Doc("amber", {"sg.test"}, "th amber for sg")});
    sender_ = std::make_unique<ServeProcess>(Dir("sg.test"), std::vector<std::string>{"--sync-interval", "0"});
    ASSERT_NE(sender_->port(), 0);
  }
  // One sync of my.test from sg.test at `url`; expects a refusal naming
  // `reason` and nothing kept.
  void ExpectRefused(const std::string& url, const std::string& reason) {
    AddPeer("my.test", "sg.test", url);
    Result r = At("my.test", {"sync", "sg.test"});
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.err.find(reason), std::string::npos) << r.err;
    EXPECT_EQ(CountRecords(Dir("my.test")), 0u) << "a refused page must leave nothing behind";
    Result list = At("my.test", {"peer", "list"});
    EXPECT_NE(list.out.find("error: page refused"), std::string::npos) << list.out;
  }
  keys::Signer KeyOf(const std::string& name) {
    auto k = keys::Signer::Parse(Trim(testing::Slurp(Dir(name) + "/node.key")));
    EXPECT_TRUE(k.ok());
    return *k;
  }
  std::unique_ptr<ServeProcess> sender_;
};

TEST_F(LyingSenderTest, HonestSenderIsAcceptedWithExactlyWhatTheRulesAllow) {
  AddPeer("my.test", "sg.test", Url(sender_->port()));
  Result r = At("my.test", {"sync"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::set<std::string> tlps;
  for (const auto& row : ReadRecords(Dir("my.test"))) tlps.insert(row.tlp);
  EXPECT_EQ(CountRecords(Dir("my.test")), 3u);  // Two green, one clear; not the amber for vn.test.
  EXPECT_EQ(tlps, (std::set<std::string>{"clear", "green"}));
  // Repeating a round stores nothing twice.
  r = At("my.test", {"sync"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(CountRecords(Dir("my.test")), 3u);
  EXPECT_EQ(At("my.test", {"log", "verify"}).code, 0);
}

TEST_F(LyingSenderTest, RecordAlteredInTheSendersDatabaseIsRefused) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((Dir("sg.test") + "/store.sqlite").c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  char* err = nullptr;
  ASSERT_EQ(sqlite3_exec(db,
                         "UPDATE records SET canonical = CAST(replace(CAST(canonical AS TEXT), 'lie-target-title', "
                         "'lie-target-TITLE') AS BLOB) WHERE instr(canonical, 'lie-target-title') > 0",
                         nullptr, nullptr, &err),
            SQLITE_OK)
      << (err ? err : "");
  EXPECT_EQ(sqlite3_changes(db), 1);
  sqlite3_close(db);
  ExpectRefused(Url(sender_->port()), "is not in sg.test's log");
  // The serve loop refuses it too, logs why and counts it in /metrics.
  ServeProcess receiver(Dir("my.test"), {"--sync-interval", "100"});
  bool counted = false;
  for (int i = 0; i < 300 && !counted; ++i) {
    HttpResult m = Http(receiver.port(), "GET", "/metrics");
    counted =
        m.body.find("aisafe_federation_pages_rejected_total{peer=\"sg.test\",reason=\"proof\"}") != std::string::npos;
    if (!counted) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(counted);
  EXPECT_EQ(receiver.Stop(), 0);
  EXPECT_NE(receiver.Stderr().find("\"event\":\"federation_page_rejected\""), std::string::npos) << receiver.Stderr();
  EXPECT_EQ(CountRecords(Dir("my.test")), 0u);
}

TEST_F(LyingSenderTest, ProofOfAnotherRecordIsRefused) {
  TamperingProxy proxy(sender_->port(), [](Json& page) {
    ASSERT_GE(page["entries"].size(), 2u);
    std::swap(page["entries"][0]["proof"], page["entries"][1]["proof"]);
  });
  ExpectRefused(proxy.url(), "is not in sg.test's log");
}

TEST_F(LyingSenderTest, CheckpointSignedByAnotherKeyIsRefused) {
  keys::Signer impostor = keys::Signer::Generate("sg.test");
  TamperingProxy proxy(sender_->port(), [&](Json& page) {
    auto note = log::ParseNote(page["checkpoint"].get<std::string>());
    ASSERT_TRUE(note.ok());
    auto cp = log::ParseCheckpoint(note->text);
    ASSERT_TRUE(cp.ok());
    page["checkpoint"] = log::SignCheckpoint(*cp, impostor);
  });
  ExpectRefused(proxy.url(), "/checkpoint: ");
}

TEST_F(LyingSenderTest, RecordSentOutsideItsAudienceIsRefused) {
  // The proxy asks as vn.test, which may receive the amber record, and
  // hands the page to my.test, which may not.
  keys::Signer vn = KeyOf("vn.test");
  TamperingProxy proxy(
      sender_->port(), [](Json&) {}, &vn);
  ExpectRefused(proxy.url(), "this node is not in the record's audience");
}

TEST_F(LyingSenderTest, RelayedAmberRecordIsRefused) {
  // sg.test holds th.test's amber record (it is in its audience); the proxy
  // relays it to my.test with th.test's genuine proof and checkpoint.
  ServeProcess origin(Dir("th.test"), {"--sync-interval", "0"});
  AddPeer("sg.test", "th.test", Url(origin.port()));
  Result pulled = At("sg.test", {"sync", "th.test"});
  ASSERT_EQ(pulled.code, 0) << pulled.err;
  keys::Signer sg = KeyOf("sg.test");
  federation::HttpClient th(*federation::ParseUrl(Url(origin.port())), {});
  auto h = federation::SignRequest(sg, "GET", "/v1/federation/feed", "to=th.test", absl::Now());
  auto resp = th.Send({"GET",
                       "/v1/federation/feed?to=th.test",
                       {{"Date", h.date}, {"Signature-Input", h.signature_input}, {"Signature", h.signature}},
                       ""});
  ASSERT_TRUE(resp.ok());
  Json th_page = Json::parse(resp->body);
  ASSERT_EQ(th_page["entries"].size(), 1u);
  Json amber = th_page["entries"][0];
  ASSERT_EQ(amber["record"]["tlp"], "amber");
  TamperingProxy proxy(sender_->port(), [&](Json& page) {
    page["origin_checkpoints"].push_back(th_page["checkpoint"]);
    uint64_t last = page["entries"].back()["index"].get<uint64_t>();
    page["entries"].push_back({{"index", last + 1},
                               {"record", amber["record"]},
                               {"relay",
                                {{"checkpoint", page["origin_checkpoints"].size() - 1},
                                 {"index", amber["index"]},
                                 {"proof", amber["proof"]}}}});
  });
  ExpectRefused(proxy.url(), "amber records are never relayed");
}

TEST_F(LyingSenderTest, SenderOfAnotherNameIsRefusedAndUnsignedAskersGetClearOnly) {
  // Asked anonymously, the honest sender serves only the clear record.
  HttpResult anon = Http(sender_->port(), "GET", "/v1/federation/feed");
  ASSERT_EQ(anon.status, 200) << anon.body;
  Json page = Json::parse(anon.body);
  ASSERT_EQ(page["entries"].size(), 1u);
  EXPECT_EQ(page["entries"][0]["record"]["tlp"], "clear");
  // A bad signature by a member is refused, not downgraded.
  keys::Signer my = KeyOf("my.test");
  auto h = federation::SignRequest(my, "GET", "/v1/federation/feed", "limit=5&to=sg.test", absl::Now());
  HttpOptions o;
  o.headers = {{"Date", h.date}, {"Signature-Input", h.signature_input}, {"Signature", h.signature}};
  HttpResult bad = Http(sender_->port(), "GET", "/v1/federation/feed?limit=6&to=sg.test", o);
  EXPECT_EQ(bad.status, 401) << bad.body;
  HttpResult good = Http(sender_->port(), "GET", "/v1/federation/feed?limit=5&to=sg.test", o);
  EXPECT_EQ(good.status, 200) << good.body;
  EXPECT_EQ(Json::parse(good.body)["entries"].size(), 3u);
  HttpResult replay = Http(sender_->port(), "GET", "/v1/federation/feed?limit=5&to=sg.test", o);
  EXPECT_EQ(replay.status, 401) << replay.body;
  // A request signed for another node cannot be replayed here.
  auto other = federation::SignRequest(my, "GET", "/v1/federation/feed", "to=vn.test", absl::Now());
  HttpOptions o2;
  o2.headers = {{"Date", other.date}, {"Signature-Input", other.signature_input}, {"Signature", other.signature}};
  HttpResult elsewhere = Http(sender_->port(), "GET", "/v1/federation/feed?to=vn.test", o2);
  EXPECT_EQ(elsewhere.status, 401) << elsewhere.body;
  EXPECT_NE(elsewhere.body.find("\"parameter\":\"to\""), std::string::npos) << elsewhere.body;
  // A peer whose page names another sender.
  TamperingProxy proxy(sender_->port(), [](Json& p) { p["sender"] = "vn.test"; });
  ExpectRefused(proxy.url(), "not the peer");
}

// ----------------------------------------------------------- split view

TEST_F(FederationTest, SplitViewIsFoundOnceThePeersExchangeCheckpoints) {
  // th.split runs twice, with one name and key but different records.
  InitNode("th.split", "TH");
  std::filesystem::copy(Dir("th.split"), Dir("th.split.twin"), std::filesystem::copy_options::recursive);
  InitNode("my.split", "MY");
  InitNode("sg.split", "SG");
  for (const char* a : {"th.split", "th.split.twin"}) {
    for (const char* who : {"my.split", "sg.split"}) {
      Result r = At(a, {"member", "add", who, Key(who), "--country", "SG"});
      ASSERT_EQ(r.code, 0) << r.err;
    }
  }
  Submit("th.split", {Doc("green", {}, "one"), Doc("green", {}, "two"), Doc("green", {}, "three")});
  Submit("th.split.twin", {Doc("green", {}, "uno"), Doc("green", {}, "dos"), Doc("green", {}, "tres"),
                           Doc("green", {}, "cuatro"), Doc("green", {}, "cinco")});
  ServeProcess a1(Dir("th.split"), {"--sync-interval", "0"});
  ServeProcess a2(Dir("th.split.twin"), {"--sync-interval", "0"});
  ServeProcess b(Dir("my.split"), {"--sync-interval", "0"});
  ServeProcess c(Dir("sg.split"), {"--sync-interval", "0"});
  std::string th_key = Key("th.split");
  AddPeer("my.split", "th.split", Url(a1.port()), th_key);
  AddPeer("sg.split", "th.split", Url(a2.port()), th_key);
  AddPeer("my.split", "sg.split", Url(c.port()));
  AddPeer("sg.split", "my.split", Url(b.port()));
  ASSERT_EQ(At("my.split", {"sync", "th.split"}).code, 0);
  ASSERT_EQ(At("sg.split", {"sync", "th.split"}).code, 0);
  // Each saw a consistent history so far. Now they pull from each other.
  Result rb = At("my.split", {"sync", "sg.split"});
  Result rc = At("sg.split", {"sync", "my.split"});
  EXPECT_EQ(rb.code, 1) << rb.err;
  EXPECT_EQ(rc.code, 1) << rc.err;
  EXPECT_NE(rb.err.find("split view of th.split"), std::string::npos) << rb.err;
  EXPECT_NE(rc.err.find("split view of th.split"), std::string::npos) << rc.err;
  for (const char* n : {"my.split", "sg.split"}) {
    Result list = At(n, {"peer", "list"});
    EXPECT_NE(list.out.find("SPLIT VIEW"), std::string::npos) << n << ": " << list.out;
    EXPECT_NE(list.err.find("ALERT: split view of th.split"), std::string::npos) << list.err;
    // Nothing of the other history was kept: the receiver holds its own
    // side's three or five records and no more.
    std::set<std::string> origins;
    size_t th = 0;
    for (const auto& row : ReadRecords(Dir(n))) th += row.origin == "th.split";
    EXPECT_EQ(th, std::string(n) == "my.split" ? 3u : 5u) << n;
  }
  // The API and /metrics show it; pulls from th.split stop until cleared.
  Result tok = At("my.split", {"principal", "add", "ana", "--role", "analyst"});
  ASSERT_EQ(tok.code, 0);
  std::string token = Trim(At("my.split", {"token", "create", "ana"}).out);
  HttpOptions auth;
  auth.headers = {{"Authorization", "Bearer " + token}};
  HttpResult status = Http(b.port(), "GET", "/v1/federation/status", auth);
  ASSERT_EQ(status.status, 200) << status.body;
  Json st = Json::parse(status.body);
  ASSERT_EQ(st["split_views"].size(), 1u) << status.body;
  EXPECT_EQ(st["split_views"][0]["origin"], "th.split");
  EXPECT_TRUE(st["split_views"][0]["cleared"].is_null());
  EXPECT_NE(Http(b.port(), "GET", "/metrics").body.find("aisafe_split_view_alerts 1"), std::string::npos);
  Result again = At("my.split", {"sync", "th.split"});
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.err.find("until a human clears it"), std::string::npos) << again.err;
  int64_t id = st["split_views"][0]["id"];
  Result clear = At("my.split", {"peer", "clear", std::to_string(id), "--by", "duty officer"});
  EXPECT_EQ(clear.code, 0) << clear.err;
  EXPECT_NE(Http(b.port(), "GET", "/metrics").body.find("aisafe_split_view_alerts 0"), std::string::npos);
  // Cleared, th.split is pulled again (trusted afresh) ...
  Result resumed = At("my.split", {"sync", "th.split"});
  EXPECT_EQ(resumed.code, 0) << resumed.err;
  // ... and the same contradiction, seen again, reopens the alert.
  Result seen_again = At("my.split", {"sync", "sg.split"});
  EXPECT_EQ(seen_again.code, 1) << seen_again.err;
  EXPECT_NE(Http(b.port(), "GET", "/metrics").body.find("aisafe_split_view_alerts 1"), std::string::npos);
}

// ------------------------------------------------------ add-checkpoint

TEST_F(FederationTest, WitnessEndpointFollowsC2spTlogWitness) {
  InitNode("th.log", "TH");
  InitNode("sg.witness", "SG");
  AddMember("sg.witness", "th.log", "TH");
  Submit("th.log", {Doc("clear", {}, "a"), Doc("clear", {}, "b")});
  ServeProcess origin(Dir("th.log"), {"--sync-interval", "0"});
  ServeProcess witness(Dir("sg.witness"), {"--sync-interval", "0"});
  auto post = [&](const std::string& body) {
    HttpOptions o;
    o.body = body;
    o.headers = {{"Content-Type", "text/plain"}};
    return Http(witness.port(), "POST", "/witness/add-checkpoint", o);
  };
  std::string cp2 = Http(origin.port(), "GET", "/log/checkpoint").body;
  ASSERT_NE(cp2.find("th.log\n2\n"), std::string::npos) << cp2;
  // First contact: old 0, no proof.
  HttpResult first = post("old 0\n\n" + cp2);
  ASSERT_EQ(first.status, 200) << first.body;
  auto cosigned = log::OpenCheckpoint(
      cp2 + first.body, *keys::ParseVerifierKey(Key("th.log")), "th.log", std::vector<keys::Verifier>{[&] {
        auto signer = keys::Signer::Parse(Trim(testing::Slurp(Dir("sg.witness") + "/node.key")));
        return signer->cosignature_verifier();
      }()});
  ASSERT_TRUE(cosigned.ok()) << cosigned.status();
  EXPECT_EQ(cosigned->cosigned_by.size(), 1u);
  // A stale old size: 409 with the witnessed size.
  HttpResult stale = post("old 1\n\n" + cp2);
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(stale.headers["content-type"], "text/x.tlog.size");
  EXPECT_EQ(stale.body, "2\n");
  // The log grows; a consistency proof from 2 is accepted, a wrong one is 422.
  Submit("th.log", {Doc("clear", {}, "c"), Doc("clear", {}, "d"), Doc("clear", {}, "e")});
  std::string cp5 = Http(origin.port(), "GET", "/log/checkpoint").body;
  ASSERT_NE(cp5.find("th.log\n5\n"), std::string::npos) << cp5;
  Json proof = Json::parse(Http(origin.port(), "GET", "/v1/federation/consistency?old=2&new=5").body);
  std::string lines;
  for (const Json& h : proof["proof"]) lines += util::Base64Encode(*util::FromHex(h.get<std::string>())) + "\n";
  std::string wrong = lines;
  wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
  EXPECT_EQ(post("old 2\n" + wrong + "\n" + cp5).status, 422);
  EXPECT_EQ(post("old 2\n" + lines + "\n" + cp5).status, 200);
  // The witness view serves what it cosigned.
  Json view = Json::parse(Http(witness.port(), "GET", "/v1/federation/witness").body);
  ASSERT_EQ(view["checkpoints"].size(), 1u);
  EXPECT_EQ(view["checkpoints"][0]["size"], 5);
  // Unknown origins are 404; a note signed by another key is 403; junk is 400.
  keys::Signer other = keys::Signer::Generate("vn.unknown");
  log::Checkpoint body{"vn.unknown", 0, log::EmptyRoot(), {}};
  EXPECT_EQ(post("old 0\n\n" + log::SignCheckpoint(body, other)).status, 404);
  keys::Signer impostor = keys::Signer::Generate("th.log");
  auto parsed = log::ParseCheckpoint(log::ParseNote(cp5)->text);
  EXPECT_EQ(post("old 5\n\n" + log::SignCheckpoint(*parsed, impostor)).status, 403);
  EXPECT_EQ(post("old five\n\n" + cp5).status, 400);
  EXPECT_EQ(post("old 9\n\n" + cp5).status, 400);
}

// --------------------------------------------------------- interruption

TEST_F(FederationTest, SenderKilledMidPullResumesToTheSameSet) {
  InitNode("sg.kill", "SG");
  InitNode("my.kill", "MY");
  InitNode("vn.kill", "VN");
  AddMember("sg.kill", "my.kill", "MY");
  AddMember("sg.kill", "vn.kill", "VN");
  std::vector<std::string> docs;
  for (int i = 0; i < 3000; ++i) docs.push_back(Doc(i % 3 ? "green" : "clear", {}, "bulk " + std::to_string(i)));
  Submit("sg.kill", docs);
  auto sender = std::make_unique<ServeProcess>(Dir("sg.kill"), std::vector<std::string>{"--sync-interval", "0"});
  uint16_t port = sender->port();
  AddPeer("my.kill", "sg.kill", Url(port));
  // Pull in small pages in the background; kill -9 the sender as soon as
  // the first pages are stored.
  std::string cmd = testing::Quote(AISAFE_BINARY) + " --data " + testing::Quote(Dir("my.kill")) +
                    " sync --page 20 >/dev/null 2>" + testing::Quote(tmp_.Sub("sync.err"));
  std::thread pull([&] { (void)std::system(cmd.c_str()); });
  size_t seen = 0;
  for (int i = 0; i < 20000 && seen == 0; ++i) {
    seen = CountRecords(Dir("my.kill"));
    if (seen == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::kill(sender->pid(), SIGKILL);
  pull.join();
  size_t interrupted = CountRecords(Dir("my.kill"));
  EXPECT_GT(interrupted, 0u);
  EXPECT_LT(interrupted, 3000u) << "the pull finished before the sender was killed";
  EXPECT_EQ(interrupted % 20, 0u) << "pages are stored whole";
  sender.reset();
  // Restarted on the same address, the sender is pulled to the end.
  ServeProcess restarted(Dir("sg.kill"), {"--sync-interval", "0"}, "127.0.0.1:" + std::to_string(port));
  ASSERT_EQ(restarted.port(), port);
  Result resumed = At("my.kill", {"sync", "--page", "20"});
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  // An uninterrupted pull by another node gets the same set.
  AddPeer("vn.kill", "sg.kill", Url(port));
  ASSERT_EQ(At("vn.kill", {"sync"}).code, 0);
  auto a = ReadRecords(Dir("my.kill"));
  EXPECT_EQ(a.size(), 3000u);
  EXPECT_EQ(Ids(a), Ids(ReadRecords(Dir("vn.kill"))));
  EXPECT_EQ(Ids(a), Ids(ReadRecords(Dir("sg.kill"))));
  EXPECT_EQ(At("my.kill", {"log", "verify"}).code, 0);
}

// ----------------------------------------------------------------- demo

TEST_F(FederationTest, DemoNodesHoldExactlyWhatTheRulesAllow) {
  Result demo = Run({"demo", "--exit", "--dir", tmp_.Sub("demo"), "--records", "40"});
  ASSERT_EQ(demo.code, 0) << demo.err;
  std::vector<std::string> names = {"my.demo.aisafe", "sg.demo.aisafe", "th.demo.aisafe"};
  std::map<std::string, std::vector<StoredRow>> held;
  for (const auto& n : names) {
    held[n] = ReadRecords(tmp_.Sub("demo") + "/" + n);
    EXPECT_NE(demo.out.find(n + "\thttp://127.0.0.1:"), std::string::npos) << demo.out;
  }
  size_t amber_received = 0;
  for (const auto& x : names) {
    std::set<std::string> expected;
    for (const auto& [origin, rows] : held) {
      for (const auto& r : rows) {
        if (r.origin != origin) continue;  // Each node's own records, as published.
        if (origin == x || auth::MayFederate(*records::ParseTlp(r.tlp), AudienceOf(r), origin, origin, x)) {
          expected.insert(r.id_hex);
        }
        if (origin != x && r.tlp == "amber" && expected.count(r.id_hex)) ++amber_received;
      }
    }
    EXPECT_EQ(Ids(held[x]), expected) << x;
  }
  EXPECT_GT(amber_received, 0u) << "the demo shows amber records reaching their audience";
}

}  // namespace
}  // namespace aisafe
