// Text analysis shared by search and anything else that matches words:
// how a text in a given language becomes the terms an index holds and a
// query looks for (docs/search.md, "Text analysis").
//
//   1. Segmentation: ICU word boundaries (UAX #29, with ICU's dictionaries
//      for scripts written without spaces: Thai, Lao, Khmer, Burmese,
//      Chinese, Japanese). Segments that are not words (spaces,
//      punctuation, symbols) are dropped. Pure-ASCII text takes a faster
//      path that gives the same words.
//   2. Normalisation: Unicode NFKC with case folding (NFKC_Casefold), so
//      "Ａ", "A" and "a" are one term, and so are compatibility forms.
//   3. Stemming, where Xapian has a Snowball stemmer for the language
//      (English, Indonesian, Portuguese, Tamil, ...; Malay uses the
//      Indonesian one, whose affix rules it shares).
//   4. Folding (optional, for matching): Latin-script letters lose their
//      diacritics ("lừa đảo" -> "lua dao"), so Vietnamese typed without
//      them still matches. Other scripts are left alone: Thai vowel and
//      tone marks are combining marks but are letters of the word.
//
// Thread-safety: the free functions are thread-safe. An Analyzer is not
// (Xapian's stemmers keep state); use one per thread.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace aisafe::text {

// One word of a text: its normalised form and where it is in the input
// (UTF-8 byte offsets, [begin, end)).
struct Word {
  std::string_view term;  // Valid only during the callback.
  size_t begin = 0;
  size_t end = 0;
};

// Calls `sink` for each word of `text` (UTF-8; invalid sequences are
// treated as U+FFFD and never produce words), in order.
void ForEachWord(std::string_view text, const std::function<void(const Word&)>& sink);

// NFKC_Casefold of `text`.
std::string Normalize(std::string_view text);

// `term` without diacritics on Latin-script letters (NFD, combining marks
// after a Latin letter removed, "đ" -> "d", NFC); `term` itself when it has
// none. Expects a normalised term.
std::string FoldDiacritics(std::string_view term);

// True if `text` is valid UTF-8 (no overlong forms, surrogates or values
// above U+10FFFF); else false, with the byte offset of the first bad
// sequence in `*bad_at` when given.
bool IsValidUtf8(std::string_view text, size_t* bad_at = nullptr);

// The stemming side of the analysis for one language.
class Analyzer {
 public:
  // `lang` is a BCP 47 tag; only its primary subtag matters ("id-ID" ->
  // Indonesian). Unknown or stemmer-less languages analyse without stems.
  explicit Analyzer(std::string_view lang);
  ~Analyzer();
  Analyzer(Analyzer&&) noexcept;
  Analyzer& operator=(Analyzer&&) noexcept;

  bool HasStemmer() const { return stemmer_ != nullptr; }
  // The Snowball stem of a normalised term; "" without a stemmer.
  std::string Stem(std::string_view term) const;
  // The name of the stemmer ("english", "indonesian", ...), "" if none.
  const std::string& StemmerName() const { return stemmer_name_; }

 private:
  struct Stemmer;
  std::unique_ptr<Stemmer> stemmer_;
  std::string stemmer_name_;
};

// The primary language subtag of a BCP 47 tag, lowercased ("zh-Hant" -> "zh").
std::string PrimaryLanguage(std::string_view tag);

}  // namespace aisafe::text
