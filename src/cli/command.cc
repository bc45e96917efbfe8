#include "cli/command.h"

#include <cstdlib>
#include <iostream>
#include <map>

#include "util/status.h"

namespace aisafe::cli {

std::vector<std::unique_ptr<Command>> NodeCommands();
std::vector<std::unique_ptr<Command>> RecordCommands();
std::vector<std::unique_ptr<Command>> SearchCommands();
std::vector<std::unique_ptr<Command>> LogCommands();
std::vector<std::unique_ptr<Command>> AccessCommands();
std::vector<std::unique_ptr<Command>> ServeCommands();
std::vector<std::unique_ptr<Command>> FederationCommands();
std::vector<std::unique_ptr<Command>> DemoCommands();

std::vector<std::unique_ptr<Command>> AllCommands() {
  std::vector<std::unique_ptr<Command>> all = NodeCommands();
  for (auto& c : RecordCommands()) all.push_back(std::move(c));
  for (auto& c : SearchCommands()) all.push_back(std::move(c));
  for (auto& c : LogCommands()) all.push_back(std::move(c));
  for (auto& c : ServeCommands()) all.push_back(std::move(c));
  for (auto& c : AccessCommands()) all.push_back(std::move(c));
  for (auto& c : FederationCommands()) all.push_back(std::move(c));
  for (auto& c : DemoCommands()) all.push_back(std::move(c));
  return all;
}

namespace {

// Commands named "GROUP SUB" are subcommands of a group command.
const std::map<std::string, std::string, std::less<>>& GroupHelp() {
  static const auto* help = new std::map<std::string, std::string, std::less<>>{
      {"log", "The node's transparency log: checkpoints, proofs, verification."},
      {"principal", "The people and services known to the node, with their roles."},
      {"token", "API tokens of principals: create (shown once), list, revoke."},
      {"peer", "The nodes this one pulls from and witnesses, and split-view alerts."},
      {"member", "The network members whose records this node accepts, directly or relayed."},
  };
  return *help;
}

}  // namespace

int RunMain(int argc, char** argv, std::ostream& out, std::ostream& err) {
  CLI::App app{
      "aisafe: a sovereign node of the AI safety network. It keeps typed, TLP-marked records\n"
      "(incidents, systems, assessments, evaluations, practices, oversight decisions),\n"
      "each with a permanent SHA-256 identity."};
  app.name("aisafe");
  app.require_subcommand(1);
  app.set_version_flag("--version", "aisafe 0.1.0");
  std::string data;
  app.add_option("--data", data, "Data directory (default: $AISAFE_DATA, then ./aisafe-data)");

  auto commands = AllCommands();
  Command* chosen = nullptr;
  std::map<std::string, CLI::App*> groups;
  for (auto& c : commands) {
    std::string name = c->Name();
    CLI::App* parent = &app;
    if (size_t space = name.find(' '); space != std::string::npos) {
      std::string group = name.substr(0, space);
      CLI::App*& g = groups[group];
      if (g == nullptr) {
        auto help = GroupHelp().find(group);
        g = app.add_subcommand(group, help == GroupHelp().end() ? "" : help->second);
        g->require_subcommand(1);
      }
      parent = g;
      name = name.substr(space + 1);
    }
    CLI::App* sub = parent->add_subcommand(name, c->Help());
    c->Register(sub);
    Command* raw = c.get();
    sub->final_callback([&chosen, raw] { chosen = raw; });
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    out << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp& e) {
    out << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {
      // --version and subcommand --help land here.
      return app.exit(e, out, err);
    }
    app.exit(e, out, err);
    return 2;
  }
  if (chosen == nullptr) {
    err << app.help();
    return 2;
  }
  Context ctx;
  if (!data.empty()) {
    ctx.data_dir = data;
  } else if (const char* env = std::getenv("AISAFE_DATA"); env != nullptr && *env != '\0') {
    ctx.data_dir = env;
  } else {
    ctx.data_dir = "./aisafe-data";
  }
  ctx.out = &out;
  ctx.err = &err;
  absl::Status st = chosen->Run(ctx);
  out.flush();
  if (!st.ok()) {
    err << "aisafe " << chosen->Name() << ": " << st.message() << "\n";
    return util::ExitCode(st);
  }
  return 0;
}

}  // namespace aisafe::cli
