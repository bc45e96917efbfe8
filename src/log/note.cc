#include "log/note.h"

#include <algorithm>
#include <set>

#include "util/base64.h"
#include "util/hex.h"
#include "util/strings.h"

namespace aisafe::log {
namespace {

constexpr std::string_view kSigPrefix = "\xe2\x80\x94 ";  // U+2014 EM DASH, space.

std::string BigEndian(uint64_t v, int bytes) {
  std::string out(static_cast<size_t>(bytes), '\0');
  for (int i = bytes - 1; i >= 0; --i) {
    out[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return out;
}

uint64_t ReadBigEndian(std::string_view bytes) {
  uint64_t v = 0;
  for (char c : bytes) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}

std::string KeyIdHex(uint32_t id) { return util::ToHex(BigEndian(id, 4)); }

// Decodes the UTF-8 sequence at s[i] into *cp; returns its length, or 0 when
// it is not valid UTF-8 (truncated, overlong, surrogate, beyond U+10FFFF).
size_t DecodeUtf8(std::string_view s, size_t i, char32_t* cp) {
  const auto c0 = static_cast<uint8_t>(s[i]);
  if (c0 < 0x80) {
    *cp = c0;
    return 1;
  }
  size_t n = 0;
  char32_t v = 0;
  char32_t min = 0;
  if ((c0 & 0xe0) == 0xc0) {
    n = 2, v = c0 & 0x1f, min = 0x80;
  } else if ((c0 & 0xf0) == 0xe0) {
    n = 3, v = c0 & 0x0f, min = 0x800;
  } else if ((c0 & 0xf8) == 0xf0) {
    n = 4, v = c0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (s.size() - i < n) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto c = static_cast<uint8_t>(s[i + k]);
    if ((c & 0xc0) != 0x80) return 0;
    v = (v << 6) | (c & 0x3f);
  }
  if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
  *cp = v;
  return n;
}

// Unicode White_Space (what Go's unicode.IsSpace reports), which key names
// must not contain.
bool IsUnicodeSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 || c == 0xa0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

// UTF-8 and control characters, reporting "<what> line N: ...".
absl::Status CheckChars(std::string_view s, std::string_view what) {
  size_t line = 1;
  size_t column = 1;
  for (size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    const size_t n = DecodeUtf8(s, i, &cp);
    if (n == 0) {
      return absl::InvalidArgumentError(
          util::StrCat(what, " line ", line, ": invalid UTF-8 at byte ", column, " of the line"));
    }
    if (cp == '\r') {
      return absl::InvalidArgumentError(util::StrCat(what, " line ", line, ": carriage return (\\r) at byte ", column,
                                                     "; lines must end in \\n only"));
    }
    if (cp < 0x20 && cp != '\n') {
      return absl::InvalidArgumentError(util::StrCat(what, " line ", line, ": control character 0x",
                                                     util::ToHex(std::string(1, static_cast<char>(cp))), " at byte ",
                                                     column));
    }
    if (cp == '\n') {
      ++line;
      column = 1;
    } else {
      column += n;
    }
    i += n;
  }
  return absl::OkStatus();
}

// C2SP key names: non-empty, no Unicode spaces, no '+' (s is valid UTF-8).
absl::Status CheckSignatureName(std::string_view name) {
  if (auto st = keys::CheckKeyName(name); !st.ok()) return st;
  for (size_t i = 0; i < name.size();) {
    char32_t cp = 0;
    const size_t n = DecodeUtf8(name, i, &cp);
    if (n == 0) return absl::InvalidArgumentError("key name is not valid UTF-8");
    if (IsUnicodeSpace(cp)) return absl::InvalidArgumentError("key name contains a Unicode space");
    i += n;
  }
  return absl::OkStatus();
}

bool VerifyEd25519(const keys::Verifier& v, std::string_view message, std::string_view sig) {
  if (sig.size() != 64) return false;
  keys::Signature s;
  std::copy(sig.begin(), sig.end(), s.begin());
  return v.Verify(message, s);
}

std::string Names(std::span<const keys::Verifier> keys) {
  std::vector<std::string> names;
  for (const auto& k : keys) names.push_back(util::StrCat(k.name, "+", KeyIdHex(k.key_id)));
  return names.empty() ? std::string("none") : util::StrJoin(names, ", ");
}

}  // namespace

std::string NoteSignature::Line() const {
  return util::StrCat(kSigPrefix, name, " ", util::Base64Encode(util::StrCat(BigEndian(key_id, 4), sig)), "\n");
}

absl::Status CheckNoteText(std::string_view text) {
  if (text.empty()) return absl::InvalidArgumentError("note text is empty");
  if (text.back() != '\n') return absl::InvalidArgumentError("note text does not end in a newline");
  return CheckChars(text, "note text");
}

absl::StatusOr<Note> ParseNote(std::string_view message) {
  if (message.empty()) return absl::InvalidArgumentError("note is empty");
  if (auto st = CheckChars(message, "note"); !st.ok()) return st;
  const size_t split = message.rfind("\n\n");
  if (split == std::string_view::npos) {
    return absl::InvalidArgumentError("note has no empty line between its text and its signatures");
  }
  Note note;
  note.text = std::string(message.substr(0, split + 1));
  std::string_view sigs = message.substr(split + 2);
  size_t line_no = static_cast<size_t>(std::count(message.begin(), message.begin() + split + 2, '\n')) + 1;
  if (sigs.empty()) return absl::InvalidArgumentError("note has no signature lines after its empty line");
  if (sigs.back() != '\n') {
    const size_t last = line_no + static_cast<size_t>(std::count(sigs.begin(), sigs.end(), '\n'));
    return absl::InvalidArgumentError(util::StrCat("note line ", last, ": signature line does not end in a newline"));
  }
  while (!sigs.empty()) {
    const size_t nl = sigs.find('\n');  // Found: sigs ends in '\n'.
    std::string_view line = sigs.substr(0, nl);
    sigs.remove_prefix(nl + 1);
    const std::string where = util::StrCat("note line ", line_no, ": ");
    if (note.signatures.size() == kMaxNoteSignatures) {
      return absl::InvalidArgumentError(
          util::StrCat(where, "note has more than ", kMaxNoteSignatures, " signature lines"));
    }
    if (line.substr(0, kSigPrefix.size()) != kSigPrefix) {
      return absl::InvalidArgumentError(
          util::StrCat(where, "not a signature line (want \"\xe2\x80\x94 <key name> <base64 signature>\")"));
    }
    line.remove_prefix(kSigPrefix.size());
    const size_t space = line.find(' ');
    if (space == std::string_view::npos) {
      return absl::InvalidArgumentError(util::StrCat(where, "signature line has no space after the key name"));
    }
    std::string_view name = line.substr(0, space);
    std::string_view b64 = line.substr(space + 1);
    if (auto st = CheckSignatureName(name); !st.ok()) {
      return absl::InvalidArgumentError(util::StrCat(where, st.message()));
    }
    auto raw = util::Base64Decode(b64);
    if (b64.empty() || !raw) {
      return absl::InvalidArgumentError(util::StrCat(where, "signature by ", name, " is not valid base64"));
    }
    if (raw->size() < 5) {
      return absl::InvalidArgumentError(util::StrCat(where, "signature by ", name, " is ", raw->size(),
                                                     " bytes; it needs a 4-byte key id and a signature"));
    }
    NoteSignature sig;
    sig.name = std::string(name);
    sig.key_id = static_cast<uint32_t>(ReadBigEndian(std::string_view(*raw).substr(0, 4)));
    sig.sig = raw->substr(4);
    note.signatures.push_back(std::move(sig));
    ++line_no;
  }
  return note;
}

std::string FormatNote(const Note& note) {
  std::string out = util::StrCat(note.text, "\n");
  for (const auto& sig : note.signatures) out += sig.Line();
  return out;
}

absl::StatusOr<uint64_t> CosignatureTime(const NoteSignature& sig) {
  if (sig.sig.size() != 72) {
    return absl::InvalidArgumentError(util::StrCat("cosignature by ", sig.name, " is ", sig.sig.size() + 4,
                                                   " bytes, want 76 (key id, timestamp, Ed25519 signature)"));
  }
  const uint64_t t = ReadBigEndian(std::string_view(sig.sig).substr(0, 8));
  if (t > kMaxCosignatureTime) {
    return absl::InvalidArgumentError(util::StrCat("cosignature by ", sig.name, " has timestamp ", t, " above 2^63-1"));
  }
  return t;
}

std::string CosignatureMessage(std::string_view text, uint64_t timestamp) {
  return util::StrCat("cosignature/v1\ntime ", timestamp, "\n", text);
}

absl::StatusOr<VerifiedNote> OpenNote(std::string_view message, std::span<const keys::Verifier> known) {
  for (const auto& k : known) {
    if (k.alg != keys::kAlgEd25519 && k.alg != keys::kAlgCosignatureV1) {
      return absl::InvalidArgumentError(util::StrCat("known key ", k.name, " has signature type 0x",
                                                     util::ToHex(std::string(1, static_cast<char>(k.alg))),
                                                     "; only 0x01 and 0x04 can be verified"));
    }
  }
  auto note = ParseNote(message);
  if (!note.ok()) return note.status();
  VerifiedNote out;
  std::vector<bool> verified(known.size(), false);
  std::set<std::string> seen_unverified;
  for (const auto& sig : note->signatures) {
    auto match = std::find_if(known.begin(), known.end(),
                              [&](const keys::Verifier& k) { return k.name == sig.name && k.key_id == sig.key_id; });
    if (match == known.end()) {
      if (seen_unverified.insert(sig.Line()).second) out.unverified.push_back(sig);
      continue;
    }
    uint64_t time = 0;
    bool ok = false;
    std::string why;
    if (match->alg == keys::kAlgEd25519) {
      ok = VerifyEd25519(*match, note->text, sig.sig);
      if (sig.sig.size() != 64) why = util::StrCat(": it is ", sig.sig.size(), " bytes, want 64");
    } else {
      auto t = CosignatureTime(sig);
      if (t.ok()) {
        time = *t;
        ok = VerifyEd25519(*match, CosignatureMessage(note->text, time), std::string_view(sig.sig).substr(8));
      } else {
        why = util::StrCat(": ", t.status().message());
      }
    }
    if (!ok) {
      return absl::PermissionDeniedError(
          util::StrCat("signature by ", sig.name, " (key id ", KeyIdHex(sig.key_id), ") does not verify", why));
    }
    const auto index = static_cast<size_t>(match - known.begin());
    if (!verified[index]) {
      verified[index] = true;
      out.verified_by.push_back(*match);
      out.cosignature_times.push_back(time);
    }
  }
  if (out.verified_by.empty()) {
    std::vector<std::string> found;
    for (const auto& sig : out.unverified) found.push_back(util::StrCat(sig.name, "+", KeyIdHex(sig.key_id)));
    return absl::FailedPreconditionError(util::StrCat("note has no signature by a known key (signed by ",
                                                      util::StrJoin(found, ", "), "; known keys: ", Names(known), ")"));
  }
  out.note = *std::move(note);
  return out;
}

NoteSignature SignNote(std::string_view text, const keys::Signer& signer) {
  NoteSignature out;
  out.name = signer.name();
  out.key_id = signer.key_id();
  const keys::Signature sig = signer.Sign(text);
  out.sig.assign(reinterpret_cast<const char*>(sig.data()), sig.size());
  return out;
}

NoteSignature Cosign(std::string_view text, const keys::Signer& witness, uint64_t timestamp) {
  NoteSignature out;
  out.name = witness.name();
  out.key_id = keys::KeyId(witness.name(), keys::kAlgCosignatureV1, witness.public_key());
  const keys::Signature sig = witness.Sign(CosignatureMessage(text, timestamp));
  out.sig = BigEndian(timestamp, 8);
  out.sig.append(reinterpret_cast<const char*>(sig.data()), sig.size());
  return out;
}

}  // namespace aisafe::log
