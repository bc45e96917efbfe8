// End to end: the transparency log through the real `aisafe` binary — the
// log commands, offline verification by an auditor with no node, bad
// evidence, and the crash test of the issue (SIGKILL during a long
// JSON Lines stream, 20 times).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <random>
#include <set>
#include <thread>

#include "nlohmann/json.hpp"
#include "tests/e2e_util.h"

extern char** environ;

namespace aisafe {
namespace {

using testing::Result;
using testing::WriteFile;

constexpr char kRecord[] =
    R"({"type":"practice","tlp":"clear","lang":"th","countries":["TH"],"title":"การทดสอบแบบปรปักษ์",)"
    R"("body":{"kind":"best-practice","principles":["security-safety"],"description":"ทดสอบโมเดลด้วยภาษาท้องถิ่น"}})";

std::string Doc(const std::string& title) {
  auto doc = nlohmann::json::parse(kRecord);
  doc["title"] = title;
  return doc.dump() + "\n";
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t at = 0;
  for (size_t nl; (nl = text.find('\n', at)) != std::string::npos; at = nl + 1) out.push_back(text.substr(at, nl - at));
  return out;
}

uint64_t CheckpointSize(const std::string& note) {
  auto lines = Lines(note);
  return lines.size() > 1 ? std::stoull(lines[1]) : 0;
}

class LogTest : public testing::CliFixture {
 protected:
  // Writes `content` to a file in the test's directory; returns its path.
  std::string Save(const std::string& name, const std::string& content) {
    WriteFile(tmp_.Sub(name), content);
    return tmp_.Sub(name);
  }
  // `aisafe verify` run from another directory with no node anywhere.
  Result Verify(std::vector<std::string> args) {
    args.insert(args.begin(), "verify");
    return Run(args);
  }
};

TEST_F(LogTest, AuditorVerifiesARecordOfflineWithNoNode) {
  Init();
  Result ids = Node({"submit", AISAFE_EXAMPLES});
  ASSERT_EQ(ids.code, 0) << ids.err;
  Result cp = Node({"log", "checkpoint"});
  ASSERT_EQ(cp.code, 0) << cp.err;
  EXPECT_EQ(CheckpointSize(cp.out), Lines(ids.out).size());
  EXPECT_EQ(cp.out.rfind("vn-nca\n", 0), 0u) << cp.out;
  std::string key = Save("key", Node({"key"}).out);
  std::string checkpoint = Save("checkpoint", cp.out);
  for (const std::string& id : Lines(ids.out)) {
    std::string record = Save("record.json", Node({"get", id}).out);
    Result proof = Node({"log", "proof", id});
    ASSERT_EQ(proof.code, 0) << proof.err;
    auto doc = nlohmann::json::parse(proof.out);
    EXPECT_EQ(doc["tree_size"], CheckpointSize(cp.out));
    std::string proof_path = Save("proof.json", proof.out);
    // Move the node away: the auditor has only the four files.
    Result ok = Verify({"--key", key, "--checkpoint", checkpoint, "--record", record, "--proof", proof_path});
    EXPECT_EQ(ok.code, 0) << ok.err;
    EXPECT_NE(ok.out.find("verified: record " + id), std::string::npos) << ok.out;
  }
  // The key inline works as well as a key file.
  std::string id = Lines(ids.out)[3];
  std::string record = Save("record.json", Node({"get", id}).out);
  std::string proof = Save("proof.json", Node({"log", "proof", id}).out);
  std::string inline_key = Lines(Node({"key"}).out)[0];
  EXPECT_EQ(Verify({"--key", inline_key, "--checkpoint", checkpoint, "--record", record, "--proof", proof}).code, 0);
  // Another record with this proof does not verify: exit 1.
  std::string other = Save("other.json", Node({"get", Lines(ids.out)[4]}).out);
  Result wrong = Verify({"--key", key, "--checkpoint", checkpoint, "--record", other, "--proof", proof});
  EXPECT_EQ(wrong.code, 1) << wrong.err;
  EXPECT_NE(wrong.err.find("is not entry"), std::string::npos) << wrong.err;
  // A checkpoint signed by another node's key does not verify.
  std::filesystem::rename(data(), tmp_.Sub("first"));
  Init();
  std::string other_key = Save("other_key", Node({"key"}).out);
  EXPECT_EQ(Verify({"--key", other_key, "--checkpoint", checkpoint, "--record", record, "--proof", proof}).code, 1);

  // Consistency between two checkpoints, offline.
  std::filesystem::remove_all(data());
  std::filesystem::rename(tmp_.Sub("first"), data());
  ASSERT_EQ(Node({"submit", "-"}, Doc("one more")).code, 0);
  std::string newer = Save("newer", Node({"log", "checkpoint"}).out);
  uint64_t n = CheckpointSize(cp.out);
  std::string cons = Save("cons.json", Node({"log", "consistency", std::to_string(n), std::to_string(n + 1)}).out);
  EXPECT_EQ(Verify({"--key", key, "--old-checkpoint", checkpoint, "--checkpoint", newer, "--consistency", cons}).code,
            0);
  Result swapped = Verify({"--key", key, "--old-checkpoint", newer, "--checkpoint", checkpoint, "--consistency", cons});
  EXPECT_EQ(swapped.code, 1) << swapped.err;

  Result audit = Node({"log", "verify"});
  EXPECT_EQ(audit.code, 0) << audit.err;
  EXPECT_NE(audit.out.find("log verified: " + std::to_string(n + 1) + " entries"), std::string::npos) << audit.out;
}

TEST_F(LogTest, BadEvidenceGetsAClearErrorNeverACrash) {
  Init();
  Result ids = Node({"submit", "-"}, Doc("a") + Doc("b") + Doc("c"));
  ASSERT_EQ(ids.code, 0) << ids.err;
  std::string id = Lines(ids.out)[1];
  std::string key = Save("key", Node({"key"}).out);
  std::string note = Node({"log", "checkpoint"}).out;
  std::string checkpoint = Save("checkpoint", note);
  std::string record = Save("record.json", Node({"get", id}).out);
  std::string proof_text = Node({"log", "proof", id}).out;
  std::string proof = Save("proof.json", proof_text);
  auto expect = [&](const std::vector<std::string>& args, int code, const std::string& words) {
    Result r = Verify(args);
    EXPECT_EQ(r.code, code) << r.err;
    EXPECT_NE(r.err.find(words), std::string::npos) << "missing \"" << words << "\" in: " << r.err;
  };
  auto with_checkpoint = [&](const std::string& text) {
    return std::vector<std::string>{"--key",    key,    "--checkpoint", Save("bad_cp", text),
                                    "--record", record, "--proof",      proof};
  };
  auto with_proof = [&](const std::string& text) {
    return std::vector<std::string>{"--key",    key,    "--checkpoint", checkpoint,
                                    "--record", record, "--proof",      Save("bad_proof", text)};
  };
  std::string crlf;
  for (char c : note) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  expect(with_checkpoint(crlf), 2, "checkpoint");
  expect(with_checkpoint(note.substr(0, note.find("\n\n") + 2)), 2, "checkpoint");  // No signature line.
  std::string bad_root = note;
  bad_root.replace(note.find('\n', note.find('\n') + 1) + 1, 4, "!!!!");
  expect(with_checkpoint(bad_root), 2, "checkpoint");
  expect(with_checkpoint(""), 2, "checkpoint");
  expect(with_proof("{"), 2, "inclusion proof");
  expect(with_proof(R"({"index":1,"tree_size":0,"proof":[]})"), 2, "tree_size 0");
  expect(with_proof(R"({"index":9,"tree_size":3,"proof":[]})"), 2, "index 9");
  expect(with_proof(R"({"index":1,"tree_size":3,"proof":["00"]})"), 2, "proof[0]");
  expect(with_proof(R"({"index":1,"tree_size":3,"proof":[],"extra":1})"), 2, "extra");
  expect(with_proof(R"({"index":-1,"tree_size":3,"proof":[]})"), 2, "index");
  // Well formed but of the wrong length: does not verify.
  auto doc = nlohmann::json::parse(proof_text);
  doc["proof"].push_back(doc["proof"][0]);
  expect(with_proof(doc.dump()), 1, "proof");
  doc["proof"].erase(doc["proof"].size() - 1);
  doc["proof"].erase(0);
  expect(with_proof(doc.dump()), 1, "proof");
  expect({"--key", "nonsense", "--checkpoint", checkpoint, "--record", record, "--proof", proof}, 2, "--key");
  expect({"--key", key, "--checkpoint", checkpoint}, 2, "--record");

  // The node's log commands on bad arguments.
  EXPECT_EQ(Node({"log", "proof", "xyz"}).code, 2);
  EXPECT_EQ(Node({"log", "proof", std::string(64, 'a')}).code, 1);  // Not held.
  EXPECT_EQ(Node({"log", "proof", id, "--size", "99"}).code, 2);
  EXPECT_EQ(Node({"log", "proof", id, "--size", "1"}).code, 2);  // Entry 1 is not in the tree of size 1.
  EXPECT_EQ(Node({"log", "proof", id, "--size", "-4"}).code, 2);
  EXPECT_EQ(Node({"log", "consistency", "3", "2"}).code, 2);
  EXPECT_EQ(Node({"log", "consistency", "1", "99"}).code, 2);
  EXPECT_EQ(Node({"log", "consistency", "x", "2"}).code, 2);
  Result at_size_2 = Node({"log", "proof", id, "--size", "2"});
  EXPECT_EQ(at_size_2.code, 0) << at_size_2.err;
}

// Starts `aisafe submit -` with pipes for stdin and stdout.
pid_t SpawnSubmit(const std::string& data, int* in_fd, int* out_fd) {
  int in[2], out[2];
  if (::pipe(in) != 0 || ::pipe(out) != 0) return -1;
  std::string bin = AISAFE_BINARY;
  std::vector<std::string> args = {bin, "--data", data, "submit", "-"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addclose(&fa, in[1]);
  posix_spawn_file_actions_addclose(&fa, out[0]);
  pid_t pid = -1;
  if (posix_spawn(&pid, bin.c_str(), &fa, nullptr, argv.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&fa);
  ::close(in[0]);
  ::close(out[1]);
  *in_fd = in[1];
  *out_fd = out[0];
  return pid;
}

// The issue's crash test: kill -9 at a random moment while `submit` reads
// a long stream. Round 0 runs to the end and times a whole submit, so the
// kill moments of the later rounds spread over [0, 1.5 x that time] on any
// machine, fast or loaded, sanitized or not. After each round, every id it printed is stored and in the
// log with a proof that verifies offline against the newest checkpoint,
// and the newest checkpoint is consistent with every one seen before.
TEST_F(LogTest, KillNineDuringLongStreamsLosesNothingAndKeepsTheLogConsistent) {
  Init();
  ::signal(SIGPIPE, SIG_IGN);
  std::string key = Save("key", Node({"key"}).out);
  std::vector<std::string> seen_checkpoints = {Node({"log", "checkpoint"}).out};
  std::mt19937_64 rng(20261123);
  constexpr int kRounds = 20;
  constexpr int kDocs = 300;
  int completed = 0;
  int killed_midway = 0;
  int64_t whole_submit_us = 0;
  std::set<std::string> printed_ever;
  for (int round = 0; round < kRounds; ++round) {
    int in_fd, out_fd;
    pid_t pid = SpawnSubmit(data(), &in_fd, &out_fd);
    ASSERT_GT(pid, 0);
    std::atomic<bool> stop{false};
    std::thread writer([&, round] {
      for (int i = 0; i < kDocs && !stop; ++i) {
        std::string line = Doc("round " + std::to_string(round) + " record " + std::to_string(i));
        if (::write(in_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) break;
        if (i % 50 == 0) ::usleep(2000);
      }
      ::close(in_fd);
    });
    std::string printed;
    std::thread reader([&] {
      char buf[4096];
      ssize_t n;
      while ((n = ::read(out_fd, buf, sizeof buf)) > 0) printed.append(buf, static_cast<size_t>(n));
    });
    int status;
    if (round == 0) {
      auto start = std::chrono::steady_clock::now();
      ::waitpid(pid, &status, 0);
      whole_submit_us =
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    } else {
      ::usleep(static_cast<useconds_t>(rng() % static_cast<uint64_t>(whole_submit_us * 3 / 2 + 1)));
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
    }
    stop = true;
    writer.join();
    reader.join();
    ::close(out_fd);
    std::vector<std::string> ids;
    for (const std::string& line : Lines(printed)) {
      if (line.size() == 64) ids.push_back(line);
    }
    if (!ids.empty()) {
      completed++;
    } else {
      killed_midway++;
    }
    SCOPED_TRACE("round " + std::to_string(round) + ", " + std::to_string(ids.size()) + " ids printed");
    EXPECT_TRUE(ids.empty() || ids.size() == kDocs) << ids.size();

    // Restart: the next command signs whatever the killed process stored
    // but had not checkpointed.
    Result cp = Node({"log", "checkpoint"});
    ASSERT_EQ(cp.code, 0) << cp.err;
    std::string checkpoint = Save("checkpoint", cp.out);
    Result stored = Node({"list", "--limit", "10000"});
    ASSERT_EQ(stored.code, 0) << stored.err;
    std::set<std::string> stored_ids;
    for (const std::string& line : Lines(stored.out)) stored_ids.insert(nlohmann::json::parse(line)["id"]);
    EXPECT_EQ(CheckpointSize(cp.out), stored_ids.size());
    for (const std::string& id : ids) EXPECT_TRUE(stored_ids.count(id)) << "printed but not stored: " << id;
    printed_ever.insert(ids.begin(), ids.end());
    // Offline proofs for a sample of what was printed, in this round and before.
    std::vector<std::string> sample(printed_ever.begin(), printed_ever.end());
    std::shuffle(sample.begin(), sample.end(), rng);
    sample.resize(std::min<size_t>(sample.size(), 3));
    for (const std::string& id : sample) {
      std::string record = Save("record.json", Node({"get", id}).out);
      std::string proof = Save("proof.json", Node({"log", "proof", id}).out);
      Result ok = Verify({"--key", key, "--checkpoint", checkpoint, "--record", record, "--proof", proof});
      EXPECT_EQ(ok.code, 0) << id << ": " << ok.err;
    }
    // Consistent with every checkpoint seen before.
    uint64_t n = CheckpointSize(cp.out);
    for (const std::string& old : seen_checkpoints) {
      uint64_t m = CheckpointSize(old);
      Result cons = Node({"log", "consistency", std::to_string(m), std::to_string(n)});
      ASSERT_EQ(cons.code, 0) << cons.err;
      Result ok = Verify({"--key", key, "--old-checkpoint", Save("old", old), "--checkpoint", checkpoint,
                          "--consistency", Save("cons.json", cons.out)});
      EXPECT_EQ(ok.code, 0) << m << " -> " << n << ": " << ok.err;
    }
    seen_checkpoints.push_back(cp.out);
    // And the whole log rebuilt from the records agrees with every tile and
    // every kept checkpoint.
    Result audit = Node({"log", "verify"});
    EXPECT_EQ(audit.code, 0) << audit.err;
  }
  // The test means something only if both outcomes happened; round 0
  // always completes, and with kill moments spread over 1.5 submits the
  // chance that none of 19 dies mid-way is below 1e-9.
  std::cerr << completed << " of " << kRounds << " submits completed (a whole submit took " << whole_submit_us
            << " us), " << killed_midway << " were killed mid-way\n";
  EXPECT_GT(completed, 0);
  EXPECT_GT(killed_midway, 0);
}

}  // namespace
}  // namespace aisafe
