// federation_bench: the pull rate of federation (issue 5), measured with
// real `aisafe` processes on loopback.
//
// Target (issue 5): two nodes on loopback; the receiver pulls 1,000,000
// green records of 1-4 KB from an empty start, verifying everything and
// indexing nothing else, at >= 20,000 records/s and at >= 25 % of the rate
// at which curl downloads the same pages' bytes from the same server in the
// same run; peak memory of each node < 300 MB.
//
// What it does:
//   1. The sender (the fixture, reused with --dir): `aisafe init --name
//      sender.bench.aisafe --country SG`, then N records through the node's
//      own submit path (node::Submitter Prepare + Commit in batches, origin
//      = the sender, every record logged, checkpoints signed with the
//      node's key, a final checkpoint over the whole log), into the store
//      opened without fsync (building the fixture is not what is measured).
//      Records: the templates of examples/records.jsonl (all six types,
//      nine languages) plus one small built-in practice, made TLP:GREEN
//      with no audience, each copy with a unique title; the summary is
//      padded with ASCII text so that canonical sizes are uniform in
//      [1024, 4096] bytes.
//   2. Per run, a fresh receiver: `aisafe init` (receiver.bench.aisafe,
//      MY), made a member of the sender (`aisafe member add`, so green
//      records are served to it), the sender's `aisafe serve --listen
//      127.0.0.1:0 --sync-interval 0 --access-log off` started, and the
//      sender added as the receiver's peer (`aisafe peer add`).
//   3. A first pass in this process, which also warms the sender's caches:
//      every feed page, fetched with federation::HttpClient and signed with
//      the receiver's key exactly as the puller asks for them (limit and
//      to=SENDER, then cursor and have=SIZE after the first page; the
//      query strings must follow federation/puller.cc, or curl and the
//      puller would not fetch the same bytes). Each of the receiver's
//      CPU steps is timed on these pages (no store): fetch, JSON parse,
//      page decode, checkpoint signature, record validation, inclusion
//      proofs.
//   4. curl: one `curl -s -K FILE` process, keep-alive, downloading the
//      same pages (same query strings, signed with the receiver's key just
//      before curl starts) to /dev/null; bytes, pages/s and records/s.
//   5. The measurement: `aisafe --data RECEIVER sync sender.bench.aisafe
//      --page N`, a real process, from the empty receiver to done; records/s =
//      records stored / wall seconds; its peak RSS from wait4(ru_maxrss);
//      the sender's peak RSS from /proc/PID/status VmHWM (reset through
//      clear_refs just before the sync, and also read over the whole run).
//      The receiver's record count is checked afterwards.
//   6. The serve process is stopped, the receiver removed (--keep-receiver
//      keeps it) and the sender's member entry for it removed.
//
// Usage: federation_bench [--records N] [--quick] [--dir DIR] [--runs N]
//                         [--page N] [--aisafe PATH] [--examples FILE]
//                         [--keep-receiver] [--fixture-only]
//   --records N       records in the fixture (default 1000000)
//   --quick           20,000 records (a smoke run of the whole setup)
//   --dir DIR         keep the fixture (sender node) in DIR and reuse it when
//                     it holds --records records; the receiver and the logs
//                     of the last run go there too (default: a temporary
//                     directory, removed at the end)
//   --runs N          measured runs, each with a fresh receiver (default 1)
//   --page N          records per feed page, as `aisafe sync --page` (default
//                     1000, sync's default)
//   --aisafe PATH     the aisafe binary (default: the one built with this
//                     bench)
//   --examples FILE   the templates (default: the source tree's
//                     examples/records.jsonl)
//   --keep-receiver   leave the last run's receiver node in DIR/receiver
//   --fixture-only    build (or check) the sender in --dir and stop: the
//                     fixture may be built while the machine is busy, and
//                     measured later when it is quiet
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "federation/feed.h"
#include "federation/http_client.h"
#include "federation/http_signature.h"
#include "keys/keys.h"
#include "log/checkpoint.h"
#include "log/merkle.h"
#include "nlohmann/json.hpp"
#include "node/node.h"
#include "node/submitter.h"
#include "records/json.h"
#include "records/record.h"
#include "store/sqlite_store.h"
#include "util/clock.h"
#include "util/strings.h"

#ifndef AISAFE_EXAMPLES
#define AISAFE_EXAMPLES "examples/records.jsonl"
#endif
#ifndef AISAFE_CLI
#define AISAFE_CLI "aisafe"
#endif

extern char** environ;

namespace {

using Json = nlohmann::json;
using SteadyClock = std::chrono::steady_clock;
using aisafe::util::StrCat;

constexpr std::string_view kSenderName = "sender.bench.aisafe";
constexpr std::string_view kSenderCountry = "SG";
constexpr std::string_view kReceiverName = "receiver.bench.aisafe";
constexpr std::string_view kReceiverCountry = "MY";
constexpr std::string_view kFeedPath = "/v1/federation/feed";
constexpr size_t kMinBytes = 1024;
constexpr size_t kMaxBytes = 4096;

// Targets of issue 5.
constexpr double kTargetRate = 20000;
constexpr double kTargetRatio = 0.25;
constexpr double kTargetPeakMb = 300;

// Cleaned up by Die: the serve process and a temporary directory.
pid_t g_serve_pid = 0;
std::string g_remove_dir;

void StopProcess(pid_t pid);
std::string LoadAverage();

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "\nfederation_bench: %s\n", what.c_str());
  if (g_serve_pid > 0) StopProcess(g_serve_pid);
  if (!g_remove_dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(g_remove_dir, ec);
  }
  std::exit(1);
}

void Say(const std::string& what) { std::fprintf(stderr, "federation_bench: %s\n", what.c_str()); }

double Seconds(SteadyClock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string Fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// 1234567 -> "1,234,567".
std::string Grouped(double v) {
  std::string digits = std::to_string(static_cast<long long>(v + 0.5));
  std::string out;
  int n = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (n > 0 && n % 3 == 0 && *it != '-') out.insert(out.begin(), ',');
    out.insert(out.begin(), *it);
    ++n;
  }
  return out;
}

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteWhole(const std::string& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) Die("cannot write " + path);
}

std::string FirstLine(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

// ---------------------------------------------------------------------------
// Flags.

struct Flags {
  uint64_t records = 1000000;
  bool records_given = false;
  bool quick = false;
  std::string dir;
  int runs = 1;
  size_t page = 1000;
  std::string aisafe = AISAFE_CLI;
  std::string examples = AISAFE_EXAMPLES;
  bool keep_receiver = false;
  bool fixture_only = false;
  uint64_t batch = 5000;
};

uint64_t ParseCount(const std::string& flag, const std::string& value) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(value.c_str(), &end, 10);
  if (value.empty() || errno != 0 || *end != '\0' || value[0] == '-') {
    Die("flag " + flag + " needs a non-negative integer, not \"" + value + "\"");
  }
  return v;
}

void Usage() {
  std::printf(
      "usage: federation_bench [--records N] [--quick] [--dir DIR] [--runs N] [--page N] [--aisafe PATH]\n"
      "                        [--examples FILE] [--keep-receiver] [--fixture-only]\n");
}

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      Usage();
      std::exit(0);
    }
    if (arg == "--quick") {
      f.quick = true;
      continue;
    }
    if (arg == "--keep-receiver") {
      f.keep_receiver = true;
      continue;
    }
    if (arg == "--fixture-only") {
      f.fixture_only = true;
      continue;
    }
    std::string name = arg, value;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    } else {
      if (i + 1 >= argc) Die("flag " + arg + " needs a value (try --help)");
      value = argv[++i];
    }
    if (name == "--records") {
      f.records = ParseCount(name, value);
      f.records_given = true;
    } else if (name == "--dir") {
      f.dir = value;
    } else if (name == "--runs") {
      f.runs = static_cast<int>(ParseCount(name, value));
    } else if (name == "--page") {
      f.page = ParseCount(name, value);
    } else if (name == "--aisafe") {
      f.aisafe = value;
    } else if (name == "--examples") {
      f.examples = value;
    } else {
      Die("unknown flag " + name + " (try --help)");
    }
  }
  if (f.quick && !f.records_given) f.records = 20000;
  if (f.records == 0) Die("--records must be at least 1");
  if (f.fixture_only && f.dir.empty()) Die("--fixture-only needs --dir");
  if (f.runs < 1) Die("--runs must be at least 1");
  if (f.page < 1 || f.page > aisafe::federation::kMaxFeedPage) Die("--page must be from 1 to 5000");
  return f;
}

// ---------------------------------------------------------------------------
// Processes.

struct Exit {
  int status = 0;  // As waitpid gives it.
  rusage usage{};
  double seconds = 0;
};

pid_t Spawn(const std::vector<std::string>& argv, const std::string& out_path, const std::string& err_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) Die("cannot start " + argv[0] + ": " + std::strerror(rc));
  return pid;
}

Exit Reap(pid_t pid, SteadyClock::time_point started) {
  Exit e;
  while (wait4(pid, &e.status, 0, &e.usage) < 0) {
    if (errno != EINTR) Die(StrCat("wait4 failed: ", std::strerror(errno)));
  }
  e.seconds = Seconds(SteadyClock::now() - started);
  return e;
}

bool Succeeded(const Exit& e) { return WIFEXITED(e.status) && WEXITSTATUS(e.status) == 0; }

std::string Describe(const Exit& e) {
  if (WIFEXITED(e.status)) return StrCat("exit status ", WEXITSTATUS(e.status));
  if (WIFSIGNALED(e.status)) return StrCat("signal ", WTERMSIG(e.status));
  return "an unknown status";
}

double CpuSeconds(const rusage& u) {
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Runs a command to completion; its stdout, or Die with its stderr.
std::string RunTool(const std::vector<std::string>& argv, const std::string& logs, const std::string& tag) {
  const std::string out = logs + "/" + tag + ".out", err = logs + "/" + tag + ".err";
  pid_t pid = Spawn(argv, out, err);
  Exit e = Reap(pid, SteadyClock::now());
  if (!Succeeded(e)) {
    Die(StrCat(aisafe::util::StrJoin(argv, " "), " failed (", Describe(e), "):\n", ReadWhole(err)));
  }
  return ReadWhole(out);
}

// As RunTool, but failure is fine (cleanup steps).
void RunQuietly(const std::vector<std::string>& argv, const std::string& logs, const std::string& tag) {
  pid_t pid = Spawn(argv, logs + "/" + tag + ".out", logs + "/" + tag + ".err");
  Reap(pid, SteadyClock::now());
}

void StopProcess(pid_t pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  int status = 0;
  for (int i = 0; i < 300; ++i) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
}

// /proc/PID/status "VmHWM:" in MB (kB / 1024), or -1.
double PeakRssMb(pid_t pid) {
  std::ifstream in(StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  }
  return -1;
}

// Resets VmHWM to the current RSS (Linux >= 4.0: clear_refs "5").
bool ResetPeakRss(pid_t pid) {
  std::ofstream out(StrCat("/proc/", pid, "/clear_refs"));
  out << "5";
  out.close();
  return static_cast<bool>(out);
}

// User + system CPU seconds of a running process (/proc/PID/stat).
double ProcessCpuSeconds(pid_t pid) {
  std::string stat = ReadWhole(StrCat("/proc/", pid, "/stat"));
  size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream in(stat.substr(paren + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  // After ")": state is field 3; utime and stime are fields 14 and 15.
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
    if (i == 15) stime = std::strtoull(field.c_str(), nullptr, 10);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// /proc/pressure/cpu "some" total: microseconds in which some runnable task
// waited for a CPU (Linux PSI), or -1. Tells a quiet run from a busy one.
int64_t CpuPressureUs() {
  std::string text = ReadWhole("/proc/pressure/cpu");
  size_t at = text.find("total=");
  if (text.rfind("some", 0) != 0 || at == std::string::npos) return -1;
  return std::strtoll(text.c_str() + at + 6, nullptr, 10);
}

// Bytes of the files directly in `dir`.
uint64_t DirBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec)) total += e.file_size(ec);
  }
  return total;
}

// ---------------------------------------------------------------------------
// The fixture: the sender node.

// A template: the document with summary "" and an untagged title.
struct Template {
  Json doc;
  size_t base = 0;    // doc.dump().size().
  int64_t delta = 0;  // Canonical size minus dump size (the filled origin, created, nonce).
  std::string label;  // "incident/th", for messages.
};

// A small record, so that sizes down to 1 KB need no huge padding of
// templates that are already larger.
constexpr std::string_view kSmallTemplate =
    R"({"type":"practice","tlp":"green","lang":"en","countries":["SG"],"title":"Red-teaming in local languages",)"
    R"("body":{"kind":"best-practice","principles":["security-safety"],)"
    R"("description":"Test models in the languages their users speak, with native speakers."}})";

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string Filler(size_t n) {
  static const std::string kText =
      "This summary is padded by federation_bench so that record sizes spread evenly from one to four "
      "kilobytes. ";
  std::string out;
  out.reserve(n);
  while (out.size() < n) out.append(kText, 0, std::min(kText.size(), n - out.size()));
  if (!out.empty() && out.back() == ' ') out.back() = '.';
  return out;
}

std::string Tag(uint64_t n) { return StrCat(" [bench ", n, "]"); }

std::vector<Template> LoadTemplates(const std::string& path, aisafe::node::Submitter& submitter) {
  std::vector<Json> docs;
  std::ifstream in(path);
  if (!in) Die("cannot read the templates " + path + " (pass --examples FILE)");
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Json doc = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object()) Die(path + ": a line is not a JSON object");
    docs.push_back(std::move(doc));
  }
  docs.push_back(Json::parse(kSmallTemplate));
  std::vector<Template> out;
  for (Json& doc : docs) {
    doc["tlp"] = "green";
    for (const char* dropped : {"audience", "origin", "created", "nonce", "supersedes", "related"}) doc.erase(dropped);
    doc["summary"] = "";
    Template t;
    t.label = StrCat(doc.value("type", std::string("?")), "/", doc.value("lang", std::string("?")));
    t.base = doc.dump().size();
    // Calibrate: the canonical size of a tagged, padded copy.
    Json probe = doc;
    probe["title"] = probe["title"].get<std::string>() + Tag(1);
    probe["summary"] = Filler(64);
    std::string text = probe.dump();
    aisafe::node::InputDoc input{text, 1};
    auto prepared = submitter.Prepare({&input, 1}, "<template>");
    if (!prepared.ok()) {
      Say(StrCat("skipping template ", t.label, " (not valid as green): ", prepared.status().message()));
      continue;
    }
    t.delta = static_cast<int64_t>((*prepared)[0].record.canonical.size()) - static_cast<int64_t>(text.size());
    t.doc = std::move(doc);
    out.push_back(std::move(t));
  }
  if (out.empty()) Die("no usable template");
  return out;
}

// Record n (1-based): a template, tagged, its summary padded to a canonical
// size drawn uniformly from [kMinBytes, kMaxBytes].
std::string MakeDocument(const std::vector<Template>& templates, uint64_t n) {
  const size_t target = kMinBytes + SplitMix64(n) % (kMaxBytes - kMinBytes + 1);
  const std::string tag = Tag(n);
  constexpr int64_t kMinPadding = 16;
  for (size_t k = 0; k < templates.size(); ++k) {
    const Template& t = templates[(n + k) % templates.size()];
    int64_t padding = static_cast<int64_t>(target) - static_cast<int64_t>(t.base + tag.size()) - t.delta;
    if (padding < kMinPadding) continue;
    Json doc = t.doc;
    doc["title"] = doc["title"].get<std::string>() + tag;
    doc["summary"] = Filler(static_cast<size_t>(padding));
    return doc.dump();
  }
  Die(StrCat("no template fits a record of ", target, " bytes"));
}

struct FixtureInfo {
  uint64_t records = 0;
  uint64_t bytes = 0;  // Canonical bytes of all records.
  uint64_t min_bytes = 0, max_bytes = 0;
  double build_seconds = 0;
};

std::string EncodeInfo(const FixtureInfo& i) {
  return StrCat("records ", i.records, "\nbytes ", i.bytes, "\nmin_bytes ", i.min_bytes, "\nmax_bytes ", i.max_bytes,
                "\nbuild_ms ", static_cast<uint64_t>(i.build_seconds * 1000), "\n");
}

std::optional<FixtureInfo> ReadInfo(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  FixtureInfo i;
  std::string key;
  uint64_t value = 0;
  while (in >> key >> value) {
    if (key == "records") i.records = value;
    if (key == "bytes") i.bytes = value;
    if (key == "min_bytes") i.min_bytes = value;
    if (key == "max_bytes") i.max_bytes = value;
    if (key == "build_ms") i.build_seconds = static_cast<double>(value) / 1000;
  }
  if (i.records == 0) return std::nullopt;
  return i;
}

// A batch of documents: their text, and views of it.
struct Batch {
  std::vector<std::string> texts;
  std::vector<aisafe::node::InputDoc> docs;
};

FixtureInfo BuildSender(const Flags& flags, const std::string& sender_dir, const std::string& logs) {
  const auto start = SteadyClock::now();
  RunTool({flags.aisafe, "--data", sender_dir, "init", "--name", std::string(kSenderName), "--country",
           std::string(kSenderCountry)},
          logs, "sender-init");
  // The node's key signs the checkpoints; the store is then reopened
  // without fsync for the bulk load (the node's handle is closed first).
  std::optional<aisafe::keys::Signer> key;
  aisafe::node::NodeConfig config;
  {
    auto node = aisafe::node::Node::Open(sender_dir);
    if (!node.ok()) Die("cannot open the new sender node: " + node.status().ToString());
    key = (*node)->signer();
    config = (*node)->config();
  }
  auto opened = aisafe::store::OpenSqliteStore(sender_dir + "/store.sqlite", {.create = false, .durable = false});
  if (!opened.ok()) Die("cannot open the sender's store: " + opened.status().ToString());
  std::unique_ptr<aisafe::store::Store> store = std::move(*opened);
  const aisafe::util::Clock& clock = aisafe::util::RealClock();
  aisafe::node::NodeCheckpointSigner signer(&*key, &clock, config.checkpoint_interval);
  aisafe::node::Submitter submitter({.origin = config.name, .max_record_bytes = config.max_record_bytes, .threads = 0},
                                    store.get(), &clock, &signer);
  const std::vector<Template> templates = LoadTemplates(flags.examples, submitter);

  FixtureInfo info;
  info.min_bytes = UINT64_MAX;
  uint64_t next = 0;
  auto generate_next = [&]() -> std::optional<Batch> {
    if (next >= flags.records) return std::nullopt;
    uint64_t n = std::min(flags.batch, flags.records - next);
    Batch b;
    b.texts.reserve(n);
    for (uint64_t i = next; i < next + n; ++i) b.texts.push_back(MakeDocument(templates, i + 1));
    for (size_t i = 0; i < b.texts.size(); ++i) b.docs.push_back({b.texts[i], next + i + 1});
    next += n;
    return b;
  };
  // Pipelined: batch k+1 is prepared on other threads while batch k commits.
  std::optional<Batch> to_prepare = generate_next();
  std::optional<Batch> prepared_texts;  // Keeps the prepared batch's input alive.
  std::optional<std::vector<aisafe::node::Prepared>> to_commit;
  auto last_progress = SteadyClock::now();
  while (to_prepare || to_commit) {
    std::optional<absl::StatusOr<std::vector<aisafe::node::Prepared>>> prepared;
    std::thread preparer;
    if (to_prepare) preparer = std::thread([&] { prepared.emplace(submitter.Prepare(to_prepare->docs, "<bench>")); });
    if (to_commit) {
      auto results = submitter.Commit(*to_commit, "<bench>");
      if (!results.ok()) Die("commit failed: " + results.status().ToString());
      for (size_t i = 0; i < results->size(); ++i) {
        if (!(*results)[i].created) Die("a generated record was not new");
        uint64_t size = (*to_commit)[i].record.canonical.size();
        info.bytes += size;
        info.min_bytes = std::min(info.min_bytes, size);
        info.max_bytes = std::max(info.max_bytes, size);
      }
      info.records += results->size();
    }
    if (preparer.joinable()) preparer.join();
    to_commit.reset();
    if (prepared) {
      if (!prepared->ok()) Die("prepare failed: " + prepared->status().ToString());
      to_commit = std::move(**prepared);
      prepared_texts = std::move(to_prepare);
    }
    to_prepare = generate_next();
    if (SteadyClock::now() - last_progress > std::chrono::seconds(5)) {
      std::fprintf(stderr, "\rfederation_bench: sender %" PRIu64 "/%" PRIu64 " records, %.0f s", info.records,
                   flags.records, Seconds(SteadyClock::now() - start));
      last_progress = SteadyClock::now();
    }
  }
  std::fputc('\n', stderr);
  // One checkpoint of the whole log, as every write leaves it.
  auto checkpoint = store->Checkpoint(signer);
  if (!checkpoint.ok()) Die("cannot sign the checkpoint: " + checkpoint.status().ToString());
  auto log_size = store->LogSize();
  if (!log_size.ok() || *log_size != info.records || checkpoint->size != info.records) {
    Die("the sender's log does not hold every record");
  }
  store.reset();
  {
    auto node = aisafe::node::Node::Open(sender_dir);
    if (!node.ok()) Die("the sender does not open: " + node.status().ToString());
    auto count = (*node)->store().Count(std::nullopt);
    if (!count.ok() || *count != info.records) Die("the reopened sender does not hold every record");
  }
  info.build_seconds = Seconds(SteadyClock::now() - start);
  return info;
}

// ---------------------------------------------------------------------------
// One run.

struct Steps {
  double fetch = 0, parse = 0, decode = 0, checkpoint = 0, records = 0, proofs = 0;
  double Total() const { return fetch + decode + checkpoint + records + proofs; }  // parse is inside decode.
};

struct RunResult {
  // The first pass (HttpClient, no store).
  uint64_t pages = 0, records = 0, bytes = 0;
  double pass_seconds = 0;
  Steps steps;
  // curl.
  double curl_seconds = 0, curl_cpu = 0, sender_cpu_curl = 0;
  uint64_t curl_bytes = 0, curl_pages = 0, curl_connects = 0;
  // aisafe sync.
  double sync_seconds = 0, sync_cpu = 0, sync_user = 0, sender_cpu_sync = 0;
  double sync_written_mb = 0, sync_read_mb = 0;  // rusage ru_oublock / ru_inblock (512-byte blocks).
  double receiver_peak_mb = 0, sender_peak_sync_mb = -1, sender_peak_run_mb = -1;
  bool hwm_reset = false;
  double pressure_sync = -1;  // Share of the sync's wall time with a task waiting for a CPU.
  std::string load_after;
  uint64_t stored = 0;
  std::string sync_line;
  uint64_t receiver_bytes = 0;
};

std::string QueryFor(size_t limit, const std::string& cursor, std::optional<uint64_t> have) {
  // As the puller asks: `to` binds the signed request to the sender.
  std::string q = StrCat("limit=", limit, "&to=", kSenderName);
  if (!cursor.empty()) aisafe::util::StrAppend(&q, "&cursor=", cursor);
  if (have) aisafe::util::StrAppend(&q, "&have=", *have);
  return q;
}

// A curl config value: quoted, with \ and " escaped.
std::string CurlQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

RunResult RunOnce(const Flags& flags, const std::string& work, const std::string& sender_dir, const FixtureInfo& fx,
                  int run_no) {
  RunResult res;
  const std::string logs = work + "/logs";
  const std::string recv_dir = work + "/receiver";
  std::error_code ec;
  std::filesystem::remove_all(recv_dir, ec);
  const std::string& aisafe = flags.aisafe;
  const std::string sender_name(kSenderName), receiver_name(kReceiverName);

  // The receiver, known to the sender as a member.
  RunTool({aisafe, "--data", recv_dir, "init", "--name", receiver_name, "--country", std::string(kReceiverCountry)},
          logs, "receiver-init");
  const std::string recv_vkey = FirstLine(RunTool({aisafe, "--data", recv_dir, "key"}, logs, "receiver-key"));
  const std::string sender_vkey = FirstLine(RunTool({aisafe, "--data", sender_dir, "key"}, logs, "sender-key"));
  RunQuietly({aisafe, "--data", sender_dir, "member", "remove", receiver_name}, logs, "sender-member-remove");
  RunTool({aisafe, "--data", sender_dir, "member", "add", receiver_name, recv_vkey, "--country",
           std::string(kReceiverCountry)},
          logs, "sender-member-add");

  // The sender's server.
  const std::string serve_out = logs + "/sender-serve.out";
  g_serve_pid = Spawn(
      {aisafe, "--data", sender_dir, "serve", "--listen", "127.0.0.1:0", "--sync-interval", "0", "--access-log", "off"},
      serve_out, logs + "/sender-serve.err");
  std::string url_text;
  for (int i = 0; i < 600; ++i) {
    url_text = ReadWhole(serve_out);
    if (url_text.find('\n') != std::string::npos) break;
    int status = 0;
    if (waitpid(g_serve_pid, &status, WNOHANG) == g_serve_pid) {
      g_serve_pid = 0;
      Die("aisafe serve exited before it was ready:\n" + ReadWhole(logs + "/sender-serve.err"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const std::string url_line = FirstLine(url_text);
  if (url_line.empty()) Die("aisafe serve printed no URL within 30 s");
  auto url = aisafe::federation::ParseUrl(url_line);
  if (!url.ok()) Die("aisafe serve printed \"" + url_line + "\": " + url.status().ToString());
  RunTool({aisafe, "--data", recv_dir, "peer", "add", sender_name, url_line, sender_vkey}, logs, "receiver-peer-add");

  std::string key_text = ReadWhole(recv_dir + "/node.key");
  while (!key_text.empty() && (key_text.back() == '\n' || key_text.back() == '\r')) key_text.pop_back();
  auto recv_key = aisafe::keys::Signer::Parse(key_text);
  if (!recv_key.ok()) Die("cannot read the receiver's key: " + recv_key.status().ToString());
  auto sender_key = aisafe::keys::ParseVerifierKey(sender_vkey);
  if (!sender_key.ok()) Die("cannot parse the sender's key: " + sender_key.status().ToString());

  // --- The first pass: the pages as the puller asks for them, each step of
  // the receiver's verification timed, no store.
  Say(StrCat("run ", run_no, ": first pass over the feed (HttpClient, verify, no store; warms the sender)"));
  std::vector<std::string> queries;
  {
    aisafe::federation::HttpClient client(*url, aisafe::federation::ClientOptions{});
    std::string cursor;
    std::optional<uint64_t> have;
    const auto start = SteadyClock::now();
    auto last_progress = start;
    while (true) {
      const std::string query = QueryFor(flags.page, cursor, have);
      queries.push_back(query);
      std::string full_path = url->base_path + std::string(kFeedPath);
      auto sig = aisafe::federation::SignRequest(*recv_key, "GET", full_path, query, absl::Now());
      aisafe::federation::ClientRequest req;
      req.target = StrCat(kFeedPath, "?", query);
      req.headers = {{"Date", sig.date},
                     {"Signature-Input", sig.signature_input},
                     {"Signature", sig.signature},
                     {"Accept", "application/json"}};
      auto t0 = SteadyClock::now();
      auto resp = client.Send(req);
      auto t1 = SteadyClock::now();
      if (!resp.ok()) Die("feed request failed: " + resp.status().ToString());
      if (resp->status != 200) Die(StrCat("feed answered ", resp->status, ": ", resp->body.substr(0, 300)));
      res.bytes += resp->body.size();
      {
        auto parsed = aisafe::records::ParseJson(resp->body);
        if (!parsed.ok()) Die("page is not JSON: " + parsed.status().ToString());
      }
      auto t2 = SteadyClock::now();
      auto page = aisafe::federation::DecodeFeedPage(resp->body);
      auto t3 = SteadyClock::now();
      if (!page.ok()) Die("malformed page: " + page.status().ToString());
      auto cp = aisafe::log::OpenCheckpoint(page->checkpoint, *sender_key, sender_name);
      auto t4 = SteadyClock::now();
      if (!cp.ok()) Die("the page's checkpoint does not verify: " + cp.status().ToString());
      std::vector<aisafe::records::RecordId> ids;
      ids.reserve(page->entries.size());
      for (const auto& e : page->entries) {
        std::vector<aisafe::records::Violation> violations;
        auto rec = aisafe::records::MakeRecord(e.record, 1 << 20, &violations);
        if (!rec) Die(StrCat("record at index ", e.index, " is not valid"));
        if (rec->origin != sender_name || rec->tlp != aisafe::records::Tlp::kGreen) {
          Die(StrCat("record at index ", e.index, " is not a green record of the sender"));
        }
        ids.push_back(rec->id);
      }
      auto t5 = SteadyClock::now();
      for (size_t i = 0; i < page->entries.size(); ++i) {
        const auto& e = page->entries[i];
        std::string_view entry(reinterpret_cast<const char*>(ids[i].data()), ids[i].size());
        auto st = aisafe::log::VerifyInclusion(e.index, cp->checkpoint.size, aisafe::log::LeafHash(entry), e.proof,
                                               cp->checkpoint.root);
        if (!st.ok()) Die(StrCat("inclusion proof of index ", e.index, " fails: ", st.message()));
      }
      auto t6 = SteadyClock::now();
      res.steps.fetch += Seconds(t1 - t0);
      res.steps.parse += Seconds(t2 - t1);
      res.steps.decode += Seconds(t3 - t2);
      res.steps.checkpoint += Seconds(t4 - t3);
      res.steps.records += Seconds(t5 - t4);
      res.steps.proofs += Seconds(t6 - t5);
      res.records += page->entries.size();
      ++res.pages;
      // As the puller: after the first page the receiver holds the sender's
      // checkpoint and says so.
      if (!have) have = cp->checkpoint.size;
      bool progressed = page->next_cursor != cursor;
      cursor = page->next_cursor;
      if (!page->more || !progressed) break;
      if (SteadyClock::now() - last_progress > std::chrono::seconds(5)) {
        std::fprintf(stderr, "\rfederation_bench: first pass %" PRIu64 "/%" PRIu64 " records", res.records, fx.records);
        last_progress = SteadyClock::now();
      }
    }
    res.pass_seconds = Seconds(SteadyClock::now() - start);
    std::fputc('\n', stderr);
  }
  if (res.records != fx.records) {
    Die(StrCat("the feed gave ", res.records, " records to the receiver, the sender holds ", fx.records));
  }

  // --- curl: the same pages, signed just before it starts.
  Say(StrCat("run ", run_no, ": curl, ", queries.size(), " pages"));
  {
    std::string config;
    absl::Time now = absl::Now();
    const std::string base = StrCat("http://127.0.0.1:", url->port, url->base_path);
    for (size_t i = 0; i < queries.size(); ++i) {
      auto sig =
          aisafe::federation::SignRequest(*recv_key, "GET", url->base_path + std::string(kFeedPath), queries[i], now);
      if (i > 0) config += "next\n";
      aisafe::util::StrAppend(&config, "url = ", CurlQuote(StrCat(base, kFeedPath, "?", queries[i])), "\n",
                              "header = ", CurlQuote("Date: " + sig.date), "\n",
                              "header = ", CurlQuote("Signature-Input: " + sig.signature_input), "\n",
                              "header = ", CurlQuote("Signature: " + sig.signature), "\n",
                              "header = ", CurlQuote("Accept: application/json"), "\n", "output = \"/dev/null\"\n",
                              "write-out = \"%{http_code} %{size_download} %{num_connects}\\n\"\n");
    }
    const std::string config_path = logs + "/curl.cfg";
    WriteWhole(config_path, config);
    double sender_cpu0 = ProcessCpuSeconds(g_serve_pid);
    auto start = SteadyClock::now();
    pid_t pid = Spawn({"curl", "-s", "-K", config_path}, logs + "/curl.out", logs + "/curl.err");
    Exit e = Reap(pid, start);
    res.sender_cpu_curl = ProcessCpuSeconds(g_serve_pid) - sender_cpu0;
    if (!Succeeded(e)) Die(StrCat("curl failed (", Describe(e), "): ", ReadWhole(logs + "/curl.err")));
    res.curl_seconds = e.seconds;
    res.curl_cpu = CpuSeconds(e.usage);
    std::istringstream out(ReadWhole(logs + "/curl.out"));
    int code = 0;
    uint64_t bytes = 0, connects = 0;
    while (out >> code >> bytes >> connects) {
      if (code != 200) Die(StrCat("curl got status ", code, " for page ", res.curl_pages + 1));
      res.curl_bytes += bytes;
      res.curl_connects += connects;
      ++res.curl_pages;
    }
    if (res.curl_pages != queries.size()) {
      Die(StrCat("curl reported ", res.curl_pages, " transfers for ", queries.size(), " pages"));
    }
  }

  // --- The measurement: aisafe sync, a real process, from empty to done.
  Say(StrCat("run ", run_no, ": aisafe sync ", sender_name));
  {
    res.sender_peak_run_mb = PeakRssMb(g_serve_pid);
    res.hwm_reset = ResetPeakRss(g_serve_pid);
    double sender_cpu0 = ProcessCpuSeconds(g_serve_pid);
    int64_t pressure0 = CpuPressureUs();
    auto start = SteadyClock::now();
    pid_t pid = Spawn({aisafe, "--data", recv_dir, "sync", sender_name, "--page", std::to_string(flags.page)},
                      logs + "/sync.out", logs + "/sync.err");
    Exit e = Reap(pid, start);
    res.sender_cpu_sync = ProcessCpuSeconds(g_serve_pid) - sender_cpu0;
    int64_t pressure1 = CpuPressureUs();
    if (pressure0 >= 0 && pressure1 >= 0) {
      res.pressure_sync = static_cast<double>(pressure1 - pressure0) / 1e6 / e.seconds;
    }
    res.load_after = LoadAverage();
    const std::string err = ReadWhole(logs + "/sync.err");
    if (!Succeeded(e)) Die(StrCat("aisafe sync failed (", Describe(e), "):\n", err));
    res.sync_seconds = e.seconds;
    res.sync_cpu = CpuSeconds(e.usage);
    res.sync_user = static_cast<double>(e.usage.ru_utime.tv_sec) + static_cast<double>(e.usage.ru_utime.tv_usec) / 1e6;
    res.receiver_peak_mb = static_cast<double>(e.usage.ru_maxrss) / 1024.0;
    res.sync_written_mb = static_cast<double>(e.usage.ru_oublock) * 512 / 1e6;
    res.sync_read_mb = static_cast<double>(e.usage.ru_inblock) * 512 / 1e6;
    res.sync_line = FirstLine(err);
    res.sender_peak_sync_mb = PeakRssMb(g_serve_pid);
    res.sender_peak_run_mb = std::max(res.sender_peak_run_mb, res.sender_peak_sync_mb);
  }
  StopProcess(g_serve_pid);
  g_serve_pid = 0;
  {
    auto node = aisafe::node::Node::Open(recv_dir);
    if (!node.ok()) Die("cannot open the receiver: " + node.status().ToString());
    auto count = (*node)->store().Count(std::nullopt);
    if (!count.ok()) Die("cannot count the receiver's records: " + count.status().ToString());
    res.stored = *count;
  }
  if (res.stored != fx.records) {
    Die(StrCat("the receiver holds ", res.stored, " records after the sync, not ", fx.records,
               "; sync said: ", res.sync_line));
  }
  res.receiver_bytes = DirBytes(recv_dir);
  RunQuietly({aisafe, "--data", sender_dir, "member", "remove", receiver_name}, logs, "sender-member-remove");
  if (!flags.keep_receiver) std::filesystem::remove_all(recv_dir, ec);
  return res;
}

// ---------------------------------------------------------------------------
// Report.

std::string Machine() {
  std::ifstream in("/proc/cpuinfo");
  std::string line, model = "?";
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  return StrCat(std::to_string(std::thread::hardware_concurrency()), " CPUs, ", model);
}

std::string LoadAverage() { return FirstLine(ReadWhole("/proc/loadavg")); }

std::string PassFail(bool ok) { return ok ? "PASS" : "FAIL"; }

void Report(const Flags& flags, const FixtureInfo& fx, const std::vector<RunResult>& runs, const std::string& load,
            const std::string& curl_version, const std::string& sender_dir) {
  std::printf("\nfederation_bench: %s green records (%.1f MB canonical, %s-%s B, mean %.0f B), pages of %zu\n",
              Grouped(static_cast<double>(fx.records)).c_str(), static_cast<double>(fx.bytes) / 1e6,
              Grouped(static_cast<double>(fx.min_bytes)).c_str(), Grouped(static_cast<double>(fx.max_bytes)).c_str(),
              static_cast<double>(fx.bytes) / static_cast<double>(fx.records), flags.page);
  std::printf("machine: %s; load average at start %s\n", Machine().c_str(), load.c_str());
  std::printf("SQLite %s; %s; sender store %.0f MB\n", sqlite3_libversion(), curl_version.c_str(),
              static_cast<double>(DirBytes(sender_dir)) / 1e6);
  std::printf(
      "sender: aisafe serve --listen 127.0.0.1:0 --sync-interval 0 --access-log off ([server] threads = 0: one "
      "per core)\n");
  std::printf(
      "receiver: aisafe sync %s --page %zu (a fresh node per run); curl -s -K FILE (one process, keep-alive), "
      "same pages\n",
      std::string(kSenderName).c_str(), flags.page);
  for (size_t r = 0; r < runs.size(); ++r) {
    const RunResult& x = runs[r];
    const double n = static_cast<double>(x.stored);
    const double sync_rate = n / x.sync_seconds;
    const double curl_rate = static_cast<double>(x.records) / x.curl_seconds;
    const double ratio = sync_rate / curl_rate;
    std::printf("\nrun %zu of %zu\n", r + 1, runs.size());
    std::printf("%-44s %9s %12s %9s %10s %10s\n", "", "seconds", "records/s", "MB/s", "CPU s", "sender CPU");
    std::printf("%-44s %9.2f %12s %9.1f %10.2f %10.2f\n", "aisafe sync (verify + store), the measure", x.sync_seconds,
                Grouped(sync_rate).c_str(), static_cast<double>(x.bytes) / 1e6 / x.sync_seconds, x.sync_cpu,
                x.sender_cpu_sync);
    std::printf("%-44s %9.2f %12s %9.1f %10.2f %10.2f\n", "curl, same pages to /dev/null", x.curl_seconds,
                Grouped(curl_rate).c_str(), static_cast<double>(x.curl_bytes) / 1e6 / x.curl_seconds, x.curl_cpu,
                x.sender_cpu_curl);
    std::printf("%-44s %9.2f %12s %9.1f\n", "first pass: HttpClient + verify, no store", x.pass_seconds,
                Grouped(static_cast<double>(x.records) / x.pass_seconds).c_str(),
                static_cast<double>(x.bytes) / 1e6 / x.pass_seconds);
    std::printf("pages %" PRIu64 "; bytes: first pass %s, curl %s (%s); curl connections %" PRIu64
                "; curl pages/s %.1f\n",
                x.pages, Grouped(static_cast<double>(x.bytes)).c_str(),
                Grouped(static_cast<double>(x.curl_bytes)).c_str(), x.bytes == x.curl_bytes ? "same" : "DIFFERENT",
                x.curl_connects, static_cast<double>(x.curl_pages) / x.curl_seconds);
    std::printf("stored %s records (checked in the receiver's store); sync said: %s\n", Grouped(n).c_str(),
                x.sync_line.c_str());
    std::printf(
        "peak RSS: receiver (sync, ru_maxrss) %.1f MB; sender (serve, VmHWM) %.1f MB during the sync%s, "
        "%.1f MB over the run\n",
        x.receiver_peak_mb, x.sender_peak_sync_mb, x.hwm_reset ? "" : " (VmHWM reset failed: whole life)",
        x.sender_peak_run_mb);
    std::printf(
        "receiver store after the sync: %.0f MB; the sync wrote %.0f MB and read %.0f MB of files "
        "(rusage; %.1f KB written per record); user CPU %.2f s, system %.2f s\n",
        static_cast<double>(x.receiver_bytes) / 1e6, x.sync_written_mb, x.sync_read_mb, x.sync_written_mb * 1e3 / n,
        x.sync_user, x.sync_cpu - x.sync_user);
    std::printf("contention: CPU pressure (PSI some) %.0f %% of the sync's wall time; load average after it %s\n",
                100 * x.pressure_sync, x.load_after.c_str());
    std::printf("receiver steps, timed in the first pass on the same pages (one thread, no store):\n");
    const Steps& s = x.steps;
    auto step = [&](const char* what, double secs) {
      std::printf("  %-52s %8.2f s %8.1f us/record %6.1f %% of sync\n", what, secs, secs / n * 1e6,
                  100 * secs / x.sync_seconds);
    };
    step("fetch (HttpClient::Send, incl. the sender's work)", s.fetch);
    step("JSON parse alone (records::ParseJson; inside decode)", s.parse);
    step("page decode (DecodeFeedPage)", s.decode);
    step("checkpoint signature (OpenCheckpoint)", s.checkpoint);
    step("records (MakeRecord: NFC, validate, canonicalise, id)", s.records);
    step("inclusion proofs (VerifyInclusion)", s.proofs);
    step("sum of the above (parse counted once)", s.Total());
    // Only a sequential puller's store time: when the puller overlaps
    // fetching, verifying and storing, the steps overlap too.
    step("sync minus the sum (store, if nothing overlaps)", std::max(0.0, x.sync_seconds - s.Total()));
    std::printf("targets:\n");
    std::printf("  %-52s %12s  %s\n", ">= 20,000 records/s", Grouped(sync_rate).c_str(),
                PassFail(sync_rate >= kTargetRate).c_str());
    std::printf("  %-52s %11.1f%%  %s\n", ">= 25 % of curl's records/s (same run)", 100 * ratio,
                PassFail(ratio >= kTargetRatio).c_str());
    std::printf("  %-52s %9.1f MB  %s\n", "receiver peak RSS < 300 MB", x.receiver_peak_mb,
                PassFail(x.receiver_peak_mb < kTargetPeakMb).c_str());
    std::printf("  %-52s %9.1f MB  %s\n", "sender peak RSS < 300 MB (whole run)", x.sender_peak_run_mb,
                PassFail(x.sender_peak_run_mb >= 0 && x.sender_peak_run_mb < kTargetPeakMb).c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags = ParseFlags(argc, argv);
  ::signal(SIGPIPE, SIG_IGN);
  if (flags.aisafe.find('/') != std::string::npos && ::access(flags.aisafe.c_str(), X_OK) != 0) {
    Die("no aisafe binary at " + flags.aisafe + " (build the aisafe target, or pass --aisafe PATH)");
  }
  const std::string load = LoadAverage();

  // Where everything goes.
  std::string work = flags.dir;
  if (work.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = StrCat(tmp && *tmp ? tmp : "/tmp", "/aisafe-federation-bench-XXXXXX");
    if (::mkdtemp(tmpl.data()) == nullptr) Die(StrCat("cannot create a temporary directory: ", std::strerror(errno)));
    work = tmpl;
    g_remove_dir = work;
  }
  std::error_code ec;
  std::filesystem::create_directories(work + "/logs", ec);
  if (ec) Die("cannot create " + work + "/logs: " + ec.message());
  work = std::filesystem::absolute(work).string();
  const std::string logs = work + "/logs";
  const std::string sender_dir = work + "/sender";
  const std::string info_path = work + "/fixture.txt";

  const std::string curl_version = FirstLine(RunTool({"curl", "--version"}, logs, "curl-version"));
  std::string curl_short = curl_version.substr(0, curl_version.find(" ("));

  FixtureInfo fx;
  std::optional<FixtureInfo> existing = ReadInfo(info_path);
  if (existing && existing->records == flags.records && std::filesystem::exists(sender_dir + "/node.toml")) {
    fx = *existing;
    Say(StrCat("reusing the sender in ", sender_dir, " (", fx.records, " records)"));
  } else {
    if (std::filesystem::exists(sender_dir)) {
      Die(StrCat(sender_dir, " exists but is not a fixture of ", flags.records,
                 " records; remove it or choose another --dir"));
    }
    Say(StrCat("creating the sender: ", flags.records, " records in ", sender_dir));
    fx = BuildSender(flags, sender_dir, logs);
    WriteWhole(info_path, EncodeInfo(fx));
    Say(StrCat("sender built in ", Fmt("%.1f", fx.build_seconds), " s"));
  }
  if (fx.min_bytes < kMinBytes || fx.max_bytes > kMaxBytes) {
    Say(StrCat("WARNING: record sizes ", fx.min_bytes, "-", fx.max_bytes, " B are outside [", kMinBytes, ", ",
               kMaxBytes, "]"));
  }

  if (flags.fixture_only) {
    std::printf("federation_bench: sender of %" PRIu64 " records (%.1f MB canonical, %" PRIu64 "-%" PRIu64
                " B) in %s\n",
                fx.records, static_cast<double>(fx.bytes) / 1e6, fx.min_bytes, fx.max_bytes, sender_dir.c_str());
    return 0;
  }
  std::vector<RunResult> runs;
  for (int r = 1; r <= flags.runs; ++r) runs.push_back(RunOnce(flags, work, sender_dir, fx, r));
  Report(flags, fx, runs, load, curl_short, sender_dir);
  if (!g_remove_dir.empty()) std::filesystem::remove_all(g_remove_dir, ec);
  return 0;
}
