// principal add|list|remove, token create|list|revoke: who may use the
// node's HTTP API, and with which role (issue 4; docs/auth.md).
#include <ostream>

#include "auth/auth.h"
#include "cli/command.h"
#include "node/access.h"
#include "node/node.h"
#include "util/clock.h"
#include "util/strings.h"

namespace aisafe::cli {
namespace {

std::string FormatMicros(int64_t us) { return util::FormatTimestamp(absl::FromUnixMicros(us)); }

class PrincipalAddCommand final : public Command {
 public:
  std::string Name() const override { return "principal add"; }
  std::string Help() const override {
    return "Add a person or service: admin and analyst are the node's staff, contributor an external submitter.";
  }
  void Register(CLI::App* sub) override {
    sub->add_option("NAME", name_, "Principal name: letters, digits, . _ @ -")->required();
    sub->add_option("--role", role_, "admin | analyst | contributor")->required();
  }
  absl::Status Run(Context& ctx) override {
    auto node = node::Node::Open(ctx.data_dir);
    if (!node.ok()) return node.status();
    if (auto st = node::AddPrincipal((*node)->store(), name_, role_, (*node)->clock().Now()); !st.ok()) return st;
    *ctx.err << "added " << role_ << " " << name_ << "; give it a token with: aisafe token create " << name_ << "\n";
    return absl::OkStatus();
  }

 private:
  std::string name_;
  std::string role_;
};

class PrincipalListCommand final : public Command {
 public:
  std::string Name() const override { return "principal list"; }
  std::string Help() const override { return "List principals: NAME ROLE CREATED, tab-separated, by name."; }
  void Register(CLI::App*) override {}
  absl::Status Run(Context& ctx) override {
    auto node = node::Node::Open(ctx.data_dir);
    if (!node.ok()) return node.status();
    auto principals = (*node)->store().ListPrincipals();
    if (!principals.ok()) return principals.status();
    for (const store::Principal& p : *principals) {
      *ctx.out << p.name << "\t" << p.role << "\t" << FormatMicros(p.created_us) << "\n";
    }
    return absl::OkStatus();
  }
};

class PrincipalRemoveCommand final : public Command {
 public:
  std::string Name() const override { return "principal remove"; }
  std::string Help() const override { return "Remove a principal and every token of it."; }
  void Register(CLI::App* sub) override { sub->add_option("NAME", name_, "Principal name")->required(); }
  absl::Status Run(Context& ctx) override {
    auto node = node::Node::Open(ctx.data_dir);
    if (!node.ok()) return node.status();
    if (auto st = (*node)->store().RemovePrincipal(name_); !st.ok()) return st;
    *ctx.err << "removed " << name_ << " and its tokens\n";
    return absl::OkStatus();
  }

 private:
  std::string name_;
};

class TokenCreateCommand final : public Command {
 public:
  std::string Name() const override { return "token create"; }
  std::string Help() const override {
    return "Create an API token for principal NAME and print it once, alone on its line; only its hash is kept.";
  }
  void Register(CLI::App* sub) override {
    sub->add_option("NAME", name_, "Principal name")->required();
    sub->add_option("--expires", expires_, "Lifetime: a number and s, m, h, d or w, e.g. 90d (default: none)");
  }
  absl::Status Run(Context& ctx) override {
    std::optional<absl::Duration> lifetime;
    if (!expires_.empty()) {
      auto d = auth::ParseExpiry(expires_);
      if (!d.ok()) return d.status();
      lifetime = *d;
    }
    auto node = node::Node::Open(ctx.data_dir);
    if (!node.ok()) return node.status();
    auto token = node::CreateToken((*node)->store(), name_, lifetime, (*node)->clock().Now());
    if (!token.ok()) return token.status();
    *ctx.out << token->secret << "\n";
    *ctx.err << "token " << token->stored.id << " for " << name_
             << (lifetime ? util::StrCat(", expires ", FormatMicros(*token->stored.expires_us)) : std::string())
             << "; it is shown only now\n";
    return absl::OkStatus();
  }

 private:
  std::string name_;
  std::string expires_;
};

class TokenListCommand final : public Command {
 public:
  std::string Name() const override { return "token list"; }
  std::string Help() const override {
    return "List tokens: ID PRINCIPAL CREATED EXPIRES STATE, tab-separated (never the secrets).";
  }
  void Register(CLI::App*) override {}
  absl::Status Run(Context& ctx) override {
    auto node = node::Node::Open(ctx.data_dir);
    if (!node.ok()) return node.status();
    auto tokens = (*node)->store().ListTokens();
    if (!tokens.ok()) return tokens.status();
    int64_t now = absl::ToUnixMicros((*node)->clock().Now());
    for (const store::StoredToken& t : *tokens) {
      std::string state = t.revoked_us                             ? "revoked " + FormatMicros(*t.revoked_us)
                          : (t.expires_us && *t.expires_us <= now) ? std::string("expired")
                                                                   : std::string("active");
      *ctx.out << t.id << "\t" << t.principal << "\t" << FormatMicros(t.created_us) << "\t"
               << (t.expires_us ? FormatMicros(*t.expires_us) : std::string("never")) << "\t" << state << "\n";
    }
    return absl::OkStatus();
  }
};

class TokenRevokeCommand final : public Command {
 public:
  std::string Name() const override { return "token revoke"; }
  std::string Help() const override { return "Revoke a token by its id (from token list); it stops working at once."; }
  void Register(CLI::App* sub) override { sub->add_option("TOKEN_ID", id_, "16 hex characters")->required(); }
  absl::Status Run(Context& ctx) override {
    if (auto st = auth::CheckTokenId(id_); !st.ok()) return st;
    auto node = node::Node::Open(ctx.data_dir);
    if (!node.ok()) return node.status();
    if (auto st = (*node)->store().RevokeToken(id_, absl::ToUnixMicros((*node)->clock().Now())); !st.ok()) return st;
    *ctx.err << "revoked token " << id_ << "\n";
    return absl::OkStatus();
  }

 private:
  std::string id_;
};

}  // namespace

std::vector<std::unique_ptr<Command>> AccessCommands() {
  std::vector<std::unique_ptr<Command>> v;
  v.push_back(std::make_unique<PrincipalAddCommand>());
  v.push_back(std::make_unique<PrincipalListCommand>());
  v.push_back(std::make_unique<PrincipalRemoveCommand>());
  v.push_back(std::make_unique<TokenCreateCommand>());
  v.push_back(std::make_unique<TokenListCommand>());
  v.push_back(std::make_unique<TokenRevokeCommand>());
  return v;
}

}  // namespace aisafe::cli
