#include "text/analyzer.h"

#include <unicode/brkiter.h>
#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utext.h>
#include <xapian.h>

#include <cstdint>
#include <memory>

namespace aisafe::text {
namespace {

bool IsAscii(std::string_view text) {
  for (unsigned char c : text) {
    if (c >= 0x80) return false;
  }
  return true;
}

// --- The ASCII path: UAX #29's rules restricted to ASCII, as ICU applies
// them (colon is not MidLetter in ICU's root rules). Classes:
// L letters, N digits, E '_' (ExtendNumLet), M '.' (MidNumLet),
// Q '\'' (Single_Quote), C ',' ';' (MidNum).
enum Cls : uint8_t { kOther, kL, kN, kE, kM, kQ, kC };

constexpr Cls ClassOf(unsigned char c) {
  // ICU's rules count '@' as a letter (so "user@example.com" is one word).
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '@') return kL;
  if (c >= '0' && c <= '9') return kN;
  if (c == '_') return kE;
  if (c == '.') return kM;
  if (c == '\'') return kQ;
  if (c == ',' || c == ';') return kC;
  return kOther;
}

bool Joins(Cls a, Cls b) {  // WB5, WB8, WB9, WB10, WB13a, WB13b.
  bool a_word = a == kL || a == kN || a == kE;
  bool b_word = b == kL || b == kN || b == kE;
  return a_word && b_word;
}

void AsciiWords(std::string_view text, const std::function<void(const Word&)>& sink) {
  std::string lower;
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    Cls c = ClassOf(static_cast<unsigned char>(text[i]));
    if (c != kL && c != kN && c != kE) {
      ++i;
      continue;
    }
    size_t begin = i;
    bool has_alnum = c != kE;
    Cls prev = c;
    ++i;
    while (i < n) {
      Cls cur = ClassOf(static_cast<unsigned char>(text[i]));
      if (Joins(prev, cur)) {
        has_alnum |= cur != kE;
        prev = cur;
        ++i;
        continue;
      }
      // WB6/7: L (M|Q) L; WB11/12: N (M|Q|C) N.
      if (i + 1 < n) {
        Cls next = ClassOf(static_cast<unsigned char>(text[i + 1]));
        bool letter_mid = prev == kL && next == kL && (cur == kM || cur == kQ);
        bool number_mid = prev == kN && next == kN && (cur == kM || cur == kQ || cur == kC);
        if (letter_mid || number_mid) {
          prev = next;
          i += 2;
          continue;
        }
      }
      break;
    }
    if (!has_alnum) continue;  // Underscores alone are not a word.
    lower.assign(text.substr(begin, i - begin));
    for (char& ch : lower) {
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    }
    sink(Word{lower, begin, i});
  }
}

// Could this text carry Latin letters with diacritics? (Latin-1 Supplement
// to Latin Extended-B, combining marks, Latin Extended Additional and the
// combining-mark supplement.) A byte test that spares ICU every other
// script, which is most words of Thai, Khmer, Chinese...
bool MayHaveLatinDiacritics(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0xC3 && c <= 0xCD) return true;
    if (c == 0xE1 && i + 1 < text.size()) {
      auto d = static_cast<unsigned char>(text[i + 1]);
      if (d >= 0xB7 && d <= 0xBB) return true;
    }
  }
  return false;
}

const icu::Normalizer2* CasefoldNormalizer() {
  static const icu::Normalizer2* n = [] {
    UErrorCode status = U_ZERO_ERROR;
    return icu::Normalizer2::getNFKCCasefoldInstance(status);
  }();
  return n;
}

void NormalizeInto(std::string_view text, std::string* out) {
  out->clear();
  if (IsAscii(text)) {
    out->assign(text);
    for (char& ch : *out) {
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    }
    return;
  }
  UErrorCode status = U_ZERO_ERROR;
  icu::StringByteSink<std::string> sink(out);
  CasefoldNormalizer()->normalizeUTF8(0, icu::StringPiece(text.data(), static_cast<int32_t>(text.size())), sink,
                                      nullptr, status);
  if (U_FAILURE(status)) out->clear();
}

std::unique_ptr<icu::BreakIterator> NewWordIterator() {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> bi(icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
  if (U_FAILURE(status)) bi.reset();
  return bi;
}

void IcuWords(std::string_view text, const std::function<void(const Word&)>& sink) {
  // ICU's word break iterator is costly to create and not thread-safe: one
  // per thread. The root locale's rules and dictionaries serve every
  // language. A sink that segments text itself gets an iterator of its own.
  thread_local std::unique_ptr<icu::BreakIterator> shared = NewWordIterator();
  thread_local bool shared_busy = false;
  std::unique_ptr<icu::BreakIterator> own;
  icu::BreakIterator* bi = shared.get();
  bool using_shared = !shared_busy;
  if (!using_shared) {
    own = NewWordIterator();
    bi = own.get();
  }
  if (bi == nullptr) return;
  if (using_shared) shared_busy = true;
  struct Release {
    bool active;
    ~Release() {
      if (active) shared_busy = false;
    }
  } release{using_shared};
  UErrorCode status = U_ZERO_ERROR;
  UText* ut = utext_openUTF8(nullptr, text.data(), static_cast<int64_t>(text.size()), &status);
  if (U_FAILURE(status)) return;
  bi->setText(ut, status);
  if (U_FAILURE(status)) {
    utext_close(ut);
    return;
  }
  std::string term;
  int32_t begin = bi->first();
  for (int32_t end = bi->next(); end != icu::BreakIterator::DONE; begin = end, end = bi->next()) {
    if (bi->getRuleStatus() < UBRK_WORD_NONE_LIMIT) continue;
    std::string_view raw = text.substr(static_cast<size_t>(begin), static_cast<size_t>(end - begin));
    NormalizeInto(raw, &term);
    if (term.empty()) continue;
    sink(Word{term, static_cast<size_t>(begin), static_cast<size_t>(end)});
  }
  // Detach the iterator from `text` before it goes away.
  UText empty = UTEXT_INITIALIZER;
  status = U_ZERO_ERROR;
  utext_openUTF8(&empty, "", 0, &status);
  bi->setText(&empty, status);  // The iterator keeps its own copy.
  utext_close(&empty);
  utext_close(ut);
}

}  // namespace

void ForEachWord(std::string_view text, const std::function<void(const Word&)>& sink) {
  if (IsAscii(text)) {
    AsciiWords(text, sink);
  } else {
    IcuWords(text, sink);
  }
}

std::string Normalize(std::string_view text) {
  std::string out;
  NormalizeInto(text, &out);
  return out;
}

std::string FoldDiacritics(std::string_view term) {
  if (!MayHaveLatinDiacritics(term)) return std::string(term);
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return std::string(term);
  icu::UnicodeString decomposed = nfd->normalize(
      icu::UnicodeString::fromUTF8(icu::StringPiece(term.data(), static_cast<int32_t>(term.size()))), status);
  if (U_FAILURE(status)) return std::string(term);
  icu::UnicodeString folded;
  bool after_latin = false;
  bool changed = false;
  for (int32_t i = 0; i < decomposed.length();) {
    UChar32 c = decomposed.char32At(i);
    i += U16_LENGTH(c);
    if (u_charType(c) == U_NON_SPACING_MARK) {
      if (after_latin) {
        changed = true;
        continue;
      }
      folded.append(c);
      continue;
    }
    UErrorCode script_status = U_ZERO_ERROR;
    after_latin = uscript_getScript(c, &script_status) == USCRIPT_LATIN;
    if (c == 0x0111 || c == 0x0110) {  // đ, Đ: a letter of its own, not d + mark.
      c = c == 0x0111 ? 'd' : 'D';
      changed = true;
    }
    folded.append(c);
  }
  if (!changed) return std::string(term);
  icu::UnicodeString composed = nfc->normalize(folded, status);
  if (U_FAILURE(status)) return std::string(term);
  std::string out;
  composed.toUTF8String(out);
  return out;
}

bool IsValidUtf8(std::string_view text, size_t* bad_at) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    uint32_t min = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07, min = 0x10000;
    } else {
      if (bad_at != nullptr) *bad_at = i;
      return false;
    }
    if (i + len > n) {
      if (bad_at != nullptr) *bad_at = i;
      return false;
    }
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) {
        if (bad_at != nullptr) *bad_at = i;
        return false;
      }
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      if (bad_at != nullptr) *bad_at = i;
      return false;
    }
    i += len;
  }
  return true;
}

std::string PrimaryLanguage(std::string_view tag) {
  std::string out(tag.substr(0, tag.find_first_of("-_")));
  for (char& ch : out) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  return out;
}

struct Analyzer::Stemmer {
  Xapian::Stem stem;
};

Analyzer::Analyzer(std::string_view lang) {
  std::string primary = PrimaryLanguage(lang);
  // Malay shares Indonesian's affixes (meN-, peN-, ber-, -kan, -an, -i).
  if (primary == "ms" || primary == "zsm") primary = "id";
  // Only ISO 639 codes: Xapian also knows names such as "none" or "porter".
  if (primary.size() < 2 || primary.size() > 3) return;
  try {
    Xapian::Stem stem(primary);
    if (stem.is_none()) return;
    stemmer_name_ = stem.get_description();
    // "Xapian::Stem(english)" -> "english".
    size_t open = stemmer_name_.find('('), close = stemmer_name_.rfind(')');
    if (open != std::string::npos && close != std::string::npos && close > open) {
      stemmer_name_ = stemmer_name_.substr(open + 1, close - open - 1);
    }
    stemmer_ = std::make_unique<Stemmer>(Stemmer{std::move(stem)});
  } catch (const Xapian::Error&) {
    // No stemmer for this language.
  }
}

Analyzer::~Analyzer() = default;
Analyzer::Analyzer(Analyzer&&) noexcept = default;
Analyzer& Analyzer::operator=(Analyzer&&) noexcept = default;

std::string Analyzer::Stem(std::string_view term) const {
  if (stemmer_ == nullptr) return "";
  return stemmer_->stem(std::string(term));
}

}  // namespace aisafe::text
