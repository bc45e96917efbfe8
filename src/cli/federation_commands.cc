// peer add|list|remove|clear, member add|list|remove, sync: whom this node
// pulls from, whose records it accepts, and one pull round (issue 5;
// docs/federation.md).
#include <ostream>

#include "cli/command.h"
#include "federation/http_client.h"
#include "federation/puller.h"
#include "keys/keys.h"
#include "node/node.h"
#include "records/record.h"
#include "util/clock.h"
#include "util/strings.h"

namespace aisafe::cli {
namespace {

std::string FormatMicros(int64_t us) { return util::FormatTimestamp(absl::FromUnixMicros(us)); }

// A member's name and key must agree: checkpoints name their origin, and
// the origin's key must carry that name.
absl::StatusOr<keys::Verifier> CheckMemberKey(const std::string& name, const std::string& vkey) {
  if (auto st = node::CheckNodeName(name); !st.ok()) return st;
  auto key = keys::ParseVerifierKey(vkey);
  if (!key.ok()) return absl::InvalidArgumentError(util::StrCat("VKEY: ", key.status().message()));
  if (key->name != name) {
    return absl::InvalidArgumentError(
        util::StrCat("VKEY: the key is named \"", key->name, "\", not \"", name, "\" (aisafe key on that node)"));
  }
  return key;
}

absl::Status CheckCountry(const std::string& country) {
  if (!records::IsCountryCode(country)) {
    return absl::InvalidArgumentError(util::StrCat("--country: \"", country, "\" is not an ISO 3166-1 alpha-2 code"));
  }
  return absl::OkStatus();
}

class PeerAddCommand final : public Command {
 public:
  std::string Name() const override { return "peer add"; }
  std::string Help() const override {
    return "Pull from node NAME at URL, verifying its records with VKEY (its `aisafe key`); also makes it a member. "
           "A peer's name and key are fixed: a new key is a new peer.";
  }
  void Register(CLI::App* sub) override {
    sub->add_option("NAME", name_, "The peer's node name")->required();
    sub->add_option("URL", url_, "Its base URL, http://HOST:PORT or https://...")->required();
    sub->add_option("VKEY", vkey_, "Its verifier key, NAME+KEYID+BASE64")->required();
    sub->add_option("--country", country_, "Its member state, ISO 3166-1 alpha-2 (when it is not a member yet)");
  }
  absl::Status Run(Context& ctx) override {
    if (auto key = CheckMemberKey(name_, vkey_); !key.ok()) return key.status();
    if (auto url = federation::ParseUrl(url_); !url.ok()) {
      return absl::InvalidArgumentError(util::StrCat("URL: ", url.status().message()));
    }
    if (!country_.empty()) {
      if (auto st = CheckCountry(country_); !st.ok()) return st;
    }
    auto node = node::Node::Open(ctx.data_dir);
    if (!node.ok()) return node.status();
    if (name_ == (*node)->config().name) return absl::InvalidArgumentError("NAME: a node does not peer with itself");
    int64_t now = absl::ToUnixMicros((*node)->clock().Now());
    store::Peer peer;
    peer.name = name_;
    peer.url = url_;
    peer.added_us = now;
    if (auto st = (*node)->store().AddPeer(peer, store::Member{name_, vkey_, country_, now}); !st.ok()) return st;
    *ctx.err << "added peer " << name_ << " at " << url_ << "; pull with: aisafe sync " << name_ << "\n";
    return absl::OkStatus();
  }

 private:
  std::string name_, url_, vkey_, country_;
};

class PeerListCommand final : public Command {
 public:
  std::string Name() const override { return "peer list"; }
  std::string Help() const override {
    return "List peers: NAME URL LAST_SYNC RECEIVED REJECTED STATE, tab-separated; then every split-view alert.";
  }
  void Register(CLI::App*) override {}
  absl::Status Run(Context& ctx) override {
    auto node = node::Node::Open(ctx.data_dir);
    if (!node.ok()) return node.status();
    auto peers = (*node)->store().ListPeers();
    if (!peers.ok()) return peers.status();
    auto alerts = (*node)->store().ListSplitViews();
    if (!alerts.ok()) return alerts.status();
    for (const store::Peer& p : *peers) {
      std::string state = p.last_sync_us ? (p.last_error.empty() ? "ok" : "error: " + p.last_error) : "never synced";
      for (const store::SplitView& a : *alerts) {
        if (a.origin == p.name && !a.cleared_us) state = util::StrCat("SPLIT VIEW (alert ", a.id, ")");
      }
      *ctx.out << p.name << "\t" << p.url << "\t" << (p.last_sync_us ? FormatMicros(*p.last_sync_us) : "-") << "\t"
               << p.received << "\t" << p.rejected << "\t" << state << "\n";
    }
    for (const store::SplitView& a : *alerts) {
      *ctx.out << "split-view\t" << a.id << "\t" << a.origin << "\t" << FormatMicros(a.raised_us) << "\t"
               << (a.cleared_us ? util::StrCat("cleared by ", a.cleared_by) : std::string("OPEN")) << "\t" << a.reason
               << "\n";
      if (!a.cleared_us) {
        *ctx.err << "ALERT: split view of " << a.origin << " (alert " << a.id << "): " << a.reason << "\n  nothing of "
                 << a.origin << " is accepted until a human clears it: aisafe peer clear " << a.id << " --by NAME\n";
      }
    }
    return absl::OkStatus();
  }
};

class PeerRemoveCommand final : public Command {
 public:
  std::string Name() const override { return "peer remove"; }
  std::string Help() const override {
    return "Stop pulling from a peer. It stays a member (member remove stops accepting its records relayed) and "
           "what it sent stays.";
  }
  void Register(CLI::App* sub) override { sub->add_option("NAME", name_, "The peer's node name")->required(); }
  absl::Status Run(Context& ctx) override {
    auto node = node::Node::Open(ctx.data_dir);
    if (!node.ok()) return node.status();
    if (auto st = (*node)->store().RemovePeer(name_); !st.ok()) return st;
    *ctx.err << "removed peer " << name_ << "\n";
    return absl::OkStatus();
  }

 private:
  std::string name_;
};

class PeerClearCommand final : public Command {
 public:
  std::string Name() const override { return "peer clear"; }
  std::string Help() const override {
    return "Clear split-view alert ID after a human has investigated it; pulls from its origin resume. Both signed "
           "checkpoints stay kept as evidence.";
  }
  void Register(CLI::App* sub) override {
    sub->add_option("ID", id_, "The alert's id (peer list)")->required();
    sub->add_option("--by", by_, "Who decided (kept with the alert)")->required();
  }
  absl::Status Run(Context& ctx) override {
    auto node = node::Node::Open(ctx.data_dir);
    if (!node.ok()) return node.status();
    if (by_.empty()) return absl::InvalidArgumentError("--by: name the person who decided");
    if (auto st = (*node)->store().ClearSplitView(id_, absl::ToUnixMicros((*node)->clock().Now()), by_); !st.ok()) {
      return st;
    }
    *ctx.err << "cleared split-view alert " << id_ << "\n";
    return absl::OkStatus();
  }

 private:
  int64_t id_ = 0;
  std::string by_;
};

class MemberAddCommand final : public Command {
 public:
  std::string Name() const override { return "member add"; }
  std::string Help() const override {
    return "Accept records of node NAME (relayed by peers, or pulled once it is a peer), verified with VKEY.";
  }
  void Register(CLI::App* sub) override {
    sub->add_option("NAME", name_, "The member's node name")->required();
    sub->add_option("VKEY", vkey_, "Its verifier key, NAME+KEYID+BASE64")->required();
    sub->add_option("--country", country_, "Its member state, ISO 3166-1 alpha-2")->required();
  }
  absl::Status Run(Context& ctx) override {
    if (auto key = CheckMemberKey(name_, vkey_); !key.ok()) return key.status();
    if (auto st = CheckCountry(country_); !st.ok()) return st;
    auto node = node::Node::Open(ctx.data_dir);
    if (!node.ok()) return node.status();
    if (name_ == (*node)->config().name) return absl::InvalidArgumentError("NAME: this node is not its own member");
    store::Member m{name_, vkey_, country_, absl::ToUnixMicros((*node)->clock().Now())};
    if (auto st = (*node)->store().AddMember(m); !st.ok()) return st;
    *ctx.err << "added member " << name_ << " (" << country_ << ")\n";
    return absl::OkStatus();
  }

 private:
  std::string name_, vkey_, country_;
};

class MemberListCommand final : public Command {
 public:
  std::string Name() const override { return "member list"; }
  std::string Help() const override { return "List members: NAME COUNTRY VKEY ADDED, tab-separated, by name."; }
  void Register(CLI::App*) override {}
  absl::Status Run(Context& ctx) override {
    auto node = node::Node::Open(ctx.data_dir);
    if (!node.ok()) return node.status();
    auto members = (*node)->store().ListMembers();
    if (!members.ok()) return members.status();
    for (const store::Member& m : *members) {
      *ctx.out << m.name << "\t" << (m.country.empty() ? "-" : m.country) << "\t" << m.vkey << "\t"
               << FormatMicros(m.added_us) << "\n";
    }
    return absl::OkStatus();
  }
};

class MemberRemoveCommand final : public Command {
 public:
  std::string Name() const override { return "member remove"; }
  std::string Help() const override {
    return "Stop accepting records of a member (remove it as a peer first). Records already received stay.";
  }
  void Register(CLI::App* sub) override { sub->add_option("NAME", name_, "The member's node name")->required(); }
  absl::Status Run(Context& ctx) override {
    auto node = node::Node::Open(ctx.data_dir);
    if (!node.ok()) return node.status();
    if (auto st = (*node)->store().RemoveMember(name_); !st.ok()) return st;
    *ctx.err << "removed member " << name_ << "\n";
    return absl::OkStatus();
  }

 private:
  std::string name_;
};

class SyncCommand final : public Command {
 public:
  std::string Name() const override { return "sync"; }
  std::string Help() const override {
    return "One pull round from every peer (or NAME), verifying every record, proof and checkpoint before storing "
           "it. Exit status 1 if anything failed to verify or a peer could not be reached.";
  }
  void Register(CLI::App* sub) override {
    sub->add_option("NAME", name_, "Only this peer");
    sub->add_option("--page", page_, "Records per feed page (1-5000)")->check(CLI::Range(1, 5000));
  }
  absl::Status Run(Context& ctx) override {
    auto node = node::Node::Open(ctx.data_dir);
    if (!node.ok()) return node.status();
    federation::SyncOptions options;
    options.page_limit = page_;
    const std::string& ca = (*node)->config().federation_ca_file;
    if (!ca.empty()) options.client.ca_file = ca[0] == '/' ? ca : (*node)->dir() + "/" + ca;
    federation::Puller puller(node->get(), options);
    std::vector<federation::PeerSyncReport> reports;
    if (name_.empty()) {
      reports = puller.SyncAll();
    } else {
      reports.push_back(puller.SyncPeer(name_));
    }
    absl::Status first;
    for (const auto& r : reports) {
      for (const std::string& p : r.problems) *ctx.err << "aisafe: " << p << "\n";
      if (r.status.ok()) {
        *ctx.err << r.peer << ": " << r.received << " new records in " << r.pages << (r.pages == 1 ? " page" : " pages")
                 << (r.skipped ? util::StrCat(", ", r.skipped, " relayed records of non-members skipped") : "") << "\n";
      } else {
        *ctx.err << r.peer << ": " << r.status.message() << " (" << r.received << " new records stored before)\n";
        if (first.ok())
          first = r.status.code() == absl::StatusCode::kNotFound
                      ? r.status
                      : absl::UnknownError(util::StrCat("sync from ", r.peer, " failed: ", r.status.message()));
      }
    }
    return first;
  }

 private:
  std::string name_;
  size_t page_ = 1000;
};

}  // namespace

std::vector<std::unique_ptr<Command>> FederationCommands() {
  std::vector<std::unique_ptr<Command>> v;
  v.push_back(std::make_unique<PeerAddCommand>());
  v.push_back(std::make_unique<PeerListCommand>());
  v.push_back(std::make_unique<PeerRemoveCommand>());
  v.push_back(std::make_unique<PeerClearCommand>());
  v.push_back(std::make_unique<MemberAddCommand>());
  v.push_back(std::make_unique<MemberListCommand>());
  v.push_back(std::make_unique<MemberRemoveCommand>());
  v.push_back(std::make_unique<SyncCommand>());
  return v;
}

}  // namespace aisafe::cli
