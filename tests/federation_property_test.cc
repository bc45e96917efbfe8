// The sharing rules as a property (issue 5): for random networks of three to
// five nodes — random rosters, random peerings (so records travel by relay
// too), records of every marking with random audiences — after syncing to a
// fixed point, every node holds exactly the set PRODUCT.md's table allows,
// computed here by a model that follows the table and nothing of the code
// but auth::MayFederate's signature. 200 cases, in four shards.
//
// The nodes are real: each has its own data directory, SQLite store and
// key, and serves the real API on 127.0.0.1 through the real HTTP server;
// the pullers speak HTTP to them and verify everything. They run in this
// process (not as `aisafe serve` processes, which the e2e test starts) so
// that 200 networks fit in the suite's time.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <random>
#include <set>

#include "auth/auth.h"
#include "federation/puller.h"
#include "nlohmann/json.hpp"
#include "node/node.h"
#include "node/submitter.h"
#include "server/api.h"
#include "server/http_server.h"
#include "tests/test_util.h"
#include "util/hex.h"

namespace aisafe {
namespace {

using Json = nlohmann::json;

constexpr int kCasesPerShard = 50;
const char* const kTlps[] = {"clear", "green", "amber", "amber+strict", "red"};

// An incident from the examples, as a template.
Json Template() {
  static const Json* tmpl = [] {
    std::ifstream in(AISAFE_EXAMPLES);
    std::string line;
    while (std::getline(in, line)) {
      Json doc = Json::parse(line, nullptr, false);
      if (doc.is_object() && doc["type"] == "incident") return new Json(std::move(doc));
    }
    return new Json();
  }();
  Json doc = *tmpl;
  doc.erase("audience");
  return doc;
}

struct ModelRecord {
  std::string id;
  std::string origin;
  records::Tlp tlp;
  std::vector<std::string> audience;
};

struct LiveNode {
  std::string name;
  std::unique_ptr<node::Node> node;
  std::unique_ptr<server::Api> api;
  std::unique_ptr<server::HttpServer> server;
};

class FederationProperty : public ::testing::TestWithParam<int> {};

TEST_P(FederationProperty, EveryNodeHoldsExactlyWhatTheRulesAllow) {
  for (int c = 0; c < kCasesPerShard; ++c) {
    uint64_t seed = static_cast<uint64_t>(GetParam()) * kCasesPerShard + static_cast<uint64_t>(c) + 1;
    SCOPED_TRACE(::testing::Message() << "case seed " << seed);
    std::mt19937_64 rng(seed);
    auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
    testing::TempDir tmp;
    size_t n = 3 + rng() % 3;
    std::vector<LiveNode> nodes(n);
    const char* countries[] = {"MY", "SG", "TH", "VN", "ID"};
    for (size_t i = 0; i < n; ++i) {
      nodes[i].name = std::string(countries[i]) + ".p" + std::to_string(seed);
      for (char& ch : nodes[i].name) ch = static_cast<char>(std::tolower(ch));
      auto node = node::Node::Init(tmp.Sub(nodes[i].name), nodes[i].name, countries[i]);
      ASSERT_TRUE(node.ok()) << node.status();
      nodes[i].node = std::move(*node);
      nodes[i].api = std::make_unique<server::Api>(nodes[i].node.get(), server::ApiOptions{});
      server::ServerOptions so;
      so.threads = 1;
      server::Api* api = nodes[i].api.get();
      auto srv = server::HttpServer::Start(so, [api](const server::Request& r) { return api->Handle(r); });
      ASSERT_TRUE(srv.ok()) << srv.status();
      nodes[i].server = std::move(*srv);
    }
    // Rosters and peerings. peers[x] = whom x pulls from.
    std::vector<std::set<size_t>> members(n), peers(n);
    for (size_t x = 0; x < n; ++x) {
      for (size_t y = 0; y < n; ++y) {
        if (x == y) continue;
        if (chance(0.5)) peers[x].insert(y);
        if (peers[x].count(y) || chance(0.6)) members[x].insert(y);
      }
    }
    for (size_t x = 0; x < n; ++x) {
      store::Store& s = nodes[x].node->store();
      for (size_t y : members[x]) {
        store::Member m{nodes[y].name, nodes[y].node->signer().verifier().Encode(), countries[y], 1};
        if (peers[x].count(y)) {
          store::Peer p;
          p.name = nodes[y].name;
          p.url = "http://127.0.0.1:" + std::to_string(nodes[y].server->port());
          ASSERT_TRUE(s.AddPeer(p, m).ok());
        } else {
          ASSERT_TRUE(s.AddMember(m).ok());
        }
      }
    }
    // Records: every marking, audiences naming nodes of the case and others.
    std::vector<ModelRecord> published;
    for (size_t x = 0; x < n; ++x) {
      size_t count = 2 + rng() % 5;
      std::vector<std::string> texts;
      std::vector<Json> docs;
      for (size_t k = 0; k < count; ++k) {
        Json doc = Template();
        std::string tlp = kTlps[rng() % 5];
        doc["tlp"] = tlp;
        doc["title"] = "record " + std::to_string(k) + " of " + nodes[x].name;
        if (tlp == "amber" || tlp == "amber+strict") {
          std::vector<std::string> audience;
          for (size_t y = 0; y < n; ++y) {
            if (y != x && chance(0.5)) audience.push_back(nodes[y].name);
          }
          if (audience.empty() || chance(0.2)) audience.push_back("elsewhere.example");
          doc["audience"] = audience;
        }
        texts.push_back(doc.dump());
        docs.push_back(doc);
      }
      std::vector<node::InputDoc> input;
      for (size_t k = 0; k < texts.size(); ++k) input.push_back({texts[k], k + 1});
      node::Submitter sub({.origin = nodes[x].name, .threads = 1}, &nodes[x].node->store(), &nodes[x].node->clock(),
                          &nodes[x].node->checkpoint_signer());
      auto ids = sub.Submit(input, "property");
      ASSERT_TRUE(ids.ok()) << ids.status();
      ASSERT_TRUE(nodes[x].node->store().Checkpoint(nodes[x].node->checkpoint_signer()).ok());
      for (size_t k = 0; k < ids->size(); ++k) {
        ModelRecord m{
            util::ToHex((*ids)[k].id), nodes[x].name, *records::ParseTlp(docs[k]["tlp"].get<std::string>()), {}};
        if (docs[k].contains("audience")) m.audience = docs[k]["audience"].get<std::vector<std::string>>();
        published.push_back(m);
      }
    }
    // The model: what each node must end up with, to a fixed point.
    std::vector<std::set<size_t>> model(n);  // Indexes into `published`.
    for (size_t r = 0; r < published.size(); ++r) {
      for (size_t x = 0; x < n; ++x) {
        if (published[r].origin == nodes[x].name) model[x].insert(r);
      }
    }
    auto index_of = [&](const std::string& name) {
      for (size_t i = 0; i < n; ++i) {
        if (nodes[i].name == name) return i;
      }
      return n;
    };
    for (bool changed = true; changed;) {
      changed = false;
      for (size_t x = 0; x < n; ++x) {
        for (size_t y : peers[x]) {
          std::optional<std::string_view> asker;
          if (members[y].count(x)) asker = nodes[x].name;
          for (size_t r : std::set<size_t>(model[y])) {
            const ModelRecord& m = published[r];
            size_t origin = index_of(m.origin);
            bool sent = auth::MayFederate(m.tlp, m.audience, m.origin, nodes[y].name, asker);
            bool accepted = origin == y || members[x].count(origin) > 0;
            if (sent && accepted && model[x].insert(r).second) changed = true;
          }
        }
      }
    }
    // The real network, to a fixed point.
    for (int round = 0; round < 8; ++round) {
      uint64_t received = 0;
      for (size_t x = 0; x < n; ++x) {
        federation::Puller puller(nodes[x].node.get(), {});
        for (const auto& report : puller.SyncAll()) {
          EXPECT_TRUE(report.status.ok()) << nodes[x].name << " <- " << report.peer << ": " << report.status;
          for (const auto& p : report.problems) ADD_FAILURE() << p;
          received += report.received;
        }
      }
      if (received == 0) break;
    }
    for (size_t x = 0; x < n; ++x) {
      std::set<std::string> want, have;
      for (size_t r : model[x]) want.insert(published[r].id);
      auto rows = nodes[x].node->store().ListByLogIndex(0, 100000);
      ASSERT_TRUE(rows.ok());
      for (const auto& row : *rows) have.insert(util::ToHex(row.id));
      EXPECT_EQ(have, want) << nodes[x].name;
    }
    for (auto& live : nodes) live.server->Shutdown(absl::Seconds(5));
    if (HasFailure()) return;
  }
}

INSTANTIATE_TEST_SUITE_P(Shards, FederationProperty, ::testing::Range(0, 4));

}  // namespace
}  // namespace aisafe
