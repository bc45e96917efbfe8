// init, key: the node's identity.
#include <ostream>

#include "absl/strings/str_cat.h"
#include "cli/command.h"
#include "node/node.h"

namespace aisafe::cli {
namespace {

class InitCommand final : public Command {
 public:
  std::string Name() const override { return "init"; }
  std::string Help() const override {
    return "Create a node in the data directory: Ed25519 key pair, store, empty log. Refuses an existing node.";
  }
  void Register(CLI::App* sub) override {
    sub->add_option("--name", name_, "Node name, e.g. my-mcmc (letters, digits, . _ -); it is the log's origin")
        ->required();
    sub->add_option("--country", country_, "ISO 3166-1 alpha-2 code of the member state, e.g. MY")->required();
  }
  absl::Status Run(Context& ctx) override {
    auto node = node::Node::Init(ctx.data_dir, name_, country_);
    if (!node.ok()) return node.status();
    *ctx.err << "initialised node " << name_ << " (" << country_ << ") in " << ctx.data_dir << "\n";
    *ctx.out << (*node)->signer().verifier().Encode() << "\n";
    return absl::OkStatus();
  }

 private:
  std::string name_;
  std::string country_;
};

class KeyCommand final : public Command {
 public:
  std::string Name() const override { return "key"; }
  std::string Help() const override {
    return "Print the node's verifier key in C2SP signed-note format: NAME+KEYID+BASE64.";
  }
  void Register(CLI::App*) override {}
  absl::Status Run(Context& ctx) override {
    auto node = node::Node::Open(ctx.data_dir);
    if (!node.ok()) return node.status();
    *ctx.out << (*node)->signer().verifier().Encode() << "\n";
    return absl::OkStatus();
  }
};

}  // namespace

std::vector<std::unique_ptr<Command>> NodeCommands() {
  std::vector<std::unique_ptr<Command>> v;
  v.push_back(std::make_unique<InitCommand>());
  v.push_back(std::make_unique<KeyCommand>());
  return v;
}

}  // namespace aisafe::cli
