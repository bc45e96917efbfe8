// End to end: the real `aisafe` binary, run as a process, for every bad
// input the issue names. Each must exit 2 (1 for faults of the
// environment), name the line and field, and leave the store as it was.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "nlohmann/json.hpp"
#include "tests/e2e_util.h"

extern char** environ;

namespace aisafe {
namespace {

using testing::Result;
using testing::Slurp;
using testing::WriteFile;

class CliTest : public testing::CliFixture {
 protected:
  // Everything the node holds, for before/after comparisons.
  std::string Snapshot() {
    Result r = Node({"list", "--limit", "10000"});
    EXPECT_EQ(r.code, 0) << r.err;
    return r.out;
  }
  // Submits `input` expecting failure `code`; checks the message and that
  // nothing changed.
  void ExpectRejected(const std::string& input, int code, const std::vector<std::string>& words) {
    std::string before = Snapshot();
    Result r = Node({"submit", "-"}, input);
    EXPECT_EQ(r.code, code) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    for (const auto& w : words) EXPECT_NE(r.err.find(w), std::string::npos) << "missing \"" << w << "\" in: " << r.err;
    EXPECT_EQ(Snapshot(), before);
  }
};

constexpr char kGood[] =
    R"({"type":"practice","tlp":"green","lang":"vi","countries":["VN"],"title":"Kiểm thử đối kháng bằng tiếng Việt",)"
    R"("body":{"kind":"best-practice","principles":["security-safety"],"description":"Thử nghiệm mô hình bằng tiếng địa phương."}})";

TEST_F(CliTest, HelpEverywhere) {
  for (std::vector<std::string> cmd : std::vector<std::vector<std::string>>{{"init"},
                                                                            {"key"},
                                                                            {"submit"},
                                                                            {"get"},
                                                                            {"list"},
                                                                            {"log"},
                                                                            {"log", "checkpoint"},
                                                                            {"log", "proof"},
                                                                            {"log", "consistency"},
                                                                            {"log", "verify"},
                                                                            {"verify"}}) {
    cmd.push_back("--help");
    Result r = Run(cmd);
    EXPECT_EQ(r.code, 0) << cmd[0];
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << cmd[0] << ": " << r.out;
  }
  EXPECT_EQ(Run({"log"}).code, 2);
  Result r = Run({"--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("submit"), std::string::npos);
  EXPECT_EQ(Run({"frobnicate"}).code, 2);
  EXPECT_EQ(Run({}).code, 2);
}

TEST_F(CliTest, InitKeySubmitGetList) {
  Init();
  Result key = Node({"key"});
  ASSERT_EQ(key.code, 0);
  EXPECT_EQ(key.out.rfind("vn-nca+", 0), 0u) << key.out;
  Result sub = Node({"submit", "-"}, kGood);
  ASSERT_EQ(sub.code, 0) << sub.err;
  std::string id = sub.out.substr(0, sub.out.find('\n'));
  EXPECT_EQ(id.size(), 64u);
  Result again = Node({"submit"}, std::string(kGood) + "\n");
  EXPECT_EQ(again.out, sub.out);  // Idempotent.
  Result get = Node({"get", id});
  ASSERT_EQ(get.code, 0);
  auto doc = nlohmann::json::parse(get.out);
  EXPECT_EQ(doc["origin"], "vn-nca");
  EXPECT_EQ(get.out, doc.dump() + "\n");  // Canonical: sorted, compact (ASCII-safe here).
  Result list = Node({"list", "--type", "practice"});
  EXPECT_EQ(nlohmann::json::parse(list.out.substr(0, list.out.find('\n')))["id"], id);
  EXPECT_EQ(Node({"get", std::string(64, 'a')}).code, 1);
  EXPECT_EQ(Node({"get", "nothex"}).code, 2);
  EXPECT_EQ(Node({"list", "--type", "rumour"}).code, 2);
}

TEST_F(CliTest, DataDirFromEnvironment) {
  ::setenv("AISAFE_DATA", data().c_str(), 1);
  Result r = Run({"init", "--name", "env-node", "--country", "LA"});
  ::unsetenv("AISAFE_DATA");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Node({"key"}).out.rfind("env-node+", 0), 0u);
}

TEST_F(CliTest, SubmitsTheExamples) {
  Init();
  Result r = Node({"submit", AISAFE_EXAMPLES});
  ASSERT_EQ(r.code, 0) << r.err;
  size_t lines = std::count(r.out.begin(), r.out.end(), '\n');
  EXPECT_GE(lines, 30u);
  Result list = Node({"list", "--limit", "1000"});
  EXPECT_EQ(static_cast<size_t>(std::count(list.out.begin(), list.out.end(), '\n')), lines);
}

TEST_F(CliTest, InvalidJson) {
  Init();
  ExpectRejected("{\"type\": \"practice\",, }", 2, {"<stdin>", "invalid JSON", "line 1, column"});
}

TEST_F(CliTest, InvalidUtf8) {
  Init();
  std::string bad = kGood;
  bad.replace(bad.find("Kiểm"), 4, "K\xC3\x28m");
  ExpectRejected(bad, 2, {"invalid JSON", "UTF-8"});
}

TEST_F(CliTest, MissingAndUnknownType) {
  Init();
  auto doc = nlohmann::json::parse(kGood);
  doc.erase("type");
  ExpectRejected(doc.dump(), 2, {"/type: missing"});
  doc["type"] = "rumour";
  ExpectRejected(doc.dump(), 2, {"/type: unknown type \"rumour\""});
}

TEST_F(CliTest, BodyDoesNotMatchSchema) {
  Init();
  auto doc = nlohmann::json::parse(kGood);
  doc["body"]["kind"] = "vibe";
  doc["body"].erase("principles");
  ExpectRejected(doc.dump(), 2, {"/body/kind: must be one of", "/body: Missing required property 'principles'"});
}

TEST_F(CliTest, UnknownTlpAndAmberWithoutAudience) {
  Init();
  auto doc = nlohmann::json::parse(kGood);
  doc["tlp"] = "orange";
  ExpectRejected(doc.dump(), 2, {"/tlp: unknown TLP marking \"orange\""});
  doc["tlp"] = "amber";
  ExpectRejected(doc.dump(), 2, {"/audience: TLP:AMBER requires an audience"});
  doc["tlp"] = "clear";
  doc["audience"] = {"sg-aisi"};
  ExpectRejected(doc.dump(), 2, {"/audience: an audience is not allowed on TLP:CLEAR"});
}

TEST_F(CliTest, RecordOverTheSizeLimit) {
  Init();
  auto doc = nlohmann::json::parse(kGood);
  doc["body"]["description"] = std::string(1100000, 'x');
  ExpectRejected(doc.dump(), 2, {"bytes; the limit is 1048576"});
}

TEST_F(CliTest, OneBadLineAmongGoodOnes) {
  Init();
  auto bad = nlohmann::json::parse(kGood);
  bad["body"]["principles"] = {"speed"};
  std::string input;
  for (int i = 0; i < 5; ++i) {
    auto doc = nlohmann::json::parse(kGood);
    doc["title"] = "record " + std::to_string(i);
    input += (i == 3 ? bad.dump() : doc.dump()) + "\n";
  }
  ExpectRejected(input, 2, {"<stdin>:4: /body/principles/0: must be one of", "1 of 5 records are invalid"});
}

TEST_F(CliTest, RecordOfAnotherOrigin) {
  Init();
  auto doc = nlohmann::json::parse(kGood);
  doc["origin"] = "sg-aisi";
  ExpectRejected(doc.dump(), 2, {"/origin: names \"sg-aisi\""});
}

TEST_F(CliTest, TruncatedFiles) {
  Init();
  auto doc = nlohmann::json::parse(kGood);
  std::string pretty = doc.dump(2);
  ExpectRejected(pretty.substr(0, pretty.size() / 2), 2, {"unexpected end of input"});
  std::string lines = std::string(kGood) + "\n" + std::string(kGood).substr(0, 40);
  ExpectRejected(lines, 2, {"<stdin>:2:", "unexpected end of input"});
}

TEST_F(CliTest, UnreadableAndForeignDataDirectories) {
  // Foreign: a directory with someone else's files.
  ::mkdir(data().c_str(), 0700);
  WriteFile(data() + "/notes.txt", "mine");
  Result r = Node({"list"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("not an aisafe data directory"), std::string::npos) << r.err;
  r = Node({"init", "--name", "a", "--country", "TH"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("not empty"), std::string::npos) << r.err;
  EXPECT_EQ(Slurp(data() + "/notes.txt"), "mine");
  // Missing.
  r = Run({"--data", tmp_.Sub("nothing-here"), "key"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no aisafe node"), std::string::npos) << r.err;
  // A store file that is not a database.
  std::string other = tmp_.Sub("other");
  ASSERT_EQ(Run({"--data", other, "init", "--name", "b", "--country", "TH"}).code, 0);
  WriteFile(other + "/store.sqlite", std::string(4096, 'z'));
  r = Run({"--data", other, "list"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("not an aisafe store"), std::string::npos) << r.err;
  // Unreadable as root too: the configuration is a directory.
  std::string broken = tmp_.Sub("broken");
  ASSERT_EQ(Run({"--data", broken, "init", "--name", "d", "--country", "TH"}).code, 0);
  ::unlink((broken + "/node.toml").c_str());
  ::mkdir((broken + "/node.toml").c_str(), 0700);
  r = Run({"--data", broken, "list"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("node.toml"), std::string::npos) << r.err;
  // Unreadable by permissions (only meaningful when not running as root).
  if (::geteuid() != 0) {
    std::string locked = tmp_.Sub("locked");
    ASSERT_EQ(Run({"--data", locked, "init", "--name", "c", "--country", "TH"}).code, 0);
    ::chmod(locked.c_str(), 0);
    EXPECT_EQ(Run({"--data", locked, "list"}).code, 1);
    ::chmod(locked.c_str(), 0700);
  }
}

TEST_F(CliTest, KeyReadableByOthersRefusesToStart) {
  Init();
  ::chmod((data() + "/node.key").c_str(), 0644);
  Result r = Node({"key"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("chmod 600"), std::string::npos) << r.err;
}

TEST_F(CliTest, SecondInitIsRefused) {
  Init();
  std::string key = Node({"key"}).out;
  Result r = Node({"init", "--name", "other", "--country", "VN"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("already holds an aisafe node"), std::string::npos) << r.err;
  EXPECT_EQ(Node({"key"}).out, key);
}

TEST_F(CliTest, InitRejectsBadNameAndCountry) {
  EXPECT_EQ(Node({"init", "--name", "a b", "--country", "VN"}).code, 2);
  EXPECT_EQ(Node({"init", "--name", "ab", "--country", "QQ"}).code, 2);
  EXPECT_EQ(Node({"init", "--name", "ab"}).code, 2);
}

// kill -9 at random moments of a large submission: the batch is stored
// whole or not at all, and every earlier acknowledged record survives.
TEST_F(CliTest, KillNineLosesNoAcknowledgedWriteAndLeavesNoPartialBatch) {
  Init();
  Result first = Node({"submit"}, kGood);
  ASSERT_EQ(first.code, 0);
  std::string acknowledged = first.out.substr(0, 64);
  std::string big;
  constexpr int kBatch = 3000;
  for (int i = 0; i < kBatch; ++i) {
    auto doc = nlohmann::json::parse(kGood);
    doc["title"] = "bản ghi " + std::to_string(i);
    big += doc.dump() + "\n";
  }
  std::string big_path = tmp_.Sub("big.jsonl");
  WriteFile(big_path, big);
  for (int round = 0; round < 6; ++round) {
    std::string bin = AISAFE_BINARY, d = data();
    std::vector<std::string> args = {bin, "--data", d, "submit", big_path};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    ASSERT_EQ(posix_spawn(&pid, bin.c_str(), &fa, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    ::usleep(static_cast<useconds_t>(20000 + round * 60000));
    ::kill(pid, SIGKILL);
    int status;
    ::waitpid(pid, &status, 0);
    Result list = Node({"list", "--limit", "10000"});
    ASSERT_EQ(list.code, 0) << list.err;
    size_t n = std::count(list.out.begin(), list.out.end(), '\n');
    EXPECT_TRUE(n == 1 || n == 1 + kBatch) << "partial batch: " << n;
    EXPECT_EQ(Node({"get", acknowledged}).code, 0);
  }
}

}  // namespace
}  // namespace aisafe
