#include "log/checkpoint.h"

#include <algorithm>
#include <charconv>

#include "log/note.h"
#include "util/base64.h"
#include "util/strings.h"

namespace aisafe::log {
namespace {

// `s` in double quotes for an error message, cut to about 64 bytes (at a
// UTF-8 boundary). Only used on text CheckNoteText accepted.
std::string Quote(std::string_view s) {
  constexpr size_t kMax = 64;
  if (s.size() <= kMax) return util::StrCat("\"", s, "\"");
  size_t cut = kMax;
  while (cut > 0 && (static_cast<uint8_t>(s[cut]) & 0xc0) == 0x80) --cut;
  return util::StrCat("\"", s.substr(0, cut), "\"...");
}

absl::Status LineError(size_t line, std::string_view what) {
  return absl::InvalidArgumentError(util::StrCat("checkpoint line ", line, ": ", what));
}

absl::StatusOr<uint64_t> ParseSize(std::string_view s) {
  if (s.empty()) return LineError(2, "tree size is empty");
  if (!std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return LineError(2, util::StrCat("tree size ", Quote(s), " is not an unsigned decimal number"));
  }
  if (s.size() > 1 && s[0] == '0') return LineError(2, util::StrCat("tree size ", Quote(s), " has a leading zero"));
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc::result_out_of_range) {
    return LineError(2, util::StrCat("tree size ", Quote(s), " does not fit in 64 bits"));
  }
  if (ec != std::errc() || end != s.data() + s.size()) {
    return LineError(2, util::StrCat("tree size ", Quote(s), " is not an unsigned decimal number"));
  }
  return v;
}

}  // namespace

absl::StatusOr<Checkpoint> ParseCheckpoint(std::string_view body) {
  if (body.empty()) return absl::InvalidArgumentError("checkpoint is empty");
  if (body.back() != '\n') return absl::InvalidArgumentError("checkpoint does not end in a newline");
  if (auto st = CheckNoteText(body); !st.ok()) {
    return absl::InvalidArgumentError(util::StrCat("checkpoint: ", st.message()));
  }
  std::vector<std::string_view> lines;
  for (std::string_view rest = body; !rest.empty();) {
    const size_t nl = rest.find('\n');  // Found: body ends in '\n'.
    lines.push_back(rest.substr(0, nl));
    rest.remove_prefix(nl + 1);
  }
  if (lines.size() < 3) {
    return absl::InvalidArgumentError(
        util::StrCat("checkpoint has ", lines.size(), " lines; it needs at least 3 (origin, tree size, root hash)"));
  }
  Checkpoint cp;
  if (lines[0].empty()) return LineError(1, "origin is empty");
  cp.origin = std::string(lines[0]);
  auto size = ParseSize(lines[1]);
  if (!size.ok()) return size.status();
  cp.size = *size;
  auto root = util::Base64Decode(lines[2]);
  if (lines[2].empty()) return LineError(3, "root hash is empty");
  if (!root) return LineError(3, util::StrCat("root hash ", Quote(lines[2]), " is not valid base64"));
  if (root->size() != cp.root.size()) {
    return LineError(3, util::StrCat("root hash is ", root->size(), " bytes, want 32 (SHA-256)"));
  }
  std::copy(root->begin(), root->end(), cp.root.begin());
  for (size_t i = 3; i < lines.size(); ++i) {
    // Strict C2SP: extension lines MUST be non-empty (transparency-dev/formats
    // would take empty ones as part of its opaque "rest").
    if (lines[i].empty()) return LineError(i + 1, "extension line is empty");
    cp.extensions.emplace_back(lines[i]);
  }
  return cp;
}

std::string FormatCheckpoint(const Checkpoint& cp) {
  std::string out = util::StrCat(
      cp.origin, "\n", cp.size, "\n",
      util::Base64Encode(std::string_view(reinterpret_cast<const char*>(cp.root.data()), cp.root.size())), "\n");
  for (const auto& ext : cp.extensions) util::StrAppend(&out, ext, "\n");
  return out;
}

std::string SignCheckpoint(const Checkpoint& cp, const keys::Signer& log_key) {
  std::string text = FormatCheckpoint(cp);
  return util::StrCat(text, "\n", SignNote(text, log_key).Line());
}

absl::StatusOr<SignedCheckpoint> OpenCheckpoint(std::string_view note, const keys::Verifier& log_key,
                                                std::string_view origin, std::span<const keys::Verifier> witnesses) {
  if (log_key.alg != keys::kAlgEd25519) {
    return absl::InvalidArgumentError(
        util::StrCat("log key ", log_key.name, " is not an Ed25519 note key (signature type 0x01)"));
  }
  std::vector<keys::Verifier> known{log_key};
  for (const auto& w : witnesses) {
    if (w.alg != keys::kAlgCosignatureV1) {
      return absl::InvalidArgumentError(
          util::StrCat("witness key ", w.name, " is not a cosignature/v1 key (signature type 0x04)"));
    }
    known.push_back(w);
  }
  auto opened = OpenNote(note, known);
  if (!opened.ok() && !absl::IsFailedPrecondition(opened.status())) return opened.status();
  const bool by_log =
      opened.ok() && std::any_of(opened->verified_by.begin(), opened->verified_by.end(), [&](const keys::Verifier& v) {
        return v.alg == keys::kAlgEd25519 && v.name == log_key.name && v.key_id == log_key.key_id &&
               v.key == log_key.key;
      });
  if (!by_log) return absl::FailedPreconditionError(util::StrCat("checkpoint is not signed by ", log_key.name));
  auto cp = ParseCheckpoint(opened->note.text);
  if (!cp.ok()) return cp.status();
  if (!origin.empty() && cp->origin != origin) {
    return absl::InvalidArgumentError(
        util::StrCat("checkpoint origin ", Quote(cp->origin), " is not the expected ", Quote(origin)));
  }
  SignedCheckpoint out;
  out.checkpoint = *std::move(cp);
  out.note = std::string(note);
  for (size_t i = 0; i < opened->verified_by.size(); ++i) {
    if (opened->verified_by[i].alg != keys::kAlgCosignatureV1) continue;
    out.cosigned_by.push_back(opened->verified_by[i]);
    out.cosignature_times.push_back(opened->cosignature_times[i]);
  }
  return out;
}

absl::StatusOr<std::string> AddCosignature(std::string_view note, const keys::Signer& witness, uint64_t timestamp) {
  auto parsed = ParseNote(note);
  if (!parsed.ok()) return parsed.status();
  if (auto cp = ParseCheckpoint(parsed->text); !cp.ok()) return cp.status();
  if (timestamp > kMaxCosignatureTime) {
    return absl::InvalidArgumentError(util::StrCat("cosignature timestamp ", timestamp, " is above 2^63-1"));
  }
  if (parsed->signatures.size() >= kMaxNoteSignatures) {
    return absl::InvalidArgumentError(
        util::StrCat("note already has ", parsed->signatures.size(), " signatures, the most a note may carry"));
  }
  return util::StrCat(note, Cosign(parsed->text, witness, timestamp).Line());
}

}  // namespace aisafe::log
