// The transparency log on the command line: `log checkpoint|proof|
// consistency|verify` on a node, and `verify`, which needs no node.
#include "audit/audit.h"
#include "cli/command.h"
#include "node/node.h"
#include "node/transparency.h"
#include "util/file.h"
#include "util/hex.h"
#include "util/progress.h"
#include "util/strings.h"

namespace aisafe::cli {
namespace {

// Checkpoints, proofs and records are small; this bounds what is read.
constexpr size_t kMaxEvidenceBytes = 16 << 20;

class LogCheckpointCommand final : public Command {
 public:
  std::string Name() const override { return "log checkpoint"; }
  std::string Help() const override {
    return "Print the log's latest signed checkpoint (C2SP tlog-checkpoint in a signed note), signing one first "
           "if entries are not yet covered.";
  }
  void Register(CLI::App*) override {}
  absl::Status Run(Context& ctx) override {
    auto node = node::Node::Open(ctx.data_dir);
    if (!node.ok()) return node.status();
    auto cp = (*node)->CheckpointLog();
    if (!cp.ok()) return cp.status();
    *ctx.out << cp->note;
    return absl::OkStatus();
  }
};

class LogProofCommand final : public Command {
 public:
  std::string Name() const override { return "log proof"; }
  std::string Help() const override {
    return "Print the RFC 9162 inclusion proof of a record's log entry: {\"index\",\"tree_size\",\"proof\"}, "
           "against the latest checkpoint or the tree of --size N.";
  }
  void Register(CLI::App* sub) override {
    sub->add_option("ID", id_, "Record id: 64 lowercase hex characters")->required();
    sub->add_option("--size", size_, "Tree size to prove against (default: the latest checkpoint's)");
  }
  absl::Status Run(Context& ctx) override {
    auto id = util::DigestFromHex(id_);
    if (!id) return absl::InvalidArgumentError(util::StrCat("ID \"", id_, "\" is not 64 lowercase hex characters"));
    auto node = node::Node::Open(ctx.data_dir);
    if (!node.ok()) return node.status();
    auto answer = node::ProveRecord((*node)->store(), *id, size_);
    if (!answer.ok()) return answer.status();
    *ctx.out << audit::FormatInclusionProof({answer->index, answer->tree_size, answer->proof}) << "\n";
    return absl::OkStatus();
  }

 private:
  std::string id_;
  std::optional<uint64_t> size_;
};

class LogConsistencyCommand final : public Command {
 public:
  std::string Name() const override { return "log consistency"; }
  std::string Help() const override {
    return "Print the RFC 9162 consistency proof between tree sizes M and N: {\"old_size\",\"new_size\",\"proof\"}.";
  }
  void Register(CLI::App* sub) override {
    sub->add_option("M", old_size_, "Old tree size")->required();
    sub->add_option("N", new_size_, "New tree size")->required();
  }
  absl::Status Run(Context& ctx) override {
    auto node = node::Node::Open(ctx.data_dir);
    if (!node.ok()) return node.status();
    auto proof = node::ProveConsistency((*node)->store(), old_size_, new_size_);
    if (!proof.ok()) return proof.status();
    *ctx.out << audit::FormatConsistencyProof({old_size_, new_size_, *proof}) << "\n";
    return absl::OkStatus();
  }

 private:
  uint64_t old_size_ = 0;
  uint64_t new_size_ = 0;
};

class LogVerifyCommand final : public Command {
 public:
  std::string Name() const override { return "log verify"; }
  std::string Help() const override {
    return "Rebuild the whole tree from the stored records and check every stored tile and every kept "
           "checkpoint against it. Exit 0 when all agree.";
  }
  void Register(CLI::App*) override {}
  absl::Status Run(Context& ctx) override {
    auto node = node::Node::Open(ctx.data_dir);
    if (!node.ok()) return node.status();
    auto size = (*node)->store().LogSize();
    if (!size.ok()) return size.status();
    util::ProgressBar bar("verifying log", *size);
    auto audit = node::AuditLog((*node)->store(), (*node)->signer().verifier(), (*node)->config().name,
                                [&bar](uint64_t done, uint64_t) { bar.Update(done); });
    bar.Finish();
    if (!audit.ok()) return audit.status();
    *ctx.out << "log verified: " << audit->entries << " entries, " << audit->checkpoints << " checkpoints, "
             << audit->tiles << " tiles\n";
    return absl::OkStatus();
  }
};

// A verifier key given inline, or the name of a file holding one.
absl::StatusOr<keys::Verifier> ReadVerifierKey(const std::string& arg) {
  auto key = keys::ParseVerifierKey(arg);
  if (key.ok()) return key;
  auto text = util::ReadInput(arg, 4096);
  if (!text.ok()) {
    return absl::InvalidArgumentError(util::StrCat("--key: \"", arg, "\" is neither a verifier key (",
                                                   key.status().message(), ") nor a readable file"));
  }
  std::string_view trimmed = *text;
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r')) trimmed.remove_suffix(1);
  auto from_file = keys::ParseVerifierKey(trimmed);
  if (!from_file.ok())
    return absl::InvalidArgumentError(util::StrCat("--key ", arg, ": ", from_file.status().message()));
  return from_file;
}

class VerifyCommand final : public Command {
 public:
  std::string Name() const override { return "verify"; }
  std::string Help() const override {
    return "Verify offline, with no node: that a record is in a node's log (--record, --proof, --checkpoint, "
           "--key), or that a checkpoint extends an older one (--old-checkpoint, --consistency, --checkpoint, "
           "--key). Exit 0: verified; 1: does not verify; 2: malformed input.";
  }
  void Register(CLI::App* sub) override {
    sub->add_option("--key", key_, "The node's verifier key NAME+KEYID+BASE64, or a file holding it")->required();
    sub->add_option("--checkpoint", checkpoint_, "Signed checkpoint file (aisafe log checkpoint)")->required();
    auto* record = sub->add_option("--record", record_, "Record file (aisafe get ID)");
    auto* proof = sub->add_option("--proof", proof_, "Inclusion proof file (aisafe log proof ID)");
    auto* old_cp = sub->add_option("--old-checkpoint", old_checkpoint_, "An earlier signed checkpoint file");
    auto* consistency =
        sub->add_option("--consistency", consistency_, "Consistency proof file (aisafe log consistency M N)");
    record->needs(proof);
    proof->needs(record);
    old_cp->needs(consistency);
    consistency->needs(old_cp);
    record->excludes(old_cp);
  }
  absl::Status Run(Context& ctx) override {
    if (record_.empty() && old_checkpoint_.empty()) {
      return absl::InvalidArgumentError("give --record and --proof, or --old-checkpoint and --consistency");
    }
    auto key = ReadVerifierKey(key_);
    if (!key.ok()) return key.status();
    auto checkpoint = util::ReadInput(checkpoint_, kMaxEvidenceBytes);
    if (!checkpoint.ok()) return checkpoint.status();
    if (!record_.empty()) {
      auto record = util::ReadInput(record_, kMaxEvidenceBytes);
      if (!record.ok()) return record.status();
      auto proof = util::ReadInput(proof_, kMaxEvidenceBytes);
      if (!proof.ok()) return proof.status();
      auto verified = audit::VerifyRecord(*record, *proof, *checkpoint, *key);
      if (!verified.ok()) return verified.status();
      *ctx.out << "verified: record " << util::ToHex(verified->id) << " is entry " << verified->index << " of "
               << verified->checkpoint.origin << "'s log of size " << verified->checkpoint.size
               << ", checkpoint signed by " << key->Encode() << "\n";
      return absl::OkStatus();
    }
    auto old_checkpoint = util::ReadInput(old_checkpoint_, kMaxEvidenceBytes);
    if (!old_checkpoint.ok()) return old_checkpoint.status();
    auto proof = util::ReadInput(consistency_, kMaxEvidenceBytes);
    if (!proof.ok()) return proof.status();
    auto verified = audit::VerifyConsistency(*old_checkpoint, *checkpoint, *proof, *key);
    if (!verified.ok()) return verified.status();
    *ctx.out << "verified: the log of size " << verified->new_size << " extends the log of size " << verified->old_size
             << ", both checkpoints signed by " << key->Encode() << "\n";
    return absl::OkStatus();
  }

 private:
  std::string key_, checkpoint_, record_, proof_, old_checkpoint_, consistency_;
};

}  // namespace

std::vector<std::unique_ptr<Command>> LogCommands() {
  std::vector<std::unique_ptr<Command>> v;
  v.push_back(std::make_unique<LogCheckpointCommand>());
  v.push_back(std::make_unique<LogProofCommand>());
  v.push_back(std::make_unique<LogConsistencyCommand>());
  v.push_back(std::make_unique<LogVerifyCommand>());
  v.push_back(std::make_unique<VerifyCommand>());
  return v;
}

}  // namespace aisafe::cli
