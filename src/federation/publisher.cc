#include "federation/publisher.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "auth/auth.h"
#include "federation/feed.h"
#include "log/checkpoint.h"
#include "log/note.h"
#include "log/tiles.h"
#include "nlohmann/json.hpp"
#include "node/transparency.h"
#include "util/base64.h"
#include "util/strings.h"

namespace aisafe::federation {
namespace {

using Json = nlohmann::json;

// A page scans at most this many log entries per record it may return, so
// an asker allowed little of a large log still gets quick (sparser) pages.
constexpr size_t kScanFactor = 4;
// A page stops growing past this many bytes of records (it always holds at
// least one), so large records cannot make a page too big to hold.
constexpr size_t kMaxPageRecordBytes = 16 << 20;

std::vector<std::string> AudienceOf(const std::string& canonical) {
  std::vector<std::string> out;
  Json doc = Json::parse(canonical, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return out;
  auto it = doc.find("audience");
  if (it == doc.end() || !it->is_array()) return out;
  for (const Json& name : *it) {
    if (name.is_string()) out.push_back(name.get<std::string>());
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> ServeFeed(const node::Node& node, const FeedRequest& request) {
  if (request.limit < 1 || request.limit > kMaxFeedPage) {
    return absl::InvalidArgumentError(util::StrCat("limit: must be between 1 and ", kMaxFeedPage));
  }
  auto begin = DecodeCursor(request.cursor);
  if (!begin.ok()) return absl::InvalidArgumentError("cursor: malformed");
  const store::Store& store = node.store();
  auto newest = store.LatestCheckpoint();
  if (!newest.ok()) return newest.status();
  if (!*newest) return absl::FailedPreconditionError("the log has no checkpoint yet");
  const uint64_t size = (*newest)->size;
  const std::string& self = node.config().name;
  std::optional<std::string_view> asker;
  if (request.asker) asker = *request.asker;

  FeedPage page;
  page.sender = self;
  page.checkpoint = (*newest)->note;
  if (request.have) {
    uint64_t have = *request.have;
    auto log_size = store.LogSize();
    if (!log_size.ok()) return log_size.status();
    uint64_t lo = std::min(have, size);
    uint64_t hi = std::max(have, size);
    // An asker holding a size beyond our log gets no proof: it will see
    // for itself that we cannot show one.
    if (hi <= *log_size) {
      auto proof = node::ProveConsistency(store, lo, hi);
      if (!proof.ok()) return proof.status();
      page.consistency = FeedConsistency{lo, hi, std::move(*proof)};
    }
  }

  log::TreeReader tree(store);
  absl::flat_hash_map<int64_t, size_t> origin_checkpoint_at;
  uint64_t next = *begin;
  const size_t scan_budget = request.limit * kScanFactor;
  size_t scanned = 0;
  size_t bytes = 0;
  auto full = [&] {
    return page.entries.size() >= request.limit || scanned >= scan_budget || bytes >= kMaxPageRecordBytes;
  };
  while (next < size && !full()) {
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(request.limit, size - next));
    auto rows = store.ListFeed(next, chunk);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) break;
    for (store::FeedRecord& row : *rows) {
      const store::StoredRecord& r = row.record;
      if (r.log_index >= size || full()) break;
      ++scanned;
      next = r.log_index + 1;
      auto tlp = records::ParseTlp(r.tlp);
      if (!tlp) continue;
      std::vector<std::string> audience;
      if (*tlp == records::Tlp::kAmber || *tlp == records::Tlp::kAmberStrict) audience = AudienceOf(r.canonical);
      if (!auth::MayFederate(*tlp, audience, r.origin, self, asker)) continue;
      FeedEntry e;
      e.index = r.log_index;
      bytes += r.canonical.size();
      e.record_json = std::move(row.record.canonical);
      if (r.origin == self) {
        auto proof = log::InclusionProof(tree, r.log_index, size);
        if (!proof.ok()) return proof.status();
        e.proof = std::move(*proof);
      } else {
        // A record of another origin is relayed with its origin's proof;
        // without one (never the case for records a pull stored) it is
        // not sent, since the receiver could not check it.
        if (!row.origin_proof) continue;
        auto [it, added] =
            origin_checkpoint_at.try_emplace(row.origin_proof->checkpoint_id, page.origin_checkpoints.size());
        if (added) page.origin_checkpoints.push_back(std::move(row.origin_proof->checkpoint_note));
        e.relay = FeedEntry::Relay{it->second, row.origin_proof->index, std::move(row.origin_proof->proof)};
      }
      page.entries.push_back(std::move(e));
    }
    if (rows->size() < chunk) break;
  }
  page.next_cursor = EncodeCursor(next);
  page.more = next < size;
  return EncodeFeedPage(page);
}

absl::StatusOr<std::optional<std::string>> AuthenticateAsker(const store::ReadOnlyStore& store,
                                                             const SignedParts& request, ReplayGuard& replays,
                                                             absl::Time now) {
  if (!request.signature_input && !request.signature) return std::nullopt;
  if (!request.signature_input || !request.signature || !request.date) {
    return absl::UnauthenticatedError("a signed request needs Signature-Input, Signature and Date");
  }
  auto sig = ParseRequestSignature(*request.signature_input, *request.signature);
  if (!sig.ok()) return absl::UnauthenticatedError(sig.status().message());
  auto member = store.GetMember(sig->keyid);
  if (!member.ok()) return member.status();
  if (!*member) return std::nullopt;  // Not a member: served as anyone.
  auto key = keys::ParseVerifierKey((*member)->vkey);
  if (!key.ok()) return absl::InternalError(util::StrCat("member ", sig->keyid, " has an unusable key"));
  if (auto st = VerifyRequestSignature(*sig, *key, request.method, request.path, request.query, *request.date, now);
      !st.ok()) {
    return absl::UnauthenticatedError(st.message());
  }
  if (auto st = replays.Admit(sig->keyid, sig->nonce, sig->created, now); !st.ok()) {
    if (absl::IsResourceExhausted(st)) return st;
    return absl::UnauthenticatedError(st.message());
  }
  return sig->keyid;
}

absl::StatusOr<std::string> ServeWitnessView(const node::Node& node) {
  auto witnessed = node.store().ListWitnessed();
  if (!witnessed.ok()) return witnessed.status();
  Json out = {{"witness", node.signer().cosignature_verifier().Encode()}, {"checkpoints", Json::array()}};
  for (const store::Witnessed& w : *witnessed) {
    out["checkpoints"].push_back(
        {{"origin", w.checkpoint.origin}, {"size", w.checkpoint.size}, {"checkpoint", w.cosigned}});
  }
  return out.dump();
}

absl::StatusOr<std::string> ServeConsistency(const node::Node& node, uint64_t old_size, uint64_t new_size) {
  auto proof = node::ProveConsistency(node.store(), old_size, new_size);
  if (!proof.ok()) return proof.status();
  return util::StrCat("{\"old_size\":", old_size, ",\"new_size\":", new_size, ",\"proof\":", HashesJson(*proof), "}");
}

namespace {

WitnessReply Reply(int status, std::string body) {
  return WitnessReply{status, "text/plain; charset=utf-8", std::move(body) + "\n"};
}

WitnessReply SizeConflict(uint64_t size) { return WitnessReply{409, "text/x.tlog.size", util::StrCat(size, "\n")}; }

}  // namespace

WitnessReply AddCheckpoint(const node::Node& node, Witness& witness, std::string_view body) {
  // "old N\n" proof lines "\n" checkpoint note.
  size_t eol = body.find('\n');
  if (eol == std::string_view::npos || !body.starts_with("old ")) return Reply(400, "first line must be \"old SIZE\"");
  std::string_view old_text = body.substr(4, eol - 4);
  uint64_t old_size = 0;
  if (old_text.empty() || (old_text.size() > 1 && old_text[0] == '0') ||
      !std::all_of(old_text.begin(), old_text.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      old_text.size() > 19) {
    return Reply(400, "old size is not a decimal size");
  }
  for (char c : old_text) old_size = old_size * 10 + static_cast<uint64_t>(c - '0');
  std::vector<log::Hash> proof;
  size_t pos = eol + 1;
  while (true) {
    size_t end = body.find('\n', pos);
    if (end == std::string_view::npos) return Reply(400, "no empty line before the checkpoint");
    std::string_view line = body.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty()) break;
    if (proof.size() == 63) return Reply(400, "more than 63 consistency proof lines");
    auto raw = util::Base64Decode(line);
    if (!raw || raw->size() != 32) return Reply(400, "a consistency proof line is not a base64 32-byte hash");
    log::Hash h{};
    std::copy(raw->begin(), raw->end(), h.begin());
    proof.push_back(h);
  }
  std::string_view note = body.substr(pos);
  auto parsed = log::ParseNote(note);
  if (!parsed.ok()) return Reply(400, util::StrCat("checkpoint: ", parsed.status().message()));
  auto body_cp = log::ParseCheckpoint(parsed->text);
  if (!body_cp.ok()) return Reply(400, util::StrCat("checkpoint: ", body_cp.status().message()));
  const std::string& origin = body_cp->origin;
  auto member = node.store().GetMember(origin);
  if (!member.ok()) return Reply(500, std::string(member.status().message()));
  if (!*member || origin == node.config().name) return Reply(404, util::StrCat("unknown log origin ", origin));
  auto key = keys::ParseVerifierKey((*member)->vkey);
  if (!key.ok()) return Reply(500, "member key unusable");
  auto cp = log::OpenCheckpoint(note, *key, origin);
  if (!cp.ok()) {
    return Reply(absl::IsInvalidArgument(cp.status()) ? 400 : 403, std::string(cp.status().message()));
  }
  if (old_size > cp->checkpoint.size) return Reply(400, "old size is larger than the checkpoint's");
  if (old_size == 0 && !proof.empty()) return Reply(400, "a proof from size 0 must be empty");
  if (old_size == cp->checkpoint.size && !proof.empty()) return Reply(422, "a proof between equal sizes is empty");
  auto blocked = witness.Blocked(origin);
  if (!blocked.ok()) return Reply(500, std::string(blocked.status().message()));
  auto held = node.store().GetWitnessed(origin);
  if (!held.ok()) return Reply(500, std::string(held.status().message()));
  uint64_t held_size = *held ? (*held)->checkpoint.size : 0;
  if (*blocked) return Reply(403, util::StrCat("an open split-view alert stops accepting from ", origin));
  if (old_size != held_size) return SizeConflict(held_size);
  std::optional<ConsistencyEvidence> evidence;
  if (*held) evidence = ConsistencyEvidence{old_size, cp->checkpoint.size, std::move(proof)};
  auto seen = witness.Observe(*cp, "push", evidence, /*evidence_from_origin=*/false);
  if (!seen.ok()) return Reply(500, std::string(seen.status().message()));
  switch (seen->kind) {
    case Observation::Kind::kSplitView: {  // Same size, another root.
      WitnessReply r = SizeConflict(held_size);
      r.split_view = true;
      return r;
    }
    case Observation::Kind::kBadProof:
      return Reply(422, seen->reason);
    case Observation::Kind::kUnproven:  // Lost a race with another push.
      return SizeConflict(seen->witnessed ? seen->witnessed->checkpoint.size : 0);
    case Observation::Kind::kAdvanced:
    case Observation::Kind::kKnown:
      break;
  }
  return WitnessReply{200, "text/plain; charset=utf-8", witness.CosignatureLine(cp->note)};
}

}  // namespace aisafe::federation
