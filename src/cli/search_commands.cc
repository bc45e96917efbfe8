// `aisafe search` and `aisafe reindex` (docs/cli.md, docs/search.md).
#include <cstdlib>
#include <ostream>

#include "absl/strings/str_format.h"
#include "auth/auth.h"
#include "cli/command.h"
#include "node/node.h"
#include "search/params.h"
#include "text/analyzer.h"
#include "util/progress.h"
#include "util/strings.h"

namespace aisafe::cli {
namespace {

// The API names the query "q"; on the command line it is QUERY.
absl::Status CliSpelling(const absl::Status& status) {
  std::string msg(status.message());
  if (msg.rfind("q: ", 0) != 0) return status;
  return absl::Status(status.code(), util::StrCat("QUERY: ", msg.substr(3)));
}

class SearchCommand final : public Command {
 public:
  std::string Name() const override { return "search"; }
  std::string Help() const override {
    return "Search the records this node holds, in any language: JSON Lines of hits, best first (docs/search.md).";
  }
  void Register(CLI::App* sub) override {
    sub->add_option("QUERY", q_,
                    "Words, \"a phrase\", prefix*, AND, OR, NOT or -word, ( ); empty lists the newest records");
    sub->add_option("--type", types_, "Only records of this type (repeatable)");
    sub->add_option("--country", countries_, "Only records about this ISO 3166-1 country (repeatable)");
    sub->add_option("--lang", langs_, "Only records in this language, BCP 47 (repeatable)");
    sub->add_option("--tlp", tlps_, "Only records with this TLP marking (repeatable)");
    sub->add_option("--origin", origins_, "Only records published by this node (repeatable)");
    sub->add_option("--harm", harms_, "Only incidents in this harm category (repeatable)");
    sub->add_option("--from", from_, "Only records created on or after this date or UTC time");
    sub->add_option("--to", to_, "Only records created on or before this date or UTC time");
    sub->add_option("--limit", limit_, "At most N hits (1-100)")->default_val("10");
    sub->add_option("--offset", offset_, "Skip the first N hits (pagination)")->default_val("0");
    sub->add_option("--query-lang", qlang_,
                    "The query's language, for stemming (default: the only --lang, else $LANG)");
    sub->add_flag("--exact-diacritics", exact_, "Match diacritics exactly (default: \"lua dao\" finds \"lừa đảo\")");
    sub->add_flag("--all-words", all_words_, "Every word must match (default: any, best first)");
    sub->add_flag("--facets", facets_, "Print counts by type, marking, origin, country, language, harm on stderr");
    sub->add_option("--as", as_,
                    "Search as this principal sees the node (default: the operator, who sees what admins see)");
    sub->add_flag("--public", public_, "Search as the public (TLP:CLEAR only)");
  }

  absl::Status Run(Context& ctx) override {
    search::Params params{{"q", q_}, {"limit", limit_}, {"offset", offset_}};
    for (const auto& t : types_) params.emplace_back("type", t);
    for (const auto& c : countries_) params.emplace_back("country", c);
    for (const auto& l : langs_) params.emplace_back("lang", l);
    for (const auto& t : tlps_) params.emplace_back("tlp", t);
    for (const auto& o : origins_) params.emplace_back("origin", o);
    for (const auto& h : harms_) params.emplace_back("harm", h);
    if (!from_.empty()) params.emplace_back("from", from_);
    if (!to_.empty()) params.emplace_back("to", to_);
    if (exact_) params.emplace_back("diacritics", "exact");
    if (all_words_) params.emplace_back("match", "all");
    if (facets_) params.emplace_back("facets", "true");
    std::string qlang = qlang_;
    if (qlang.empty() && langs_.size() == 1) qlang = langs_.front();
    if (qlang.empty()) {
      // $LANG is a POSIX locale ("th_TH.UTF-8"); its language, if any.
      const char* env = std::getenv("LANG");
      std::string lang = env == nullptr ? "" : text::PrimaryLanguage(env);
      if (lang.size() >= 2 && lang.size() <= 3 && lang != "c") qlang = lang;
    }
    if (!qlang.empty()) params.emplace_back("qlang", qlang);
    auto req = search::RequestFromParams(params);
    if (!req.ok()) return CliSpelling(req.status());
    if (public_ && !as_.empty()) return absl::InvalidArgumentError("--as and --public exclude each other");
    auto node = node::Node::Open(ctx.data_dir);
    if (!node.ok()) return node.status();
    auth::Caller caller{"", auth::Role::kAdmin};
    if (public_) caller = auth::Public();
    if (!as_.empty()) {
      auto p = (*node)->store().GetPrincipal(as_);
      if (!p.ok()) return p.status();
      if (!*p) return absl::NotFoundError(util::StrCat("--as: no principal named \"", as_, "\""));
      auto role = auth::ParseRole((*p)->role);
      if (!role) return absl::DataLossError(util::StrCat("principal ", as_, " has an unknown role"));
      caller = auth::Caller{as_, *role};
    }
    req->visible = auth::VisibleTo(caller);
    req->node_name = (*node)->config().name;
    auto result = (*node)->Search(*req);
    if (!result.ok()) return CliSpelling(result.status());
    for (const search::Hit& hit : result->hits) *ctx.out << search::HitJson(hit).dump() << "\n";
    *ctx.err << result->hits.size() << " shown of " << (result->total_exact ? "" : "more than ") << result->total
             << " matching record" << (result->total == 1 ? "" : "s") << "\n";
    if (facets_) *ctx.err << "facets: " << nlohmann::json(result->facets).dump() << "\n";
    return absl::OkStatus();
  }

 private:
  std::string q_, from_, to_, qlang_, as_;
  std::string limit_ = "10", offset_ = "0";
  std::vector<std::string> types_, countries_, langs_, tlps_, origins_, harms_;
  bool exact_ = false, all_words_ = false, facets_ = false, public_ = false;
};

class ReindexCommand final : public Command {
 public:
  std::string Name() const override { return "reindex"; }
  std::string Help() const override {
    return "Rebuild the search index from the store, beside the live one, then swap them in.";
  }
  void Register(CLI::App*) override {}
  absl::Status Run(Context& ctx) override {
    auto node = node::Node::Open(ctx.data_dir);
    if (!node.ok()) return node.status();
    auto size = (*node)->store().LogSize();
    if (!size.ok()) return size.status();
    util::ProgressBar bar("indexing", *size);
    absl::Time start = absl::Now();
    auto indexed = (*node)->Reindex([&](uint64_t done, uint64_t) { bar.Update(done); });
    if (!indexed.ok()) return indexed.status();
    bar.Finish();
    double seconds = absl::ToDoubleSeconds(absl::Now() - start);
    auto bytes = (*node)->SearchIndex().SizeBytes();
    *ctx.err << "indexed " << *indexed << " records in " << absl::StrFormat("%.1f", seconds) << " s";
    if (bytes.ok()) *ctx.err << "; the index takes " << (*bytes >> 20) << " MiB";
    *ctx.err << "\n";
    return absl::OkStatus();
  }
};

}  // namespace

std::vector<std::unique_ptr<Command>> SearchCommands() {
  std::vector<std::unique_ptr<Command>> v;
  v.push_back(std::make_unique<SearchCommand>());
  v.push_back(std::make_unique<ReindexCommand>());
  return v;
}

}  // namespace aisafe::cli
