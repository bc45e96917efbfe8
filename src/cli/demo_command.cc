// demo: a three-node network on loopback (Malaysia, Singapore, Thailand),
// each node a real `aisafe serve` process with its own data directory,
// loaded with the example records and generated ones, peered with the
// others and synced (issue 5; README "Quick start").
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <random>
#include <thread>
#include <tuple>

#include "auth/auth.h"
#include "cli/command.h"
#include "federation/puller.h"
#include "nlohmann/json.hpp"
#include "node/access.h"
#include "node/node.h"
#include "node/submitter.h"
#include "util/clock.h"
#include "util/strings.h"

extern char** environ;

namespace aisafe::cli {

// examples/records.jsonl, compiled in (demo_records.cc, generated).
extern const char* const kDemoRecords;

namespace {

using Json = nlohmann::json;

struct DemoNode {
  std::string name;
  std::string country;
  std::string prefix;  // Audience names in the examples that mean this node ("my-").
  std::string dir;
  std::string url;
  std::string token;              // demo-admin's.
  std::string analyst_token;      // demo-analyst's.
  std::string contributor_token;  // demo-contributor's.
  pid_t pid = -1;
  int out_fd = -1;
};

// The example audiences name real agencies ("sg-aisi"); in the demo each
// member state has one node, so a name stands for its country's node.
void MapAudience(Json& doc, const std::vector<DemoNode>& nodes, size_t self) {
  if (!doc.contains("audience")) return;
  std::vector<std::string> mapped;
  for (const Json& a : doc["audience"]) {
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (a.is_string() && a.get<std::string>().starts_with(nodes[i].prefix) &&
          std::find(mapped.begin(), mapped.end(), nodes[i].name) == mapped.end()) {
        mapped.push_back(nodes[i].name);
      }
    }
  }
  if (mapped.empty() || (mapped.size() == 1 && mapped[0] == nodes[self].name)) {
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (i != self) mapped.push_back(nodes[i].name);
    }
  }
  doc["audience"] = mapped;
}

// The documents node `self` publishes: its share of the examples (by the
// countries they concern) and `generated` more made from them, dated over
// the 90 days before `now` so the dashboard's trend has a shape.
std::vector<std::string> DemoDocuments(const std::vector<DemoNode>& nodes, size_t self, size_t generated,
                                       absl::Time now) {
  std::vector<Json> examples;
  std::string_view all(kDemoRecords);
  size_t pos = 0;
  while (pos < all.size()) {
    size_t eol = all.find('\n', pos);
    std::string_view line = all.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    pos = eol == std::string_view::npos ? all.size() : eol + 1;
    Json doc = Json::parse(line, nullptr, false);
    if (doc.is_object()) examples.push_back(std::move(doc));
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < examples.size(); ++i) {
    Json doc = examples[i];
    size_t owner = i % nodes.size();
    auto countries = doc.find("countries");
    for (size_t n = 0; n < nodes.size() && countries != doc.end() && countries->is_array(); ++n) {
      for (const Json& c : *countries) {
        if (c.is_string() && c.get_ref<const std::string&>() == nodes[n].country) owner = n;
      }
    }
    if (owner != self) continue;
    MapAudience(doc, nodes, self);
    out.push_back(doc.dump());
  }
  std::mt19937_64 rng(0xA15AFE + self);
  const char* markings[] = {"clear", "clear", "clear", "green", "green", "green", "amber", "amber+strict", "red"};
  for (size_t i = 0; i < generated && !examples.empty(); ++i) {
    Json doc = examples[rng() % examples.size()];
    std::string tlp = markings[rng() % std::size(markings)];
    doc["tlp"] = tlp;
    doc.erase("audience");
    if (tlp == "amber" || tlp == "amber+strict") {
      Json audience = Json::array();
      for (size_t n = 0; n < nodes.size(); ++n) {
        if (n != self && (audience.empty() || rng() % 2)) audience.push_back(nodes[n].name);
      }
      doc["audience"] = audience;
    }
    if (doc.contains("title")) {
      doc["title"] = util::StrCat(doc["title"].get<std::string>(), " (", nodes[self].country, " #", i + 1, ")");
    }
    // More recent days get more records: a rising trend, as a young network has.
    double u = std::sqrt(static_cast<double>(rng() % 1000000) / 1e6);
    doc["created"] = util::FormatTimestamp(now - absl::Seconds(static_cast<int64_t>((1.0 - u) * 90 * 86400)));
    out.push_back(doc.dump());
  }
  return out;
}

// Starts `aisafe --data DIR serve` and reads the URL it prints.
absl::Status StartServe(DemoNode& n, int64_t sync_ms) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return absl::InternalError("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  // The node's own messages (sync problems, shutdown) go to its log file.
  std::string log = n.dir + "/serve.log";
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  std::string exe = std::filesystem::read_symlink("/proc/self/exe").string();
  std::string sync = std::to_string(sync_ms);
  std::vector<std::string> args = {exe,           "--data",       n.dir, "serve",           "--listen",
                                   "127.0.0.1:0", "--access-log", "off", "--sync-interval", sync};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int rc = posix_spawn(&n.pid, exe.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (rc != 0) {
    ::close(pipe_fds[0]);
    return absl::InternalError(util::StrCat("cannot start ", exe, " serve"));
  }
  n.out_fd = pipe_fds[0];
  std::string line;
  char c;
  while (::read(n.out_fd, &c, 1) == 1 && c != '\n') line.push_back(c);
  if (!line.starts_with("http")) return absl::InternalError(util::StrCat(n.name, ": serve did not start"));
  if (line.ends_with("/")) line.pop_back();
  n.url = line;
  return absl::OkStatus();
}

void StopAll(std::vector<DemoNode>& nodes) {
  for (DemoNode& n : nodes) {
    if (n.pid > 0) ::kill(n.pid, SIGTERM);
  }
  for (DemoNode& n : nodes) {
    if (n.pid > 0) {
      int status = 0;
      ::waitpid(n.pid, &status, 0);
      n.pid = -1;
    }
    if (n.out_fd >= 0) ::close(n.out_fd);
    n.out_fd = -1;
  }
}

class DemoCommand final : public Command {
 public:
  std::string Name() const override { return "demo"; }
  std::string Help() const override {
    return "Start a local three-node network (Malaysia, Singapore, Thailand) on 127.0.0.1 with sample records, "
           "peered and synced; print each node's address and an admin token; stop all three on Ctrl-C.";
  }
  void Register(CLI::App* sub) override {
    sub->add_option("--dir", dir_, "Keep the nodes' data directories here (default: a temporary one, removed)");
    sub->add_option("--records", generated_, "Generated records per node, besides the examples")
        ->check(CLI::Range(0, 100000));
    sub->add_flag("--exit", exit_, "Stop the network once it has synced (for scripts and tests)");
  }
  absl::Status Run(Context& ctx) override {
    bool temporary = dir_.empty();
    if (temporary) {
      std::string tmpl = (std::filesystem::temp_directory_path() / "aisafe-demo-XXXXXX").string();
      if (::mkdtemp(tmpl.data()) == nullptr) return absl::InternalError("cannot create a temporary directory");
      dir_ = tmpl;
    } else if (std::filesystem::exists(dir_) && !std::filesystem::is_empty(dir_)) {
      return absl::AlreadyExistsError(util::StrCat("--dir ", dir_, " is not empty"));
    } else {
      std::error_code ec;
      std::filesystem::create_directories(dir_, ec);
      if (ec) return absl::InvalidArgumentError(util::StrCat("--dir ", dir_, ": ", ec.message()));
    }
    std::vector<DemoNode> nodes(3);
    for (auto [n, name, country, prefix] :
         {std::tuple{0, "my.demo.aisafe", "MY", "my-"}, std::tuple{1, "sg.demo.aisafe", "SG", "sg-"},
          std::tuple{2, "th.demo.aisafe", "TH", "th-"}}) {
      nodes[n].name = name;
      nodes[n].country = country;
      nodes[n].prefix = prefix;
    }
    // Block the stop signals now, so Ctrl-C reaches the wait below and the
    // children are stopped in order.
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);
    absl::Status st = Build(ctx, nodes);
    if (st.ok()) {
      if (!exit_) {
        *ctx.err << "\nPress Ctrl-C to stop the network.\n";
        int sig = 0;
        sigwait(&stop, &sig);
        *ctx.err << "aisafe demo: stopping the nodes\n";
      }
    }
    StopAll(nodes);
    pthread_sigmask(SIG_UNBLOCK, &stop, nullptr);
    if (temporary) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
    return st;
  }

 private:
  absl::Status Build(Context& ctx, std::vector<DemoNode>& nodes) {
    // 1. Nodes, each with an admin token and its records.
    for (size_t i = 0; i < nodes.size(); ++i) {
      DemoNode& n = nodes[i];
      n.dir = util::StrCat(dir_, "/", n.name);
      auto node = node::Node::Init(n.dir, n.name, n.country);
      if (!node.ok()) return node.status();
      absl::Time now = (*node)->clock().Now();
      // One principal of each role, so each view of the application can be tried.
      for (auto [name, role, secret] :
           {std::tuple{"demo-admin", "admin", &n.token}, std::tuple{"demo-analyst", "analyst", &n.analyst_token},
            std::tuple{"demo-contributor", "contributor", &n.contributor_token}}) {
        if (auto s = node::AddPrincipal((*node)->store(), name, role, now); !s.ok()) return s;
        auto token = node::CreateToken((*node)->store(), name, std::nullopt, now);
        if (!token.ok()) return token.status();
        *secret = token->secret;
      }
      std::vector<std::string> docs = DemoDocuments(nodes, i, generated_, now);
      std::vector<node::InputDoc> input;
      for (size_t k = 0; k < docs.size(); ++k) input.push_back({docs[k], k + 1});
      node::Submitter submitter({.origin = n.name, .max_record_bytes = (*node)->config().max_record_bytes},
                                &(*node)->store(), &(*node)->clock(), &(*node)->checkpoint_signer());
      auto stored = submitter.Submit(input, "demo");
      if (!stored.ok()) return stored.status();
      if (auto cp = (*node)->store().Checkpoint((*node)->checkpoint_signer()); !cp.ok()) return cp.status();
      *ctx.err << "aisafe demo: " << n.name << " (" << n.country << ") holds " << stored->size() << " records\n";
    }
    // 2. Servers, then peerings (every node pulls from the other two).
    for (DemoNode& n : nodes) {
      if (auto s = StartServe(n, 2000); !s.ok()) return s;
    }
    for (size_t i = 0; i < nodes.size(); ++i) {
      auto node = node::Node::Open(nodes[i].dir);
      if (!node.ok()) return node.status();
      int64_t now = absl::ToUnixMicros((*node)->clock().Now());
      for (size_t j = 0; j < nodes.size(); ++j) {
        if (i == j) continue;
        auto peer_node = node::Node::Open(nodes[j].dir);
        if (!peer_node.ok()) return peer_node.status();
        store::Peer peer;
        peer.name = nodes[j].name;
        peer.url = nodes[j].url;
        peer.added_us = now;
        std::string vkey = (*peer_node)->signer().verifier().Encode();
        if (auto s = (*node)->store().AddPeer(peer, {nodes[j].name, vkey, nodes[j].country, now}); !s.ok()) return s;
      }
    }
    // 3. Two rounds: the first moves the records, the second the
    //    witnesses' views of each other's logs.
    for (int round = 0; round < 2; ++round) {
      for (DemoNode& n : nodes) {
        auto node = node::Node::Open(n.dir);
        if (!node.ok()) return node.status();
        federation::Puller puller(node->get(), {});
        for (const auto& r : puller.SyncAll()) {
          for (const std::string& p : r.problems) *ctx.err << "aisafe demo: " << p << "\n";
          if (!r.status.ok())
            return absl::InternalError(util::StrCat(n.name, " <- ", r.peer, ": ", r.status.message()));
        }
      }
    }
    // 4. What each node holds now.
    *ctx.err << "\nThe network is up: three sovereign nodes, each pulling from the other two.\n";
    for (DemoNode& n : nodes) {
      auto node = node::Node::Open(n.dir);
      if (!node.ok()) return node.status();
      auto count = (*node)->store().Count(std::nullopt);
      auto witnessed = (*node)->store().ListWitnessed();
      if (!count.ok()) return count.status();
      if (!witnessed.ok()) return witnessed.status();
      *ctx.err << "\n  " << n.name << " (" << n.country << ")\n"
               << "    address  " << n.url << "/   (the web application; the public sees TLP:CLEAR)\n"
               << "    sign in  " << n.url << "/#token=" << n.token << "   (admin)\n"
               << "             " << n.url << "/#token=" << n.analyst_token << "   (analyst)\n"
               << "             " << n.url << "/#token=" << n.contributor_token << "   (contributor)\n"
               << "    token    " << n.token << "   (admin; use as: Authorization: Bearer TOKEN)\n"
               << "    holds    " << *count << " records; witnesses " << witnessed->size() << " peer logs\n"
               << "    data     " << n.dir << "   (its log: serve.log)\n";
      *ctx.out << n.name << "\t" << n.url << "/\t" << n.token << "\t" << n.dir << "\n";
    }
    *ctx.err << "\nOpen the web application: " << nodes[0].url << "/#token=" << nodes[0].token
             << "\n(each link above signs in as that role; the address alone is the public's view)\n"
             << "Or the API: curl -H 'Authorization: Bearer " << nodes[0].token << "' " << nodes[0].url
             << "/v1/federation/status\n";
    ctx.out->flush();
    return absl::OkStatus();
  }

  std::string dir_;
  size_t generated_ = 150;
  bool exit_ = false;
};

}  // namespace

std::vector<std::unique_ptr<Command>> DemoCommands() {
  std::vector<std::unique_ptr<Command>> v;
  v.push_back(std::make_unique<DemoCommand>());
  return v;
}

}  // namespace aisafe::cli
