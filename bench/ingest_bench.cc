// ingest_bench: how fast a node ingests submitted records (issue 2).
//
// Measures the code path of `aisafe submit`: node::Submitter::Prepare
// (parse, NFC, fill origin/created/nonce, validate, canonicalise, hash) and
// Submitter::Commit (one durable SQLite transaction per batch, in a store
// opened with store::OpenSqliteStore(path, {.create = true}), i.e.
// synchronous=FULL), against a baseline in the same run: a bare SQLite
// table (id BLOB PRIMARY KEY, canonical BLOB) in its own WAL database with
// synchronous=FULL, receiving the very canonical bytes and ids the node
// produced, in the same batches, one transaction per batch, one prepared
// statement.
//
// Records are generated on the fly, one batch at a time, as JSON text:
// 1-4 KB each, the six record types in about equal shares (oversight bodies carry
// a valid Ed25519 signature from one fixed bench key), five TLP markings
// (clear, green, amber and amber+strict with an audience, red), and text in
// nine languages (en, th, vi, id, ms, fil, km, my, lo) drawn from small word
// lists. A fixed-seed PRNG makes the input identical on every run; only what
// the node fills (created, nonce) differs. Documents omit origin, created
// and nonce, exactly as a user's `aisafe submit` input does.
//
// Timing: generation is excluded. Each batch is generated first, then the
// timer covers Prepare + Commit of that batch; the baseline insert of the
// same batch follows and is timed separately. The pipelined figure (a
// second, fresh store) prepares batch k+1 on another thread while batch k
// commits and times the wall clock of each such step.
//
// Output: records and bytes; aisafe records/s with its prepare/commit
// split; the pipelined figure; the baseline's records/s and the ratio; for
// the commit and the baseline, CPU (user, sys) against time spent waiting
// (fsync, writeback), bytes per record through read/write system calls, and
// per-batch latency at the start and end of the run (the B-trees grow); peak
// RSS (getrusage ru_maxrss); and each target of issue 2, MET or MISSED.
//
// Usage: ingest_bench [flags]
//   --records N     records to ingest (default 1000000)
//   --batch N       records per Prepare/Commit batch and per baseline
//                   transaction (default 1000)
//   --threads N     Prepare threads; 0 = all cores (default 0)
//   --dir PATH      directory for the database files; it must exist, the
//                   files are left there. Default: a fresh directory under
//                   $TMPDIR (or /tmp), removed at the end.
//   --pipelined B   also measure the pipelined mode: 1 (default) or 0
//   --seed N        PRNG seed (default 20260101)
//   --durable B     1 (default): fsync every commit (synchronous=FULL) in the
//                   store and the baseline, as a node runs; 0: synchronous=OFF
//                   in both, to show what durability costs. Not the figure to
//                   quote.
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "keys/keys.h"
#include "nlohmann/json.hpp"
#include "node/submitter.h"
#include "records/record.h"
#include "store/sqlite_store.h"
#include "util/base64.h"
#include "util/clock.h"

namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr double kTargetRecordsPerSecond = 30000;
constexpr double kTargetBaselinePercent = 40;
constexpr double kTargetPeakMb = 200;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "ingest_bench: %s\n", what.c_str());
  std::exit(1);
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double PeakRssMb() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux.
}

// ---------------------------------------------------------------------------
// Flags.

struct Flags {
  uint64_t records = 1000000;
  uint64_t batch = 1000;
  int threads = 0;
  std::string dir;
  bool pipelined = true;
  uint64_t seed = 20260101;
  bool durable = true;
};

uint64_t ParseCount(std::string_view flag, const std::string& value) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(value.c_str(), &end, 10);
  if (value.empty() || errno != 0 || *end != '\0' || value[0] == '-') {
    Die("flag " + std::string(flag) + " needs a non-negative integer, not \"" + value + "\"");
  }
  return v;
}

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::printf(
          "usage: ingest_bench [--records N] [--batch N] [--threads N] [--dir PATH] [--pipelined 0|1] "
          "[--seed N] [--durable 0|1]\n");
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
    if (name == "--records") {
      f.records = ParseCount(name, value);
    } else if (name == "--batch") {
      f.batch = ParseCount(name, value);
    } else if (name == "--threads") {
      f.threads = static_cast<int>(ParseCount(name, value));
    } else if (name == "--dir") {
      f.dir = value;
    } else if (name == "--pipelined") {
      f.pipelined = ParseCount(name, value) != 0;
    } else if (name == "--durable") {
      f.durable = ParseCount(name, value) != 0;
    } else if (name == "--seed") {
      f.seed = ParseCount(name, value);
    } else {
      Die("unknown flag " + name + " (try --help)");
    }
  }
  if (f.records == 0) Die("--records must be at least 1");
  if (f.batch == 0) Die("--batch must be at least 1");
  return f;
}

// ---------------------------------------------------------------------------
// Deterministic generation.

// SplitMix64: tiny, fast, and the same on every platform (unlike the
// standard distributions).
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n).
  size_t Below(size_t n) { return static_cast<size_t>((static_cast<unsigned __int128>(Next()) * n) >> 64); }
  // Uniform in [lo, hi].
  size_t Between(size_t lo, size_t hi) { return lo + Below(hi - lo + 1); }
  template <typename C>
  const auto& Pick(const C& c) {
    return c[Below(std::size(c))];
  }

 private:
  uint64_t s_;
};

struct Language {
  const char* tag;      // The record's "lang".
  const char* country;  // Added to "countries".
  std::vector<std::string_view> words;
};

// Small word lists (AI-safety vocabulary), all NFC. Scripts without spaces
// between words still get spaces here; sizes and code points are what
// matter for the benchmark.
const std::vector<Language>& Languages() {
  static const std::vector<Language> kLanguages = {
      {"en", "SG", {"the",        "model",          "system",   "output",     "risk",     "safety",
                    "incident",   "users",          "reported", "harmful",    "content",  "deployment",
                    "evaluation", "guardrail",      "failure",  "human",      "review",   "data",
                    "privacy",    "bias",           "detected", "mitigation", "response", "public",
                    "service",    "misinformation", "operator", "and",        "of",       "was"}},
      {"th", "TH", {"ระบบ",      "ปัญญาประดิษฐ์", "ความเสี่ยง", "ความปลอดภัย",   "ผู้ใช้",        "ข้อมูล", "เหตุการณ์", "รายงาน",
                    "การประเมิน", "แบบจำลอง",   "ข่าวปลอม",  "ความเป็นส่วนตัว", "การตรวจสอบ", "มนุษย์", "ผลลัพธ์",   "บริการ",
                    "สาธารณะ",   "การเงิน",     "หน่วยงาน",  "มาตรการ",      "และ",        "ของ"}},
      {"vi", "VN", {"hệ",   "thống", "trí",   "tuệ",   "nhân", "tạo",  "rủi", "ro",   "an",  "toàn", "người",
                    "dùng", "dữ",    "liệu",  "sự",    "cố",   "báo",  "cáo", "đánh", "giá", "mô",   "hình",
                    "tin",  "giả",   "quyền", "riêng", "tư",   "kiểm", "tra", "và",   "của"}},
      {"id", "ID", {"sistem",      "kecerdasan", "buatan",    "risiko",  "keamanan", "pengguna", "data",
                    "insiden",     "laporan",    "penilaian", "model",   "berita",   "palsu",    "privasi",
                    "pemeriksaan", "manusia",    "hasil",     "layanan", "publik",   "keuangan", "lembaga",
                    "langkah",     "mitigasi",   "dan",       "yang"}},
      {"ms", "MY", {"sistem",  "kecerdasan", "buatan",    "risiko",       "keselamatan", "pengguna", "data",
                    "insiden", "laporan",    "penilaian", "model",        "berita",      "palsu",    "privasi",
                    "semakan", "manusia",    "hasil",     "perkhidmatan", "awam",        "kewangan", "agensi",
                    "langkah", "mitigasi",   "kerajaan",  "dan",          "yang"}},
      {"fil", "PH", {"sistema",      "artipisyal", "na",   "katalinuhan", "panganib", "kaligtasan", "gumagamit",
                     "datos",        "insidente",  "ulat", "pagtatasa",   "modelo",   "pekeng",     "balita",
                     "pagkapribado", "pagsusuri",  "tao",  "resulta",     "serbisyo", "publiko",    "pananalapi",
                     "ahensya",      "hakbang",    "ang",  "ng",          "mga"}},
      {"km", "KH", {"ប្រព័ន្ធ",    "បញ្ញាសិប្បនិម្មិត", "ហានិភ័យ",   "សុវត្ថិភាព",       "អ្នកប្រើប្រាស់", "ទិន្នន័យ",      "ឧប្បត្តិហេតុ",
                    "របាយការណ៍", "ការវាយតម្លៃ",  "គំរូ",      "ព័ត៌មានក្លែងក្លាយ", "ឯកជនភាព",    "ការត្រួតពិនិត្យ", "មនុស្ស",
                    "លទ្ធផល",    "សេវាកម្ម",     "សាធារណៈ", "ហិរញ្ញវត្ថុ",       "ស្ថាប័ន",      "វិធានការ",    "និង"}},
      {"my", "MM", {"စနစ်",     "ဉာဏ်ရည်တု",    "အန္တရာယ်",    "ဘေးကင်းရေး", "အသုံးပြုသူ",    "ဒေတာ",      "ဖြစ်ရပ်",
                    "အစီရင်ခံစာ", "အကဲဖြတ်ခြင်း", "မော်ဒယ်",     "သတင်းအတု",    "ကိုယ်ရေးလုံခြုံမှု", "စစ်ဆေးခြင်း", "လူသား",
                    "ရလဒ်",     "ဝန်ဆောင်မှု",   "အများပြည်သူ", "ငွေကြေး",    "အေဂျင်စီ",    "အစီအမံ",      "နှင့်"}},
      {"lo", "LA", {"ລະບົບ",   "ປັນຍາປະດິດ", "ຄວາມສ່ຽງ",  "ຄວາມປອດໄພ", "ຜູ້ໃຊ້",          "ຂໍ້ມູນ",       "ເຫດການ",
                    "ລາຍງານ", "ການປະເມີນ", "ແບບຈຳລອງ", "ຂ່າວປອມ",    "ຄວາມເປັນສ່ວນຕົວ", "ການກວດສອບ", "ມະນຸດ",
                    "ຜົນໄດ້ຮັບ", "ບໍລິການ",    "ສາທາລະນະ", "ການເງິນ",    "ອົງການ",        "ມາດຕະການ",  "ແລະ"}},
  };
  return kLanguages;
}

constexpr std::array<const char*, 6> kTypes = {"incident",   "system",   "assessment",
                                               "evaluation", "practice", "oversight"};
constexpr std::array<const char*, 7> kPrinciples = {
    "transparency-explainability", "fairness-equity",          "security-safety",       "human-centricity",
    "privacy-data-governance",     "accountability-integrity", "robustness-reliability"};
constexpr std::array<const char*, 7> kHarms = {
    "discrimination-toxicity",     "privacy-security", "misinformation", "malicious-use", "human-computer-interaction",
    "socioeconomic-environmental", "ai-system-safety"};
constexpr std::array<const char*, 12> kDomains = {"information",
                                                  "financial",
                                                  "cyber",
                                                  "maritime",
                                                  "undersea-infrastructure",
                                                  "critical-infrastructure",
                                                  "defence",
                                                  "health",
                                                  "public-services",
                                                  "employment",
                                                  "education",
                                                  "other"};
constexpr std::array<const char*, 15> kSectors = {"public-administration",
                                                  "defence",
                                                  "law-enforcement",
                                                  "finance",
                                                  "health",
                                                  "education",
                                                  "employment",
                                                  "transport",
                                                  "energy",
                                                  "telecommunications",
                                                  "media",
                                                  "retail",
                                                  "agriculture",
                                                  "maritime",
                                                  "other"};
constexpr std::array<const char*, 4> kSeverity = {"low", "moderate", "high", "critical"};
constexpr std::array<const char*, 4> kRiskTier = {"minimal", "limited", "high", "unacceptable"};
constexpr std::array<const char*, 3> kInvolvement = {"human-in-the-loop", "human-over-the-loop",
                                                     "human-out-of-the-loop"};
constexpr std::array<const char*, 4> kRatings = {"met", "partially-met", "not-met", "not-applicable"};
constexpr std::array<const char*, 4> kDecisions = {"approve", "reject", "modify", "escalate"};
constexpr std::array<const char*, 4> kPracticeKinds = {"safeguard", "best-practice", "lesson-learned", "policy"};
constexpr std::array<const char*, 5> kTlps = {"clear", "green", "amber", "amber+strict", "red"};
constexpr std::array<const char*, 10> kAsean = {"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"};

std::string TwoDigits(size_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02zu", v);
  return buf;
}

std::string Date(Rng& rng) {
  return "20" + TwoDigits(rng.Between(20, 26)) + "-" + TwoDigits(rng.Between(1, 12)) + "-" +
         TwoDigits(rng.Between(1, 28));
}

std::string Timestamp(Rng& rng) {
  return Date(rng) + "T" + TwoDigits(rng.Below(24)) + ":" + TwoDigits(rng.Below(60)) + ":" + TwoDigits(rng.Below(60)) +
         "Z";
}

// About `bytes` bytes of text (never more) in `lang`.
std::string Text(Rng& rng, const Language& lang, size_t bytes) {
  std::string out;
  out.reserve(bytes + 64);
  while (true) {
    std::string_view w = rng.Pick(lang.words);
    size_t extra = w.size() + (out.empty() ? 0 : 1);
    if (out.size() + extra > bytes) break;
    if (!out.empty()) out += (rng.Below(12) == 0 ? '.' : ' ');
    out.append(w);
  }
  if (out.empty()) out = "x";
  return out;
}

// Distinct picks, in list order.
template <size_t N>
Json Some(Rng& rng, const std::array<const char*, N>& list, size_t min, size_t max) {
  size_t want = rng.Between(min, max);
  std::array<bool, N> chosen{};
  for (size_t n = 0; n < want;) {
    size_t i = rng.Below(N);
    if (!chosen[i]) {
      chosen[i] = true;
      ++n;
    }
  }
  Json out = Json::array();
  for (size_t i = 0; i < N; ++i) {
    if (chosen[i]) out.push_back(list[i]);
  }
  return out;
}

class Generator {
 public:
  Generator(uint64_t seed, const aisafe::keys::Signer* signer)
      : rng_(seed), signer_(signer), key_(signer->verifier().Encode()) {}

  // Record `index` (used in its title, so every document is distinct).
  std::string Next(uint64_t index) {
    const Language& lang = rng_.Pick(Languages());
    const std::string type = kTypes[rng_.Below(kTypes.size())];
    const std::string tlp = kTlps[rng_.Below(kTlps.size())];
    // Target size of the submitted text. The node adds origin, created and
    // nonce (about 110 bytes), so the stored records span about 1-4 KB.
    const size_t target = rng_.Between(1000, 3950);

    Json doc = Json::object();
    doc["type"] = type;
    doc["tlp"] = tlp;
    if (tlp == "amber" || tlp == "amber+strict") doc["audience"] = Json::array({"sg-aisi"});
    doc["lang"] = lang.tag;
    doc["title"] = Text(rng_, lang, rng_.Between(20, 90)) + " #" + std::to_string(index);
    if (rng_.Below(2) == 0) doc["author"] = "analyst-" + std::to_string(rng_.Below(500));
    if (rng_.Below(3) != 0) doc["countries"] = Json::array({lang.country});
    if (rng_.Below(2) == 0) doc["summary"] = Text(rng_, lang, rng_.Between(40, 200));

    Json body = Json::object();
    std::string text_key;  // The body member that takes the bulk of the text.
    if (type == "incident") {
      body["occurred"] = rng_.Below(2) == 0 ? Date(rng_) : Timestamp(rng_);
      body["domain"] = rng_.Pick(kDomains);
      body["harm_categories"] = Some(rng_, kHarms, 1, 3);
      body["severity"] = rng_.Pick(kSeverity);
      body["affected"] = rng_.Below(100000);
      if (rng_.Below(2) == 0) {
        body["location"] = {{"lat", static_cast<double>(rng_.Below(4000)) / 100.0 - 10.0},
                            {"lon", static_cast<double>(rng_.Below(5000)) / 100.0 + 90.0}};
      }
      body["systems"] = Json::array({{{"name", "chat-assistant-" + std::to_string(rng_.Below(50))},
                                      {"provider", "provider-" + std::to_string(rng_.Below(20))}}});
      body["observables"] = Json::array(
          {{{"kind", "url"}, {"value", "https://example.org/post/" + std::to_string(rng_.Next() % 1000000)}},
           {{"kind", "domain"}, {"value", "fake-news-" + std::to_string(rng_.Below(1000)) + ".example"}}});
      body["sources"] = Json::array({{{"title", Text(rng_, lang, 40)},
                                      {"url", "https://news.example/" + std::to_string(rng_.Below(100000))},
                                      {"published", Date(rng_)}}});
      text_key = "description";
    } else if (type == "system") {
      body["name"] = "system-" + std::to_string(rng_.Below(10000));
      body["version"] = std::to_string(rng_.Below(5)) + "." + std::to_string(rng_.Below(20));
      body["provider"] = "provider-" + std::to_string(rng_.Below(200));
      body["sector"] = rng_.Pick(kSectors);
      body["deployment_countries"] = Some(rng_, kAsean, 1, 4);
      body["risk_tier"] = rng_.Pick(kRiskTier);
      body["human_involvement"] = rng_.Pick(kInvolvement);
      body["models"] = Json::array({"model-" + std::to_string(rng_.Below(100))});
      body["contact"] = "ai-office@provider.example";
      text_key = "purpose";
    } else if (type == "assessment") {
      body["system"] = {{"name", "system-" + std::to_string(rng_.Below(10000))}};
      body["assessor"] = "assessor-" + std::to_string(rng_.Below(100));
      Json answers = Json::object();
      for (const auto& p : Some(rng_, kPrinciples, 2, 7)) {
        answers[p.get<std::string>()] = {{"rating", rng_.Pick(kRatings)}, {"answer", Text(rng_, lang, 60)}};
      }
      body["answers"] = std::move(answers);
      body["risk_tier"] = rng_.Pick(kRiskTier);
      body["recommended_human_involvement"] = rng_.Pick(kInvolvement);
      text_key = "";  // The first answer grows; see below.
    } else if (type == "evaluation") {
      body["model"] = "model-" + std::to_string(rng_.Below(100));
      body["task"] = "task-" + std::to_string(rng_.Below(300));
      body["framework"] = rng_.Below(2) == 0 ? "inspect" : "lm-evaluation-harness";
      body["evaluated"] = Date(rng_);
      body["samples"] = rng_.Between(100, 100000);
      Json metrics = Json::array();
      for (size_t m = 0, n = rng_.Between(1, 6); m < n; ++m) {
        metrics.push_back({{"name", "metric-" + std::to_string(m)},
                           {"value", static_cast<double>(rng_.Below(1000)) / 1000.0},
                           {"stderr", static_cast<double>(rng_.Below(100)) / 1000.0}});
      }
      body["metrics"] = std::move(metrics);
      text_key = "findings";
    } else if (type == "practice") {
      body["kind"] = rng_.Pick(kPracticeKinds);
      body["principles"] = Some(rng_, kPrinciples, 1, 4);
      body["sectors"] = Json::array({rng_.Pick(kSectors)});
      body["references"] = Json::array({"https://asean.org/guide/" + std::to_string(rng_.Below(100))});
      text_key = "description";
    } else {  // oversight
      body["principal"] = {{"name", "officer-" + std::to_string(rng_.Below(1000))},
                           {"role", "duty officer"},
                           {"authority", "national AI office delegation " + std::to_string(rng_.Below(50))}};
      body["system"] = {{"name", "system-" + std::to_string(rng_.Below(10000))}};
      body["output"] = {{"summary", Text(rng_, lang, rng_.Between(40, 200))}};
      body["decision"] = rng_.Pick(kDecisions);
      body["decided"] = Timestamp(rng_);
      // A placeholder of the real signature's size, so the size is right.
      body["signature"] = {{"key", key_}, {"sig", std::string(86, 'A') + "=="}};
      text_key = "rationale";
    }
    doc["body"] = body;

    // Grow the text member to reach the target size.
    Json* text = nullptr;
    if (text_key.empty()) {
      text = &doc["body"]["answers"].begin().value()["answer"];
    } else {
      doc["body"][text_key] = "";
      text = &doc["body"][text_key];
    }
    size_t base = doc.dump().size();
    *text = Text(rng_, lang, target > base + 16 ? target - base : 16);

    if (type == "oversight") {
      Json& b = doc["body"];
      auto input = aisafe::records::OversightSigningInput(b);
      if (!input.ok()) Die("cannot build the signing input: " + input.status().ToString());
      aisafe::keys::Signature sig = signer_->Sign(*input);
      b["signature"]["sig"] =
          aisafe::util::Base64Encode(std::string_view(reinterpret_cast<const char*>(sig.data()), sig.size()));
    }
    return doc.dump();
  }

 private:
  Rng rng_;
  const aisafe::keys::Signer* signer_;
  std::string key_;
};

// One fixed Ed25519 key, so oversight records are the same on every run.
aisafe::keys::Signer BenchSigner() {
  if (sodium_init() < 0) Die("libsodium failed to initialise");
  const std::string name = "bench-overseer";
  std::array<uint8_t, 32> seed;
  for (size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<uint8_t>(i * 7 + 1);
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk, sk, seed.data());
  aisafe::keys::PublicKey public_key;
  std::memcpy(public_key.data(), pk, public_key.size());
  std::string blob(1, static_cast<char>(aisafe::keys::kAlgEd25519));
  blob.append(reinterpret_cast<const char*>(seed.data()), seed.size());
  char id[16];
  std::snprintf(id, sizeof id, "%08" PRIx32, aisafe::keys::KeyId(name, public_key));
  auto signer = aisafe::keys::Signer::Parse("PRIVATE+KEY+" + name + "+" + id + "+" + aisafe::util::Base64Encode(blob));
  if (!signer.ok()) Die("cannot make the bench key: " + signer.status().ToString());
  return std::move(*signer);
}

// A batch of generated documents: their text, and views of it.
struct Batch {
  std::vector<std::string> texts;
  std::vector<aisafe::node::InputDoc> docs;
  uint64_t bytes = 0;
};

Batch Generate(Generator& gen, uint64_t first, uint64_t count) {
  Batch b;
  b.texts.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    b.texts.push_back(gen.Next(first + i));
    b.bytes += b.texts.back().size();
  }
  b.docs.reserve(count);
  for (size_t i = 0; i < b.texts.size(); ++i) b.docs.push_back({b.texts[i], first + i + 1});
  return b;
}

// ---------------------------------------------------------------------------
// The bare SQLite baseline.

class Baseline {
 public:
  Baseline(const std::string& path, bool durable) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
      Die("cannot open baseline database " + path);
    }
    Exec("PRAGMA journal_mode=WAL");
    Exec(durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=OFF");
    Exec("CREATE TABLE IF NOT EXISTS records (id BLOB PRIMARY KEY, canonical BLOB)");
    if (sqlite3_prepare_v3(db_, "INSERT INTO records (id, canonical) VALUES (?1, ?2)", -1, SQLITE_PREPARE_PERSISTENT,
                           &insert_, nullptr) != SQLITE_OK) {
      Die(std::string("cannot prepare the baseline insert: ") + sqlite3_errmsg(db_));
    }
  }
  ~Baseline() {
    sqlite3_finalize(insert_);
    sqlite3_close_v2(db_);
  }

  // One transaction for the batch.
  void Insert(const std::vector<aisafe::node::Prepared>& batch) {
    Exec("BEGIN IMMEDIATE");
    for (const auto& p : batch) {
      const auto& r = p.record;
      sqlite3_bind_blob64(insert_, 1, r.id.data(), r.id.size(), SQLITE_STATIC);
      sqlite3_bind_blob64(insert_, 2, r.canonical.data(), r.canonical.size(), SQLITE_STATIC);
      if (sqlite3_step(insert_) != SQLITE_DONE) Die(std::string("baseline insert: ") + sqlite3_errmsg(db_));
      sqlite3_reset(insert_);
    }
    Exec("COMMIT");
  }

 private:
  void Exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "?";
      sqlite3_free(err);
      Die(std::string("baseline: ") + sql + ": " + msg);
    }
  }

  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
};

// ---------------------------------------------------------------------------
// Runs.

constexpr std::string_view kOrigin = "bench-node";
constexpr std::string_view kSource = "<bench>";

std::unique_ptr<aisafe::store::Store> OpenStore(const std::string& path, bool durable) {
  auto store = aisafe::store::OpenSqliteStore(path, {.create = true, .durable = durable});
  if (!store.ok()) Die("cannot open the store: " + store.status().ToString());
  return std::move(*store);
}

void CheckCommitted(const absl::StatusOr<std::vector<aisafe::node::SubmitResult>>& results, size_t want,
                    uint64_t* created) {
  if (!results.ok()) Die("commit failed: " + results.status().ToString());
  if (results->size() != want) Die("commit returned the wrong number of results");
  for (const auto& r : *results) *created += r.created ? 1 : 0;
}

void CheckCount(aisafe::store::Store& store, uint64_t want) {
  auto count = store.Count(std::nullopt);
  if (!count.ok()) Die("cannot count: " + count.status().ToString());
  if (*count != want) {
    Die("the store holds " + std::to_string(*count) + " records, expected " + std::to_string(want));
  }
}

// What a phase cost: wall time, process CPU time, and bytes moved through
// read/write system calls (/proc/self/io rchar/wchar: page cache included,
// so they count what SQLite asks of the kernel, not what reaches the disk).
struct Usage {
  Clock::time_point wall;
  double user_s = 0, sys_s = 0;
  uint64_t rchar = 0, wchar = 0;
};

Usage Sample() {
  Usage u;
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  u.user_s = static_cast<double>(ru.ru_utime.tv_sec) + static_cast<double>(ru.ru_utime.tv_usec) / 1e6;
  u.sys_s = static_cast<double>(ru.ru_stime.tv_sec) + static_cast<double>(ru.ru_stime.tv_usec) / 1e6;
  if (FILE* f = std::fopen("/proc/self/io", "r")) {
    char key[32];
    unsigned long long value;
    while (std::fscanf(f, "%31s %llu", key, &value) == 2) {
      if (std::strcmp(key, "rchar:") == 0) u.rchar = value;
      if (std::strcmp(key, "wchar:") == 0) u.wchar = value;
    }
    std::fclose(f);
  }
  u.wall = Clock::now();  // Last, so the reads above are not counted.
  return u;
}

struct Phase {
  double wall_s = 0, user_s = 0, sys_s = 0;
  uint64_t rchar = 0, wchar = 0;
  std::vector<double> batch_ms;

  void Add(const Usage& from, const Usage& to) {
    double wall = Seconds(to.wall - from.wall);
    wall_s += wall;
    user_s += to.user_s - from.user_s;
    sys_s += to.sys_s - from.sys_s;
    rchar += to.rchar - from.rchar;
    wchar += to.wchar - from.wchar;
    batch_ms.push_back(wall * 1000);
  }
};

struct SerialResult {
  uint64_t records = 0, created = 0, input_bytes = 0, canonical_bytes = 0;
  size_t min_canonical = SIZE_MAX, max_canonical = 0;
  std::array<uint64_t, 6> per_type{};
  std::array<uint64_t, 5> per_tlp{};
  double generate_s = 0;
  Phase prepare, commit, baseline;
};

void Progress(const char* what, uint64_t done, uint64_t total, Clock::time_point start) {
  std::fprintf(stderr, "\r%s: %" PRIu64 "/%" PRIu64 " records, %.0f s", what, done, total,
               Seconds(Clock::now() - start));
  if (done == total) std::fputc('\n', stderr);
}

SerialResult RunSerial(const Flags& flags, const std::string& dir, const aisafe::keys::Signer& signer) {
  auto store = OpenStore(dir + "/serial.db", flags.durable);
  Baseline baseline(dir + "/baseline.db", flags.durable);
  aisafe::node::Submitter submitter({.origin = std::string(kOrigin), .threads = flags.threads}, store.get(),
                                    &aisafe::util::RealClock());
  Generator gen(flags.seed, &signer);
  SerialResult res;
  const auto start = Clock::now();
  auto last_progress = start;
  for (uint64_t first = 0; first < flags.records; first += flags.batch) {
    const uint64_t n = std::min<uint64_t>(flags.batch, flags.records - first);
    auto g0 = Clock::now();
    Batch batch = Generate(gen, first, n);
    res.generate_s += Seconds(Clock::now() - g0);
    const Usage u0 = Sample();
    auto prepared = submitter.Prepare(batch.docs, kSource);
    const Usage u1 = Sample();
    if (!prepared.ok()) Die("prepare failed: " + prepared.status().ToString());
    auto results = submitter.Commit(*prepared, kSource);
    const Usage u2 = Sample();
    CheckCommitted(results, n, &res.created);
    const Usage u3 = Sample();
    baseline.Insert(*prepared);
    const Usage u4 = Sample();
    res.prepare.Add(u0, u1);
    res.commit.Add(u1, u2);
    res.baseline.Add(u3, u4);
    res.records += n;
    res.input_bytes += batch.bytes;
    for (const auto& p : *prepared) {
      const auto& r = p.record;
      res.canonical_bytes += r.canonical.size();
      res.min_canonical = std::min(res.min_canonical, r.canonical.size());
      res.max_canonical = std::max(res.max_canonical, r.canonical.size());
      res.per_type[static_cast<size_t>(std::find(kTypes.begin(), kTypes.end(), r.type) - kTypes.begin())]++;
      res.per_tlp[static_cast<size_t>(r.tlp)]++;
    }
    if (Clock::now() - last_progress > std::chrono::seconds(5) || res.records == flags.records) {
      Progress("serial", res.records, flags.records, start);
      last_progress = Clock::now();
    }
  }
  CheckCount(*store, res.records);
  return res;
}

struct PipelinedResult {
  uint64_t records = 0, created = 0;
  double wall_s = 0;
};

// Prepares batch k+1 on a second thread while batch k commits.
PipelinedResult RunPipelined(const Flags& flags, const std::string& dir, const aisafe::keys::Signer& signer) {
  auto store = OpenStore(dir + "/pipelined.db", flags.durable);
  aisafe::node::Submitter submitter({.origin = std::string(kOrigin), .threads = flags.threads}, store.get(),
                                    &aisafe::util::RealClock());
  Generator gen(flags.seed, &signer);
  PipelinedResult res;
  const auto start = Clock::now();
  auto last_progress = start;

  uint64_t next_first = 0;
  auto generate_next = [&]() -> std::optional<Batch> {
    if (next_first >= flags.records) return std::nullopt;
    uint64_t n = std::min<uint64_t>(flags.batch, flags.records - next_first);
    Batch b = Generate(gen, next_first, n);
    next_first += n;
    return b;
  };

  std::optional<Batch> to_prepare = generate_next();
  std::optional<std::vector<aisafe::node::Prepared>> to_commit;
  while (to_prepare || to_commit) {
    auto t0 = Clock::now();
    std::optional<absl::StatusOr<std::vector<aisafe::node::Prepared>>> prepared;
    std::thread preparer;
    if (to_prepare) preparer = std::thread([&] { prepared.emplace(submitter.Prepare(to_prepare->docs, kSource)); });
    if (to_commit) {
      auto results = submitter.Commit(*to_commit, kSource);
      CheckCommitted(results, to_commit->size(), &res.created);
      res.records += to_commit->size();
    }
    if (preparer.joinable()) preparer.join();
    res.wall_s += Seconds(Clock::now() - t0);

    to_commit.reset();
    if (prepared) {
      if (!prepared->ok()) Die("prepare failed: " + prepared->status().ToString());
      to_commit = std::move(**prepared);
    }
    to_prepare = generate_next();  // Not timed.
    if (Clock::now() - last_progress > std::chrono::seconds(5) || res.records == flags.records) {
      Progress("pipelined", res.records, flags.records, start);
      last_progress = Clock::now();
    }
  }
  CheckCount(*store, res.records);
  return res;
}

std::string FileSystemOf(const std::string& dir) {
  struct statfs st {};
  if (statfs(dir.c_str(), &st) != 0) return "?";
  switch (static_cast<unsigned long>(st.f_type)) {
    case 0xEF53:
      return "ext4";
    case 0x01021994:
      return "tmpfs";
    case 0x58465342:
      return "xfs";
    case 0x9123683E:
      return "btrfs";
    case 0x794C7630:
      return "overlayfs";
    default: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "0x%lx", static_cast<unsigned long>(st.f_type));
      return buf;
    }
  }
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      auto colon = line.find(':');
      return colon == std::string::npos ? line : line.substr(colon + 2);
    }
  }
  return "?";
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

const char* Verdict(bool met) { return met ? "MET" : "MISSED"; }

}  // namespace

int main(int argc, char** argv) {
  const Flags flags = ParseFlags(argc, argv);

  std::string dir = flags.dir;
  bool remove_dir = false;
  if (dir.empty()) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "aisafe-ingest-bench-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) Die("cannot create a temporary directory");
    dir = tmpl;
    remove_dir = true;
  } else if (!std::filesystem::is_directory(dir)) {
    Die("--dir " + dir + " is not a directory");
  }

  const aisafe::keys::Signer signer = BenchSigner();
  const unsigned cores = std::thread::hardware_concurrency();
  const int prepare_threads = flags.threads > 0 ? flags.threads : static_cast<int>(std::max(1u, cores));

  std::printf("ingest_bench: %" PRIu64 " records, batch %" PRIu64 ", %d prepare thread(s), seed %" PRIu64 ", %s\n",
              flags.records, flags.batch, prepare_threads, flags.seed,
              flags.durable ? "durable (synchronous=FULL)" : "NOT DURABLE (synchronous=OFF)");
  std::printf("machine: %u cores, %s; SQLite %s; files in %s (%s)\n", cores, CpuModel().c_str(), sqlite3_libversion(),
              dir.c_str(), FileSystemOf(dir).c_str());
  std::fflush(stdout);

  SerialResult s = RunSerial(flags, dir, signer);
  const double serial_peak_mb = PeakRssMb();
  std::optional<PipelinedResult> p;
  if (flags.pipelined) p = RunPipelined(flags, dir, signer);
  const double peak_mb = PeakRssMb();

  std::error_code ec;
  auto file_mb = [&](const char* name) {
    auto size = std::filesystem::file_size(dir + "/" + name, ec);
    return ec ? 0.0 : static_cast<double>(size) / 1e6;
  };
  const double store_mb = file_mb("serial.db"), baseline_mb = file_mb("baseline.db");

  const double aisafe_s = s.prepare.wall_s + s.commit.wall_s;
  const double aisafe_rate = static_cast<double>(s.records) / aisafe_s;
  const double baseline_rate = static_cast<double>(s.records) / s.baseline.wall_s;
  const double ratio = 100.0 * aisafe_rate / baseline_rate;
  const double n = static_cast<double>(s.records);

  std::printf("\n");
  std::printf("records                 %" PRIu64 " (%" PRIu64 " stored new)\n", s.records, s.created);
  std::printf("  types                 incident %" PRIu64 ", system %" PRIu64 ", assessment %" PRIu64
              ", evaluation %" PRIu64 ", practice %" PRIu64 ", oversight %" PRIu64 "\n",
              s.per_type[0], s.per_type[1], s.per_type[2], s.per_type[3], s.per_type[4], s.per_type[5]);
  std::printf("  tlp                   clear %" PRIu64 ", green %" PRIu64 ", amber %" PRIu64 ", amber+strict %" PRIu64
              ", red %" PRIu64 "\n",
              s.per_tlp[0], s.per_tlp[1], s.per_tlp[2], s.per_tlp[3], s.per_tlp[4]);
  std::printf("bytes submitted         %" PRIu64 " (%.1f MB, mean %.0f B/record)\n", s.input_bytes,
              static_cast<double>(s.input_bytes) / 1e6, static_cast<double>(s.input_bytes) / n);
  std::printf("bytes canonical         %" PRIu64 " (%.1f MB, %zu-%zu B/record)\n", s.canonical_bytes,
              static_cast<double>(s.canonical_bytes) / 1e6, s.min_canonical, s.max_canonical);
  std::printf("generation (not timed)  %.2f s\n", s.generate_s);
  std::printf("\n");
  std::printf("aisafe ingest           %.2f s, %.0f records/s, %.1f MB/s canonical\n", aisafe_s, aisafe_rate,
              static_cast<double>(s.canonical_bytes) / 1e6 / aisafe_s);
  std::printf("  prepare               %.2f s (%.1f %%), %.0f records/s; CPU %.1f s user + %.1f s sys (%.2f cores)\n",
              s.prepare.wall_s, 100 * s.prepare.wall_s / aisafe_s, n / s.prepare.wall_s, s.prepare.user_s,
              s.prepare.sys_s, (s.prepare.user_s + s.prepare.sys_s) / s.prepare.wall_s);
  std::printf("  commit                %.2f s (%.1f %%), %.0f records/s\n", s.commit.wall_s,
              100 * s.commit.wall_s / aisafe_s, n / s.commit.wall_s);
  if (p) {
    std::printf("aisafe ingest pipelined %.2f s, %.0f records/s (prepare k+1 while committing k)\n", p->wall_s,
                static_cast<double>(p->records) / p->wall_s);
  }
  std::printf("bare SQLite baseline    %.2f s, %.0f records/s\n", s.baseline.wall_s, baseline_rate);
  std::printf("\n");
  // Where the write time goes: CPU in SQLite (user), CPU in the kernel
  // (sys: copying pages into the page cache), and the rest, waiting for
  // fsync. Bytes are per record, through read/write system calls.
  for (const auto& [name, ph] : {std::pair<const char*, const Phase*>{"aisafe commit", &s.commit},
                                 std::pair<const char*, const Phase*>{"baseline", &s.baseline}}) {
    const size_t tenth = std::max<size_t>(1, ph->batch_ms.size() / 10);
    std::vector<double> head(ph->batch_ms.begin(), ph->batch_ms.begin() + static_cast<long>(tenth));
    std::vector<double> tail(ph->batch_ms.end() - static_cast<long>(tenth), ph->batch_ms.end());
    const double wait = std::max(0.0, ph->wall_s - ph->user_s - ph->sys_s);
    std::printf(
        "%-23s %.2f s = %.1f s user + %.1f s sys + %.1f s waiting (%.0f %% waiting); "
        "write %.1f KB/record, read %.1f KB/record; batch p50 %.1f ms (first 10 %%: %.1f, last 10 %%: %.1f), "
        "p99 %.1f ms\n",
        name, ph->wall_s, ph->user_s, ph->sys_s, wait, 100 * wait / ph->wall_s,
        static_cast<double>(ph->wchar) / n / 1e3, static_cast<double>(ph->rchar) / n / 1e3,
        Percentile(ph->batch_ms, 0.5), Percentile(head, 0.5), Percentile(tail, 0.5), Percentile(ph->batch_ms, 0.99));
  }
  std::printf("\n");
  std::printf("aisafe / baseline       %.1f %%\n", ratio);
  std::printf("peak RSS                %.1f MB (%.1f MB after the serial run)\n", peak_mb, serial_peak_mb);
  std::printf("files                   store %.1f MB, baseline %.1f MB\n", store_mb, baseline_mb);
  std::printf("\n");
  std::printf("target: >= %.0f records/s         %s (%.0f)\n", kTargetRecordsPerSecond,
              Verdict(aisafe_rate >= kTargetRecordsPerSecond), aisafe_rate);
  if (p) {
    double prate = static_cast<double>(p->records) / p->wall_s;
    std::printf("        (pipelined)                 %s (%.0f)\n", Verdict(prate >= kTargetRecordsPerSecond), prate);
  }
  std::printf("target: >= %.0f %% of baseline        %s (%.1f %%)\n", kTargetBaselinePercent,
              Verdict(ratio >= kTargetBaselinePercent), ratio);
  std::printf("target: peak memory < %.0f MB       %s (%.1f MB)\n", kTargetPeakMb, Verdict(peak_mb < kTargetPeakMb),
              peak_mb);

  if (remove_dir) std::filesystem::remove_all(dir, ec);
  return 0;
}
