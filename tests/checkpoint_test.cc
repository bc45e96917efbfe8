// Checkpoints and cosignatures against tests/data/tlog (notes.json
// checkpoint_bodies, tiles.json signed and cosigned checkpoints; sources in
// SOURCES.md), plus malformed input, round trips and tampering.
#include "log/checkpoint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "log/note.h"
#include "nlohmann/json.hpp"
#include "util/base64.h"
#include "util/hex.h"
#include "util/strings.h"

namespace aisafe::log {
namespace {

using Json = nlohmann::json;
using ::testing::HasSubstr;

constexpr std::string_view kDash = "\xe2\x80\x94";  // U+2014 EM DASH
constexpr char kWitnessSeed[] = "14731ce6be532a0bcc9170c0352dc3c2477dde5f86324cd30fe00ad7d430df30";
constexpr char kWitnessPublicKey[] = "52cddf28a449f16454026dae787f0a2637668ce4a32edc969f8fed7076f2a50d";
constexpr char kWitnessVkey[] = "witness.example.org+b8a2cf20+BFLN3yikSfFkVAJtrnh/CiY3Zozkoy7clp+P7XB28qUN";
constexpr char kRoot[] = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";  // SHA-256("")

Json Load(const std::string& name) {
  std::ifstream in(std::string(AISAFE_TLOG_DATA) + "/" + name);
  return Json::parse(in);
}

std::string Hex8(uint32_t id) {
  std::string be;
  for (int shift = 24; shift >= 0; shift -= 8) be.push_back(static_cast<char>((id >> shift) & 0xff));
  return util::ToHex(be);
}

keys::Signer FromSeed(const std::string& name, const std::string& seed_hex, const std::string& public_key_hex) {
  auto seed = util::FromHex(seed_hex);
  auto pub = util::FromHex(public_key_hex);
  keys::PublicKey key{};
  if (pub && pub->size() == key.size()) std::copy(pub->begin(), pub->end(), key.begin());
  auto s = keys::Signer::Parse(util::StrCat("PRIVATE+KEY+", name, "+", Hex8(keys::KeyId(name, key)), "+",
                                            util::Base64Encode(util::StrCat("\x01", seed.value_or("")))));
  if (s.ok()) return *std::move(s);
  ADD_FAILURE() << name << ": " << s.status();
  return keys::Signer::Generate(name);
}

keys::Verifier MustParse(const std::string& vkey) {
  auto v = keys::ParseNoteVerifierKey(vkey);
  EXPECT_TRUE(v.ok()) << vkey << ": " << v.status();
  return v.value_or(keys::Verifier{});
}

std::string HashHex(const Hash& h) { return util::ToHex(h); }

// RFC 6962 root of `leaves`, recursively from the definition.
Hash Root(const std::vector<std::string>& leaves, size_t lo, size_t hi) {
  if (hi == lo) return EmptyRoot();
  if (hi - lo == 1) return LeafHash(leaves[lo]);
  size_t k = 1;
  while (k * 2 < hi - lo) k *= 2;
  return NodeHash(Root(leaves, lo, lo + k), Root(leaves, lo + k, hi));
}

TEST(CheckpointVectors, Bodies) {
  const Json data = Load("notes.json");
  for (const auto& v : data["checkpoint_bodies"]) {
    const std::string desc = v["desc"];
    const std::string body = v["body"];
    bool want = v["want_valid"].get<bool>();
    // Strict C2SP reading where the vector says formats is lenient:
    // strict_c2sp_valid:false (empty extension lines) is rejected, and so are
    // roots that do not decode to 32 bytes ("bananas", the 37-byte root):
    // this is a SHA-256 log and tlog-checkpoint's root is an RFC 6962 hash.
    if (v.contains("strict_c2sp_valid")) want = v["strict_c2sp_valid"].get<bool>();
    const size_t l2 = body.find('\n', body.find('\n') + 1);
    const size_t l3 = l2 == std::string::npos ? l2 : body.find('\n', l2 + 1);
    const auto root = l3 == std::string::npos ? std::nullopt : util::Base64Decode(body.substr(l2 + 1, l3 - l2 - 1));
    const bool strict_root = want && root && root->size() != 32;
    if (strict_root) want = false;
    auto cp = ParseCheckpoint(body);
    if (!want) {
      EXPECT_EQ(cp.status().code(), absl::StatusCode::kInvalidArgument) << desc << ": got " << cp.status();
      if (strict_root) {
        EXPECT_THAT(std::string(cp.status().message()), HasSubstr("checkpoint line 3: root hash is")) << desc;
      }
      continue;
    }
    if (!cp.ok()) {
      ADD_FAILURE() << desc << ": " << cp.status();
      continue;
    }
    EXPECT_EQ(cp->origin, v["origin"]) << desc;
    EXPECT_EQ(cp->size, v["size"].get<uint64_t>()) << desc;
    if (v.contains("root_hex")) {
      EXPECT_EQ(HashHex(cp->root), v["root_hex"]) << desc;
    }
    std::string rest;
    for (const auto& e : cp->extensions) rest += e + "\n";
    if (v.contains("rest")) {
      EXPECT_EQ(rest, v["rest"]) << desc;
    }
    EXPECT_EQ(FormatCheckpoint(*cp), body) << desc;
  }
}

TEST(CheckpointVectors, TesseraSignedCheckpoints) {
  const Json log = Load("tiles.json")["tessera_testdata_log"];
  const keys::Verifier log_key = MustParse(log["log_vkey"]);
  auto signer = keys::Signer::Parse(log["log_skey_test_only"].get<std::string>());
  ASSERT_TRUE(signer.ok()) << signer.status();
  const auto entries = log["entries_ascii"].get<std::vector<std::string>>();
  ASSERT_EQ(log["checkpoints"].size(), 16u);
  for (const auto& [key, note] : log["checkpoints"].items()) {
    const std::string desc = "tessera checkpoint." + key;
    auto opened = OpenCheckpoint(note.get<std::string>(), log_key, log["origin"].get<std::string>());
    if (!opened.ok()) {
      ADD_FAILURE() << desc << ": " << opened.status();
      continue;
    }
    EXPECT_EQ(std::to_string(opened->checkpoint.size), key) << desc;
    EXPECT_TRUE(opened->cosigned_by.empty()) << desc;
    EXPECT_EQ(opened->note, note) << desc;
    // The root is the RFC 6962 root of the first `size` entries.
    if (opened->checkpoint.size <= entries.size()) {
      EXPECT_EQ(HashHex(opened->checkpoint.root), HashHex(Root(entries, 0, opened->checkpoint.size))) << desc;
    } else {
      ADD_FAILURE() << desc << ": size beyond the entries";
    }
    // Ed25519 is deterministic: signing the parsed checkpoint again gives the same note.
    EXPECT_EQ(SignCheckpoint(opened->checkpoint, *signer), note) << desc;
    // A different origin is refused.
    auto wrong = OpenCheckpoint(note.get<std::string>(), log_key, "example.com/other");
    EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInvalidArgument) << desc;
  }
}

TEST(CheckpointVectors, SunlightMirrorCosignedCheckpoint) {
  const Json m = Load("tiles.json")["sunlight_mirror_300"];
  const std::string note = m["checkpoint"];
  const keys::Verifier mirror = MustParse(m["cosigner_vkey"]);
  ASSERT_EQ(mirror.alg, keys::kAlgCosignatureV1);
  // The note carries only the mirror's cosignature.
  auto opened = OpenNote(note, std::vector<keys::Verifier>{mirror});
  ASSERT_TRUE(opened.ok()) << opened.status();
  ASSERT_EQ(opened->verified_by.size(), 1u);
  EXPECT_EQ(opened->cosignature_times[0], 1767139200u);
  auto cp = ParseCheckpoint(opened->note.text);
  ASSERT_TRUE(cp.ok()) << cp.status();
  EXPECT_EQ(cp->origin, m["origin"]);
  EXPECT_EQ(cp->size, m["tree_size"].get<uint64_t>());
  std::vector<std::string> records;
  for (int i = 0; i < 300; ++i) records.push_back("record " + std::to_string(i));
  EXPECT_EQ(HashHex(cp->root), HashHex(Root(records, 0, records.size())));
  // As a checkpoint it lacks the log's signature, whatever log key we expect.
  keys::Signer log = keys::Signer::Generate("rome2026h1.example.org");
  auto as_checkpoint = OpenCheckpoint(note, log.verifier(), "", std::vector<keys::Verifier>{mirror});
  EXPECT_EQ(as_checkpoint.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(as_checkpoint.status().message(), "checkpoint is not signed by rome2026h1.example.org");
}

TEST(CheckpointVectors, ExpectedCosignatureLine) {
  const Json log = Load("tiles.json")["tessera_testdata_log"];
  const std::string note = log["checkpoints"]["15"];
  std::string want_line;
  const Json data = Load("notes.json");
  for (const auto& v : data["notes"]) {
    if (v.contains("expected_cosignature_line")) want_line = v["expected_cosignature_line"];
  }
  ASSERT_FALSE(want_line.empty());
  keys::Signer witness = FromSeed("witness.example.org", kWitnessSeed, kWitnessPublicKey);
  EXPECT_EQ(witness.cosignature_verifier().Encode(), kWitnessVkey);
  auto cosigned = AddCosignature(note, witness, 1767139200);
  ASSERT_TRUE(cosigned.ok()) << cosigned.status();
  EXPECT_EQ(*cosigned, note + want_line);
  const std::vector<keys::Verifier> witnesses = {MustParse(kWitnessVkey)};
  auto opened = OpenCheckpoint(*cosigned, MustParse(log["log_vkey"]), "example.com/log/testdata", witnesses);
  ASSERT_TRUE(opened.ok()) << opened.status();
  ASSERT_EQ(opened->cosigned_by.size(), 1u);
  EXPECT_EQ(opened->cosigned_by[0].name, "witness.example.org");
  EXPECT_EQ(opened->cosignature_times, (std::vector<uint64_t>{1767139200}));
}

// ---- Malformed input: each a clear InvalidArgument.

struct Bad {
  std::string desc;
  std::string body;
  std::string want_error;
};

TEST(Checkpoint, RejectsMalformedBodies) {
  const std::vector<Bad> cases = {
      {"empty", "", "checkpoint is empty"},
      {"no final newline", util::StrCat("o\n1\n", kRoot), "does not end in a newline"},
      {"crlf", util::StrCat("o\r\n1\r\n", kRoot, "\r\n"), "checkpoint: note text line 1: carriage return"},
      {"two lines", "o\n1\n", "checkpoint has 2 lines"},
      {"empty origin", util::StrCat("\n1\n", kRoot, "\n"), "checkpoint line 1: origin is empty"},
      {"leading zero", util::StrCat("o\n01\n", kRoot, "\n"), "checkpoint line 2: tree size \"01\" has a leading zero"},
      {"plus sign", util::StrCat("o\n+1\n", kRoot, "\n"), "tree size \"+1\" is not an unsigned decimal number"},
      {"minus sign", util::StrCat("o\n-1\n", kRoot, "\n"), "tree size \"-1\" is not an unsigned decimal number"},
      {"space", util::StrCat("o\n 1\n", kRoot, "\n"), "is not an unsigned decimal number"},
      {"empty size", util::StrCat("o\n\n", kRoot, "\n"), "checkpoint line 2: tree size is empty"},
      {"2^64", util::StrCat("o\n18446744073709551616\n", kRoot, "\n"),
       "tree size \"18446744073709551616\" does not fit in 64 bits"},
      {"non-base64 root", "o\n1\nnot base64!\n", "checkpoint line 3: root hash \"not base64!\" is not valid base64"},
      {"unpadded root", "o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\n", "is not valid base64"},
      {"url-safe root", "o\n1\n47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU=\n", "is not valid base64"},
      {"empty root", "o\n1\n\n", "checkpoint line 3: root hash is empty"},
      {"short root", "o\n1\nYmFuYW5hcw==\n", "checkpoint line 3: root hash is 7 bytes, want 32"},
      {"long root", "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n", "is 42 bytes, want 32"},
      {"empty extension", util::StrCat("o\n1\n", kRoot, "\next\n\n"), "checkpoint line 5: extension line is empty"},
      {"invalid UTF-8", util::StrCat("o\xff\n1\n", kRoot, "\n"), "invalid UTF-8"},
  };
  for (const auto& c : cases) {
    auto cp = ParseCheckpoint(c.body);
    EXPECT_EQ(cp.status().code(), absl::StatusCode::kInvalidArgument) << c.desc;
    EXPECT_THAT(std::string(cp.status().message()), HasSubstr(c.want_error)) << c.desc;
  }
  auto max = ParseCheckpoint(util::StrCat("o\n18446744073709551615\n", kRoot, "\n"));
  ASSERT_TRUE(max.ok()) << max.status();
  EXPECT_EQ(max->size, UINT64_MAX);
}

TEST(Checkpoint, RejectsMalformedNotes) {
  keys::Signer log = keys::Signer::Generate("example.com/log");
  const Checkpoint cp{"example.com/log", 5, EmptyRoot(), {}};
  const std::string good = SignCheckpoint(cp, log);
  const std::string text = FormatCheckpoint(cp);
  const std::string line = SignNote(text, log).Line();
  std::string many = text + "\n";
  for (int i = 0; i < 101; ++i) many += line;
  std::string crlf;
  for (char c : good) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  const std::vector<Bad> cases = {
      {"crlf", crlf, "carriage return"},
      {"missing signature", text, "no empty line"},
      {"missing signature after blank line", text + "\n", "no signature lines"},
      {"signature without final newline", good.substr(0, good.size() - 1), "does not end in a newline"},
      {"non-base64 signature", util::StrCat(text, "\n", kDash, " example.com/log not*base64\n"), "not valid base64"},
      {"101 signatures", many, "more than 100 signature lines"},
      {"invalid UTF-8", "\xc3(" + good, "invalid UTF-8"},
  };
  for (const auto& c : cases) {
    auto opened = OpenCheckpoint(c.body, log.verifier());
    EXPECT_EQ(opened.status().code(), absl::StatusCode::kInvalidArgument) << c.desc << ": " << opened.status();
    EXPECT_THAT(std::string(opened.status().message()), HasSubstr(c.want_error)) << c.desc;
  }
  // A correctly signed note whose text is not a checkpoint.
  const std::string not_cp = util::StrCat("example.com/log\n05\n", kRoot, "\n");
  auto opened = OpenCheckpoint(util::StrCat(not_cp, "\n", SignNote(not_cp, log).Line()), log.verifier());
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(opened.status().message(), "checkpoint line 2: tree size \"05\" has a leading zero");
  // AddCosignature refuses what it cannot cosign.
  keys::Signer w = keys::Signer::Generate("w");
  EXPECT_EQ(AddCosignature(text, w, 1).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(AddCosignature(good, w, kMaxCosignatureTime + 1).status().code(), absl::StatusCode::kInvalidArgument);
  std::string hundred = text + "\n";
  for (int i = 0; i < 100; ++i) hundred += line;
  EXPECT_THAT(std::string(AddCosignature(hundred, w, 1).status().message()), HasSubstr("already has 100 signatures"));
}

// ---- Round trips.

TEST(Checkpoint, SignOpenCosign) {
  keys::Signer log = keys::Signer::Generate("example.com/log");
  keys::Signer w1 = keys::Signer::Generate("example.com/w1");
  keys::Signer w2 = keys::Signer::Generate("example.com/w2");
  Checkpoint cp{"example.com/log", 1234, LeafHash("x"), {"ext one", "ext two"}};
  const std::string note = SignCheckpoint(cp, log);
  auto opened = OpenCheckpoint(note, log.verifier(), "example.com/log");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->checkpoint.origin, cp.origin);
  EXPECT_EQ(opened->checkpoint.size, cp.size);
  EXPECT_EQ(opened->checkpoint.root, cp.root);
  EXPECT_EQ(opened->checkpoint.extensions, cp.extensions);

  auto once = AddCosignature(note, w1, 1700000000);
  ASSERT_TRUE(once.ok()) << once.status();
  auto twice = AddCosignature(*once, w2, 1700000005);
  ASSERT_TRUE(twice.ok()) << twice.status();
  const std::vector<keys::Verifier> witnesses = {w2.cosignature_verifier(), w1.cosignature_verifier()};
  auto cosigned = OpenCheckpoint(*twice, log.verifier(), "example.com/log", witnesses);
  ASSERT_TRUE(cosigned.ok()) << cosigned.status();
  ASSERT_EQ(cosigned->cosigned_by.size(), 2u);
  EXPECT_EQ(cosigned->cosigned_by[0].name, "example.com/w1");
  EXPECT_EQ(cosigned->cosigned_by[1].name, "example.com/w2");
  EXPECT_EQ(cosigned->cosignature_times, (std::vector<uint64_t>{1700000000, 1700000005}));
  EXPECT_EQ(cosigned->note, *twice);

  // Without the witnesses the cosignatures are ignored.
  auto plain = OpenCheckpoint(*twice, log.verifier());
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_TRUE(plain->cosigned_by.empty());

  // Only cosigned, not signed by the log.
  auto witness_only =
      AddCosignature(util::StrCat(FormatCheckpoint(cp), "\n", Cosign(FormatCheckpoint(cp), w1, 1).Line()), w2, 2);
  ASSERT_TRUE(witness_only.ok()) << witness_only.status();
  auto unsigned_cp = OpenCheckpoint(*witness_only, log.verifier(), "", witnesses);
  EXPECT_EQ(unsigned_cp.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(unsigned_cp.status().message(), "checkpoint is not signed by example.com/log");

  // Wrong key types are caller errors.
  EXPECT_EQ(OpenCheckpoint(note, log.cosignature_verifier()).status().code(), absl::StatusCode::kInvalidArgument);
  const std::vector<keys::Verifier> plain_witness = {w1.verifier()};
  EXPECT_EQ(OpenCheckpoint(note, log.verifier(), "", plain_witness).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Wrong origin.
  auto wrong = OpenCheckpoint(note, log.verifier(), "example.com/other");
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(wrong.status().message(),
            "checkpoint origin \"example.com/log\" is not the expected \"example.com/other\"");
}

TEST(Checkpoint, EveryTamperedByteIsRejected) {
  keys::Signer log = keys::Signer::Generate("example.com/log");
  const std::string note = SignCheckpoint(Checkpoint{"example.com/log", 42, LeafHash("y"), {"ext"}}, log);
  ASSERT_TRUE(OpenCheckpoint(note, log.verifier()).ok());
  for (size_t i = 0; i < note.size(); ++i) {
    for (uint8_t flip : {0x01, 0x20, 0x80}) {
      std::string tampered = note;
      tampered[i] = static_cast<char>(static_cast<uint8_t>(tampered[i]) ^ flip);
      EXPECT_FALSE(OpenCheckpoint(tampered, log.verifier()).ok())
          << "byte " << i << " ^ " << static_cast<int>(flip) << " accepted";
    }
  }
  // Removing or inserting a byte anywhere fails too.
  for (size_t i = 0; i < note.size(); ++i) {
    EXPECT_FALSE(OpenCheckpoint(note.substr(0, i) + note.substr(i + 1), log.verifier()).ok()) << "deleted " << i;
    EXPECT_FALSE(OpenCheckpoint(note.substr(0, i) + "A" + note.substr(i), log.verifier()).ok()) << "inserted " << i;
  }
}

TEST(Checkpoint, TamperedCosignatureIsRejectedOrDropped) {
  keys::Signer log = keys::Signer::Generate("example.com/log");
  keys::Signer w = keys::Signer::Generate("example.com/w");
  const std::string signed_note = SignCheckpoint(Checkpoint{"example.com/log", 7, LeafHash("z"), {}}, log);
  auto note = AddCosignature(signed_note, w, 1700000000);
  ASSERT_TRUE(note.ok());
  const std::vector<keys::Verifier> witnesses = {w.cosignature_verifier()};
  for (size_t i = signed_note.size(); i < note->size(); ++i) {
    std::string tampered = *note;
    tampered[i] = static_cast<char>(static_cast<uint8_t>(tampered[i]) ^ 0x01);
    auto opened = OpenCheckpoint(tampered, log.verifier(), "", witnesses);
    // Changing the witness's name or key id makes it an unknown signature,
    // which is ignored; anything else fails.
    EXPECT_TRUE(!opened.ok() || opened->cosigned_by.empty()) << "byte " << i;
  }
}

TEST(Checkpoint, Format) {
  Checkpoint cp{"example.com/log", 0, EmptyRoot(), {}};
  EXPECT_EQ(FormatCheckpoint(cp), util::StrCat("example.com/log\n0\n", kRoot, "\n"));
}

}  // namespace
}  // namespace aisafe::log
