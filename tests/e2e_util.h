// Helpers for the end-to-end tests, which run the real `aisafe` binary
// (AISAFE_BINARY) as a process through the shell.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/test_util.h"

namespace aisafe::testing {

struct Result {
  int code = -1;
  std::string out;
  std::string err;
};

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

inline std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

class CliFixture : public ::testing::Test {
 protected:
  std::string data() const { return tmp_.Sub("node"); }

  Result Run(const std::vector<std::string>& args, const std::string& stdin_text = "") {
    WriteFile(tmp_.Sub("stdin"), stdin_text);
    std::string cmd = Quote(AISAFE_BINARY);
    for (const auto& a : args) cmd += " " + Quote(a);
    cmd += " <" + Quote(tmp_.Sub("stdin")) + " >" + Quote(tmp_.Sub("stdout")) + " 2>" + Quote(tmp_.Sub("stderr"));
    int status = std::system(cmd.c_str());
    Result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = Slurp(tmp_.Sub("stdout"));
    r.err = Slurp(tmp_.Sub("stderr"));
    return r;
  }
  Result Node(std::vector<std::string> args, const std::string& stdin_text = "") {
    args.insert(args.begin(), {"--data", data()});
    return Run(args, stdin_text);
  }
  void Init() {
    Result r = Node({"init", "--name", "vn-nca", "--country", "VN"});
    ASSERT_EQ(r.code, 0) << r.err;
  }

  TempDir tmp_;
};

}  // namespace aisafe::testing
