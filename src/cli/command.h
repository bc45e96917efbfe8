// The command line is a thin layer over the node library: one class per
// subcommand (rocksdb's LDBCommand), each registering its own options and
// returning a Status that main() maps to an exit code (util/status.h).
#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"

namespace aisafe::cli {

// What every command may use. Streams are injectable for tests.
struct Context {
  std::string data_dir;  // Resolved: --data, $AISAFE_DATA, ./aisafe-data.
  std::ostream* out;     // Data.
  std::ostream* err;     // Human messages.
};

class Command {
 public:
  virtual ~Command() = default;
  virtual std::string Name() const = 0;
  virtual std::string Help() const = 0;
  // Declares the command's options and arguments on its subcommand.
  virtual void Register(CLI::App* sub) = 0;
  virtual absl::Status Run(Context& ctx) = 0;
};

// Every command, in the order --help lists them.
std::vector<std::unique_ptr<Command>> AllCommands();

// Runs the command line; returns the process exit status.
int RunMain(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace aisafe::cli
