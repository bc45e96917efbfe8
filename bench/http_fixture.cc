// http_fixture: the data for the HTTP benchmark (issue 4, bench/http_bench.sh).
//
// Creates, under --out DIR:
//   DIR/node/               a node data directory (node::Node::Init) holding
//                           N records, their log, and a checkpoint of the
//                           whole log
//   DIR/ids.txt             the records' ids, lowercase hex, one per line
//   DIR/tiles.txt           every full hash tile of the log as a URL path,
//                           "/log/tile/0/x001/234", level 0 and above
//                           (log::TilePath, C2SP tlog-tiles)
//   DIR/www/v1/records/ID   each record's canonical JSON (RFC 8785), the
//                           bytes GET /v1/records/ID answers with, for nginx
//   DIR/get_random.lua      wrk: GET /v1/records/ID for random ids of ids.txt
//   DIR/tiles_random.lua    wrk: GET a random path of tiles.txt
//   DIR/post_batch.lua      wrk: POST /v1/records, 100 new records per
//                           request as JSON Lines (application/x-ndjson),
//                           Authorization: Bearer $AISAFE_TOKEN
//
// Records: the 42 records of examples/records.jsonl (all six types, nine
// languages, 1.1-4.7 KB) used as templates in turn; each copy gets a unique
// title (" [bench N]" appended) and is made TLP:CLEAR (audience dropped) so
// unauthenticated readers may fetch every one of them, like nginx's static
// files. The node fills origin, created and nonce, as for any submission.
// Oversight templates keep their valid signatures (they sign the body only).
//
// Speed: records go through the node's own submit path (node::Submitter:
// Prepare then Commit, batches of --batch, with checkpoints signed by the
// node's key), but into the store opened with synchronous=OFF
// (store::SqliteOptions::durable = false): this tool builds a fixture, it
// does not measure ingest (bench/ingest_bench.cc does). Batch k+1 is
// prepared on other threads while batch k commits and its files are
// written. The files are consistent once the tool exits (the OS has them),
// not on a power cut.
//
// Usage: http_fixture --out DIR [--records N] [--batch N] [--threads N]
//                     [--examples FILE] [--post-size N]
//   --out DIR        where to create everything; must not exist or be empty
//   --records N      records to store (default 1000000)
//   --batch N        records per Prepare/Commit (default 5000)
//   --threads N      Prepare threads; 0 = all cores (default 0)
//   --examples FILE  the templates (default: the source tree's
//                    examples/records.jsonl)
//   --post-size N    records per request in post_batch.lua (default 100)
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "log/tiles.h"
#include "nlohmann/json.hpp"
#include "node/node.h"
#include "node/submitter.h"
#include "store/sqlite_store.h"
#include "util/clock.h"
#include "util/hex.h"

#ifndef AISAFE_EXAMPLES
#define AISAFE_EXAMPLES "examples/records.jsonl"
#endif

namespace {

using Json = nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

constexpr std::string_view kNodeName = "bench-node";
constexpr std::string_view kCountry = "SG";
constexpr std::string_view kSource = "<http_fixture>";

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "http_fixture: %s\n", what.c_str());
  std::exit(1);
}

double Seconds(SteadyClock::duration d) { return std::chrono::duration<double>(d).count(); }

struct Flags {
  std::string out;
  uint64_t records = 1000000;
  uint64_t batch = 5000;
  int threads = 0;
  std::string examples = AISAFE_EXAMPLES;
  uint64_t post_size = 100;
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

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::printf(
          "usage: http_fixture --out DIR [--records N] [--batch N] [--threads N] [--examples FILE] "
          "[--post-size N]\n");
      std::exit(0);
    }
    std::string name = arg, value;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    } else {
      if (i + 1 >= argc) Die("flag " + arg + " needs a value");
      value = argv[++i];
    }
    if (name == "--out") {
      f.out = value;
    } else if (name == "--records") {
      f.records = ParseCount(name, value);
    } else if (name == "--batch") {
      f.batch = ParseCount(name, value);
    } else if (name == "--threads") {
      f.threads = static_cast<int>(ParseCount(name, value));
    } else if (name == "--examples") {
      f.examples = value;
    } else if (name == "--post-size") {
      f.post_size = ParseCount(name, value);
    } else {
      Die("unknown flag " + name + " (try --help)");
    }
  }
  if (f.out.empty()) Die("--out DIR is required (try --help)");
  if (f.records == 0) Die("--records must be at least 1");
  if (f.batch == 0) Die("--batch must be at least 1");
  if (f.post_size == 0) Die("--post-size must be at least 1");
  return f;
}

// ---------------------------------------------------------------------------
// Generation.

std::vector<Json> LoadTemplates(const std::string& path) {
  std::ifstream in(path);
  if (!in) Die("cannot read the templates " + path + " (pass --examples FILE)");
  std::vector<Json> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Json doc = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object()) Die(path + ": a line is not a JSON object");
    doc["tlp"] = "clear";
    doc.erase("audience");
    for (const char* filled : {"origin", "created", "nonce"}) doc.erase(filled);
    out.push_back(std::move(doc));
  }
  if (out.empty()) Die(path + " holds no record");
  return out;
}

// A batch of documents: their text, and views of it.
struct Batch {
  std::vector<std::string> texts;
  std::vector<aisafe::node::InputDoc> docs;
};

Batch Generate(const std::vector<Json>& templates, uint64_t first, uint64_t count) {
  Batch b;
  b.texts.reserve(count);
  for (uint64_t i = first; i < first + count; ++i) {
    Json doc = templates[i % templates.size()];
    doc["title"] = doc["title"].get<std::string>() + " [bench " + std::to_string(i + 1) + "]";
    b.texts.push_back(doc.dump());
  }
  b.docs.reserve(count);
  for (size_t i = 0; i < b.texts.size(); ++i) b.docs.push_back({b.texts[i], first + i + 1});
  return b;
}

// ---------------------------------------------------------------------------
// Output files.

void WriteWhole(const std::string& path, std::string_view data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) Die("cannot create " + path + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) Die("cannot write " + path + ": " + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) Die("cannot close " + path + ": " + std::strerror(errno));
}

// A Lua string literal of any bytes.
std::string LuaQuote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03d", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out + "\"";
}

// Shared by the three scripts: thread numbering and a machine-readable
// summary line, which bench/http_bench.sh parses (wrk's own text rounds).
const char* const kLuaCommon = R"lua(
-- Numbers the threads so each can seed its own random sequence.
local next_thread = 0
function setup(thread)
  next_thread = next_thread + 1
  thread:set("thread_no", next_thread)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK_RESULT requests=%d duration_us=%d bytes=%d p50_us=%.1f p90_us=%.1f p99_us=%.1f max_us=%.1f " ..
    "errors_connect=%d errors_read=%d errors_write=%d errors_status=%d errors_timeout=%d\n",
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
)lua";

void WriteScripts(const Flags& flags, const std::string& out) {
  const std::string ids = std::filesystem::absolute(out + "/ids.txt").string();
  const std::string tiles = std::filesystem::absolute(out + "/tiles.txt").string();

  // Paths are loaded in init, which runs in each wrk thread's own Lua
  // state, not in the main state that only calls setup and done.
  auto lines_script = [&](const char* what, const std::string& file, const char* prefix) {
    return std::string("-- ") + what + " (written by http_fixture).\n" + kLuaCommon + R"lua(
local paths = {}
function init(args)
  for line in io.lines()lua" +
           LuaQuote(file) + R"lua() do
    paths[#paths + 1] = )lua" +
           LuaQuote(prefix) + R"lua( .. line
  end
  if #paths == 0 then error("no paths in the list") end
  math.randomseed(os.time() * 1000 + (thread_no or 0))
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
)lua";
  };
  WriteWhole(out + "/get_random.lua",
             lines_script("GET /v1/records/ID for random ids of ids.txt, unauthenticated (every record is TLP:CLEAR)",
                          ids, "/v1/records/"));
  WriteWhole(out + "/tiles_random.lua", lines_script("GET random full hash tiles listed in tiles.txt", tiles, ""));

  // POST: `post_size` new incidents per request. The nonce is unique per
  // run (the start time), thread and request, so every record is new even
  // when the bench runs again on the same node.
  const std::string post = std::string("-- POST /v1/records: ") + std::to_string(flags.post_size) +
                           " new TLP:CLEAR incidents per request as JSON Lines (written by http_fixture).\n" +
                           "-- Needs AISAFE_TOKEN in the environment (a principal allowed to write).\n" + kLuaCommon +
                           R"lua(
local per_request = )lua" + std::to_string(flags.post_size) +
                           R"lua(
local token = os.getenv("AISAFE_TOKEN")
local headers = nil
local run = 0
local count = 0

-- One record; %s is the nonce, used in the title too.
local template = '{"type":"incident","tlp":"clear","lang":"en","countries":["SG"],' ..
  '"title":"Benchmark incident %s","summary":"A chatbot deployed by a public service gave ' ..
  'fabricated legal advice to several users before the operator disabled it.",' ..
  '"nonce":"%s","body":{"occurred":"2026-10-01","domain":"public-services",' ..
  '"harm_categories":["misinformation","human-computer-interaction"],"severity":"moderate",' ..
  '"description":"Over three days the assistant answered 1,200 questions about tenancy law; ' ..
  'reviewers found that 7 percent of sampled answers cited regulations that do not exist. ' ..
  'The operator disabled the feature, notified affected users and added human review of ' ..
  'legal answers before re-enabling it.","affected":84,' ..
  '"systems":[{"name":"public-service-assistant","provider":"provider-7"}],' ..
  '"observables":[{"kind":"domain","value":"assistant.gov.example"}]}}'

function init(args)
  if token == nil or token == "" then error("set AISAFE_TOKEN to an API token") end
  headers = {["Content-Type"] = "application/x-ndjson", ["Authorization"] = "Bearer " .. token}
  run = os.time() % 2147483648  -- LuaJIT formats %x through an int32.
end

function request()
  local lines = {}
  for i = 1, per_request do
    count = count + 1
    -- 8 + 8 + 16 hex digits = the 32 a nonce has.
    local nonce = string.format("%08x%08x%016x", run, thread_no or 0, count)
    lines[i] = string.format(template, nonce, nonce)
  end
  return wrk.format("POST", "/v1/records", headers, table.concat(lines, "\n") .. "\n")
end
)lua";
  WriteWhole(out + "/post_batch.lua", post);
}

// ---------------------------------------------------------------------------

std::unique_ptr<aisafe::store::Store> OpenFastStore(const std::string& path) {
  auto store = aisafe::store::OpenSqliteStore(path, {.create = false, .durable = false});
  if (!store.ok()) Die("cannot open the store: " + store.status().ToString());
  return std::move(*store);
}

}  // namespace

int main(int argc, char** argv) {
  const Flags flags = ParseFlags(argc, argv);
  const std::string& out = flags.out;
  std::error_code ec;
  if (std::filesystem::exists(out, ec) && !std::filesystem::is_empty(out, ec)) {
    Die(out + " exists and is not empty");
  }
  const std::string node_dir = out + "/node";
  const std::string records_dir = out + "/www/v1/records";
  std::filesystem::create_directories(records_dir, ec);
  if (ec) Die("cannot create " + records_dir + ": " + ec.message());

  const std::vector<Json> templates = LoadTemplates(flags.examples);
  const auto start = SteadyClock::now();

  // The node: its directory, key and empty store. Its key signs the
  // checkpoints; the store is then reopened without fsync for the bulk load
  // (the node's own handle is closed first, so no cache goes stale).
  std::optional<aisafe::keys::Signer> key;
  aisafe::node::NodeConfig config;
  {
    auto node = aisafe::node::Node::Init(node_dir, kNodeName, kCountry);
    if (!node.ok()) Die("cannot create the node: " + node.status().ToString());
    key = (*node)->signer();
    config = (*node)->config();
  }
  auto store = OpenFastStore(node_dir + "/store.sqlite");
  const aisafe::util::Clock& clock = aisafe::util::RealClock();
  aisafe::node::NodeCheckpointSigner signer(&*key, &clock, config.checkpoint_interval);
  aisafe::node::Submitter submitter(
      {.origin = config.name, .max_record_bytes = config.max_record_bytes, .threads = flags.threads}, store.get(),
      &clock, &signer);

  std::ofstream ids(out + "/ids.txt");
  if (!ids) Die("cannot create ids.txt");
  uint64_t stored = 0, bytes = 0;
  auto last_progress = SteadyClock::now();

  // Pipelined: prepare batch k+1 on other threads while batch k commits and
  // its files are written.
  uint64_t next_first = 0;
  auto generate_next = [&]() -> std::optional<Batch> {
    if (next_first >= flags.records) return std::nullopt;
    uint64_t n = std::min(flags.batch, flags.records - next_first);
    Batch b = Generate(templates, next_first, n);
    next_first += n;
    return b;
  };
  std::optional<Batch> to_prepare = generate_next();
  std::optional<Batch> preparing_texts;  // Keeps the prepared batch's input alive.
  std::optional<std::vector<aisafe::node::Prepared>> to_commit;
  while (to_prepare || to_commit) {
    std::optional<absl::StatusOr<std::vector<aisafe::node::Prepared>>> prepared;
    std::thread preparer;
    if (to_prepare) {
      preparer = std::thread([&] { prepared.emplace(submitter.Prepare(to_prepare->docs, kSource)); });
    }
    if (to_commit) {
      auto results = submitter.Commit(*to_commit, kSource);
      if (!results.ok()) Die("commit failed: " + results.status().ToString());
      for (size_t i = 0; i < results->size(); ++i) {
        if (!(*results)[i].created) Die("a generated record was not new");
        const auto& r = (*to_commit)[i].record;
        const std::string hex = aisafe::util::ToHex(r.id);
        ids << hex << '\n';
        WriteWhole(records_dir + "/" + hex, r.canonical);
        bytes += r.canonical.size();
      }
      stored += results->size();
    }
    if (preparer.joinable()) preparer.join();
    to_commit.reset();
    if (prepared) {
      if (!prepared->ok()) Die("prepare failed: " + prepared->status().ToString());
      to_commit = std::move(**prepared);
      preparing_texts = std::move(to_prepare);
    }
    to_prepare = generate_next();
    if (SteadyClock::now() - last_progress > std::chrono::seconds(5) || stored == flags.records) {
      std::fprintf(stderr, "\rhttp_fixture: %" PRIu64 "/%" PRIu64 " records, %.0f s", stored, flags.records,
                   Seconds(SteadyClock::now() - start));
      last_progress = SteadyClock::now();
    }
  }
  std::fputc('\n', stderr);
  ids.close();
  if (!ids) Die("cannot write ids.txt");

  // One checkpoint of the whole log, as every write leaves it.
  auto checkpoint = store->Checkpoint(signer);
  if (!checkpoint.ok()) Die("cannot sign the checkpoint: " + checkpoint.status().ToString());
  auto log_size = store->LogSize();
  if (!log_size.ok()) Die("cannot read the log size: " + log_size.status().ToString());
  if (*log_size != stored || checkpoint->size != stored) Die("the log does not hold every record");

  // Every full hash tile, all levels: 256^(L+1) leaves under tile (L, N).
  std::string tiles;
  uint64_t tile_count = 0;
  for (int level = 0;; ++level) {
    const uint64_t full = (level * aisafe::log::kTileHeight + aisafe::log::kTileHeight >= 64)
                              ? 0
                              : *log_size >> ((level + 1) * aisafe::log::kTileHeight);
    if (full == 0) break;
    for (uint64_t n = 0; n < full; ++n) {
      tiles += "/log/" + aisafe::log::TilePath(level, n, aisafe::log::kTileWidth) + "\n";
      ++tile_count;
    }
  }
  WriteWhole(out + "/tiles.txt", tiles);
  store.reset();

  // The node must open as `aisafe serve` will open it.
  {
    auto node = aisafe::node::Node::Open(node_dir);
    if (!node.ok()) Die("the node does not open: " + node.status().ToString());
    auto count = (*node)->store().Count(std::nullopt);
    if (!count.ok() || *count != stored) Die("the reopened node does not hold every record");
  }
  WriteScripts(flags, out);

  std::printf("http_fixture: %" PRIu64 " records (%.1f MB canonical, %.0f B mean) in %.1f s; %" PRIu64
              " full tiles; in %s\n",
              stored, static_cast<double>(bytes) / 1e6, static_cast<double>(bytes) / static_cast<double>(stored),
              Seconds(SteadyClock::now() - start), tile_count, out.c_str());
  return 0;
}
