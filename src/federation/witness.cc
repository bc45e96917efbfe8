#include "federation/witness.h"

#include <algorithm>
#include <cstdint>

#include "log/note.h"
#include "util/strings.h"

namespace aisafe::federation {
namespace {

store::ForeignCheckpoint ToForeign(const log::SignedCheckpoint& cp, std::string_view source, int64_t now_us) {
  store::ForeignCheckpoint f;
  f.origin = cp.checkpoint.origin;
  f.size = cp.checkpoint.size;
  f.root = cp.checkpoint.root;
  f.note = cp.note;
  f.source = std::string(source);
  f.seen_us = now_us;
  return f;
}

}  // namespace

std::string OriginSignedNote(std::string_view note, std::string_view origin) {
  auto parsed = log::ParseNote(note);
  if (!parsed.ok()) return std::string(note);
  std::erase_if(parsed->signatures, [&](const log::NoteSignature& s) { return s.name != origin; });
  if (parsed->signatures.empty()) return std::string(note);
  return log::FormatNote(*parsed);
}

std::string Witness::CosignatureLine(std::string_view note) const {
  auto parsed = log::ParseNote(note);
  if (!parsed.ok()) return "";
  auto seconds = static_cast<uint64_t>(absl::ToUnixSeconds(clock_->Now()));
  return log::Cosign(parsed->text, *key_, seconds).Line();
}

absl::StatusOr<int64_t> Witness::LastClearedUs(std::string_view origin) const {
  auto alerts = store_->ListSplitViews();
  if (!alerts.ok()) return alerts.status();
  int64_t last = INT64_MIN;
  for (const store::SplitView& a : *alerts) {
    if (a.origin == origin && a.cleared_us) last = std::max(last, *a.cleared_us);
  }
  return last;
}

absl::StatusOr<bool> Witness::Blocked(std::string_view origin) const {
  auto alerts = store_->ListSplitViews();
  if (!alerts.ok()) return alerts.status();
  for (const store::SplitView& a : *alerts) {
    if (a.origin == origin && !a.cleared_us) return true;
  }
  return false;
}

absl::StatusOr<Observation> Witness::Split(const store::ForeignCheckpoint& held, const log::SignedCheckpoint& seen,
                                           std::string_view source, std::string reason) {
  store::SplitView alert;
  alert.origin = held.origin;
  alert.first = OriginSignedNote(held.note, held.origin);
  alert.second = OriginSignedNote(seen.note, held.origin);
  alert.reason = reason;
  alert.source = std::string(source);
  alert.raised_us = absl::ToUnixMicros(clock_->Now());
  auto id = store_->RaiseSplitView(alert);
  if (!id.ok()) return id.status();
  Observation o;
  o.kind = Observation::Kind::kSplitView;
  o.reason = std::move(reason);
  o.alert_id = *id;
  return o;
}

absl::StatusOr<Observation> Witness::Observe(const log::SignedCheckpoint& cp, std::string_view source,
                                             const std::optional<ConsistencyEvidence>& evidence,
                                             bool evidence_from_origin) {
  const log::Checkpoint& c = cp.checkpoint;
  int64_t now_us = absl::ToUnixMicros(clock_->Now());
  // Two attempts: a concurrent observer may advance the witnessed
  // checkpoint between our read and our compare-and-set.
  for (int attempt = 0;; ++attempt) {
    auto same_size = store_->FindForeignCheckpoints(c.origin, c.size);
    if (!same_size.ok()) return same_size.status();
    auto cleared = LastClearedUs(c.origin);
    if (!cleared.ok()) return cleared.status();
    for (const store::ForeignCheckpoint& kept : *same_size) {
      // A human who cleared an alert decided about what was seen before.
      if (kept.root != c.root && kept.seen_us > *cleared) {
        return Split(kept, cp, source,
                     util::StrCat("two checkpoints of ", c.origin, " at size ", c.size, " with different roots"));
      }
    }
    auto held = store_->GetWitnessed(c.origin);
    if (!held.ok()) return held.status();
    Observation o;
    o.witnessed = *held;
    std::optional<uint64_t> expected;
    if (*held) {
      const store::ForeignCheckpoint& h = (*held)->checkpoint;
      expected = h.size;
      if (c.size == h.size) {  // Same root, or the loop above had split.
        o.kind = Observation::Kind::kKnown;
        return o;
      }
      bool forward = c.size > h.size;
      uint64_t lo = forward ? h.size : c.size;
      uint64_t hi = forward ? c.size : h.size;
      if (!evidence || evidence->old_size != lo || evidence->new_size != hi) {
        if (auto kept = store_->KeepForeignCheckpoint(ToForeign(cp, source, now_us)); !kept.ok()) return kept.status();
        o.kind = Observation::Kind::kUnproven;
        return o;
      }
      const log::Hash& lo_root = forward ? h.root : c.root;
      const log::Hash& hi_root = forward ? c.root : h.root;
      if (auto st = log::VerifyConsistency(lo, hi, evidence->proof, lo_root, hi_root); !st.ok()) {
        if (!evidence_from_origin) {
          o.kind = Observation::Kind::kBadProof;
          o.reason = util::StrCat("consistency proof from size ", lo, " to ", hi, ": ", st.message());
          return o;
        }
        return Split(h, cp, source,
                     util::StrCat("checkpoint of ", c.origin, " at size ", c.size,
                                  " is not consistent with the witnessed one at size ", h.size, ": ", st.message()));
      }
      if (!forward) {
        if (auto kept = store_->KeepForeignCheckpoint(ToForeign(cp, source, now_us)); !kept.ok()) return kept.status();
        o.kind = Observation::Kind::kKnown;
        return o;
      }
    }
    auto cosigned = log::AddCosignature(cp.note, *key_, static_cast<uint64_t>(absl::ToUnixSeconds(clock_->Now())));
    if (!cosigned.ok()) return cosigned.status();
    store::Witnessed w{ToForeign(cp, source, now_us), std::move(*cosigned), now_us};
    absl::Status st = store_->AdvanceWitnessed(w, expected);
    if (st.ok()) {
      o.kind = Observation::Kind::kAdvanced;
      o.witnessed = std::move(w);
      return o;
    }
    if (!absl::IsFailedPrecondition(st) || attempt > 0) return st;
  }
}

}  // namespace aisafe::federation
