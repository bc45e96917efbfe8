// submit, get, list: records in and out.
#include <unistd.h>

#include <ostream>

#include "cli/command.h"
#include "node/node.h"
#include "node/submitter.h"
#include "util/file.h"
#include "util/hex.h"
#include "util/progress.h"
#include "util/strings.h"

namespace aisafe::cli {
namespace {

// Submissions larger than this are refused before reading further; a
// JSON Lines file may hold many records of up to max_record_bytes each.
constexpr size_t kMaxInputBytes = size_t{4} << 30;

class SubmitCommand final : public Command {
 public:
  std::string Name() const override { return "submit"; }
  std::string Help() const override {
    return "Submit one JSON record, or JSON Lines of records, from FILE or - (stdin). Fills origin, created "
           "and nonce when absent; validates all, then stores all or nothing; prints one record id per line, "
           "in input order. Resubmitting an identical document prints its existing id.";
  }
  void Register(CLI::App* sub) override {
    sub->add_option("FILE", file_, "Record file, JSON or JSON Lines; - for standard input")->default_val("-");
  }
  absl::Status Run(Context& ctx) override {
    auto node = node::Node::Open(ctx.data_dir);
    if (!node.ok()) return node.status();
    auto input = util::ReadInput(file_, kMaxInputBytes);
    if (!input.ok()) return input.status();
    std::string source = file_ == "-" ? "<stdin>" : file_;
    std::vector<node::InputDoc> docs = node::SplitInput(*input);
    if (docs.empty()) return absl::InvalidArgumentError(util::StrCat(source, ": no record in the input"));

    node::Submitter submitter(
        {.origin = (*node)->config().name, .max_record_bytes = (*node)->config().max_record_bytes}, &(*node)->store(),
        &(*node)->clock(), &(*node)->checkpoint_signer());
    util::ProgressBar bar("validating", docs.size());
    auto prepared = submitter.Prepare(docs, source, [&bar](size_t done) { bar.Update(done); });
    bar.Finish();
    if (!prepared.ok()) return prepared.status();
    auto results = submitter.Commit(*prepared, source);
    if (!results.ok()) return results.status();
    // Answer only once a signed checkpoint covers what was stored.
    if (auto cp = (*node)->CheckpointLog(); !cp.ok()) return cp.status();
    size_t created = 0;
    for (const auto& r : *results) {
      *ctx.out << util::ToHex(r.id) << "\n";
      created += r.created ? 1 : 0;
    }
    *ctx.err << "stored " << created << " new record" << (created == 1 ? "" : "s");
    if (created != results->size()) *ctx.err << ", " << results->size() - created << " already present";
    *ctx.err << "\n";
    return absl::OkStatus();
  }

 private:
  std::string file_;
};

class GetCommand final : public Command {
 public:
  std::string Name() const override { return "get"; }
  std::string Help() const override { return "Print a record as stored: its RFC 8785 canonical JSON."; }
  void Register(CLI::App* sub) override {
    sub->add_option("ID", id_, "Record id: 64 lowercase hex characters")->required();
  }
  absl::Status Run(Context& ctx) override {
    auto id = util::DigestFromHex(id_);
    if (!id) return absl::InvalidArgumentError(util::StrCat("ID \"", id_, "\" is not 64 lowercase hex characters"));
    auto node = node::Node::Open(ctx.data_dir);
    if (!node.ok()) return node.status();
    auto rec = (*node)->store().Get(*id);
    if (!rec.ok()) return rec.status();
    if (!*rec) return absl::NotFoundError(util::StrCat("no record ", id_));
    *ctx.out << (*rec)->canonical << "\n";
    return absl::OkStatus();
  }

 private:
  std::string id_;
};

class ListCommand final : public Command {
 public:
  std::string Name() const override { return "list"; }
  std::string Help() const override {
    return "List records as JSON Lines, newest first: {\"id\":ID,\"record\":RECORD} per line.";
  }
  void Register(CLI::App* sub) override {
    sub->add_option("--type", type_, "Only records of this type")
        ->check(CLI::IsMember({"incident", "system", "assessment", "evaluation", "practice", "oversight"}));
    sub->add_option("--limit", limit_, "At most N records (1-10000)")->default_val(100)->check(CLI::Range(1, 10000));
    sub->add_option("--cursor", cursor_, "Continue after a previous page (the cursor it printed on stderr)");
  }
  absl::Status Run(Context& ctx) override {
    auto node = node::Node::Open(ctx.data_dir);
    if (!node.ok()) return node.status();
    store::ListQuery q;
    if (!type_.empty()) q.type = type_;
    q.limit = limit_;
    q.cursor = cursor_;
    auto page = (*node)->store().List(q);
    if (!page.ok()) return page.status();
    for (const auto& r : page->records) {
      *ctx.out << "{\"id\":\"" << util::ToHex(r.id) << "\",\"record\":" << r.canonical << "}\n";
    }
    if (!page->next_cursor.empty()) *ctx.err << "next cursor: " << page->next_cursor << "\n";
    return absl::OkStatus();
  }

 private:
  std::string type_;
  size_t limit_ = 100;
  std::string cursor_;
};

}  // namespace

std::vector<std::unique_ptr<Command>> RecordCommands() {
  std::vector<std::unique_ptr<Command>> v;
  v.push_back(std::make_unique<SubmitCommand>());
  v.push_back(std::make_unique<GetCommand>());
  v.push_back(std::make_unique<ListCommand>());
  return v;
}

}  // namespace aisafe::cli
