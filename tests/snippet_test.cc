// Snippets (search/snippet.h): the window shown is around the matches, cut
// at word boundaries with ellipses, HTML-escaped with the matches marked,
// works in text without spaces, and never cuts a UTF-8 sequence.
#include "search/snippet.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "text/analyzer.h"
#include "util/strings.h"

namespace aisafe::search {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr std::string_view kEllipsis = "…";

std::function<bool(std::string_view)> Is(std::vector<std::string> terms) {
  return [terms = std::move(terms)](std::string_view term) {
    for (const std::string& t : terms) {
      if (t == term) return true;
    }
    return false;
  };
}

// "lorem0 lorem1 ... lorem{n-1} ", about 8 bytes a word.
std::string Filler(int n, std::string_view word = "lorem") {
  std::string out;
  for (int i = 0; i < n; ++i) util::StrAppend(&out, word, i, " ");
  return out;
}

size_t Count(std::string_view haystack, std::string_view needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string_view::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

// The plain text an HTML snippet shows: marks removed, entities decoded.
std::string Unhtml(std::string_view html) {
  std::string out;
  for (size_t i = 0; i < html.size();) {
    bool matched = false;
    for (auto [from, to] : std::vector<std::pair<std::string_view, std::string_view>>{{"<mark>", ""},
                                                                                      {"</mark>", ""},
                                                                                      {"&amp;", "&"},
                                                                                      {"&lt;", "<"},
                                                                                      {"&gt;", ">"},
                                                                                      {"&quot;", "\""},
                                                                                      {"&#39;", "'"}}) {
      if (html.substr(i, from.size()) == from) {
        out.append(to);
        i += from.size();
        matched = true;
        break;
      }
    }
    if (!matched) out.push_back(html[i++]);
  }
  return out;
}

// True if `snippet` is a piece of `text`, once the ellipses it added are
// removed (the text itself may start or end with one too).
bool IsPieceOf(std::string_view snippet, std::string_view text) {
  for (bool front : {false, true}) {
    for (bool back : {false, true}) {
      std::string_view core = snippet;
      if (front && !core.starts_with(kEllipsis)) continue;
      if (front) core.remove_prefix(kEllipsis.size());
      if (back && !core.ends_with(kEllipsis)) continue;
      if (back) core.remove_suffix(kEllipsis.size());
      if (text.find(core) != std::string_view::npos) return true;
    }
  }
  return false;
}

TEST(HtmlEscape, EscapesTheFiveCharacters) {
  EXPECT_EQ(HtmlEscape("&<>\"'"), "&amp;&lt;&gt;&quot;&#39;");
  EXPECT_EQ(HtmlEscape("a < b && c > 'd' \"e\""), "a &lt; b &amp;&amp; c &gt; &#39;d&#39; &quot;e&quot;");
  EXPECT_EQ(HtmlEscape("ปลอม 诈骗 lừa đảo"), "ปลอม 诈骗 lừa đảo");
  EXPECT_EQ(HtmlEscape("&amp;"), "&amp;amp;");  // Escapes again; the input is text, not HTML.
  EXPECT_EQ(HtmlEscape(""), "");
}

TEST(MakeSnippet, WindowAroundTheMatchInALongText) {
  // BUG (reported, issue 6): the window chosen is the leftmost one that
  // holds the match, so the match is at its end; MakeSnippet then starts up
  // to three words earlier "for context" and the match falls off the end.
  // With max_bytes 80 the snippet is "…lorem49 … lorem58…" without
  // "deepfake".
  const std::string text = Filler(60) + "the deepfake scam was reported here " + Filler(60, "ipsum");
  for (size_t max_bytes : {80, 240}) {
    Snippet s = MakeSnippet(text, Is({"deepfake"}), max_bytes);
    EXPECT_THAT(s.text, HasSubstr("deepfake")) << max_bytes << ": " << s.text;
    EXPECT_THAT(s.html, HasSubstr("<mark>deepfake</mark>")) << max_bytes << ": " << s.html;
    EXPECT_THAT(s.text, StartsWith(kEllipsis));
    EXPECT_THAT(s.text, EndsWith(kEllipsis));
    EXPECT_LE(s.text.size(), max_bytes + 2 * kEllipsis.size()) << s.text;
    EXPECT_TRUE(IsPieceOf(s.text, text));
  }
}

TEST(MakeSnippet, WindowWithTheMostMatches) {
  // One match early, three close together later: the three are shown.
  const std::string text =
      "scam " + Filler(40) + "a scam then another scam and one more scam today " + Filler(40, "ipsum");
  Snippet s = MakeSnippet(text, Is({"scam"}), 100);
  EXPECT_EQ(Count(s.html, "<mark>scam</mark>"), 3u) << s.html;
  EXPECT_THAT(s.text, HasSubstr("a scam then another scam and one more scam")) << s.text;
  EXPECT_THAT(s.text, StartsWith(kEllipsis));
}

TEST(MakeSnippet, MatchNearTheStart) {
  const std::string text = "Deepfake scam: " + Filler(100);
  Snippet s = MakeSnippet(text, Is({"deepfake", "scam"}), 60);
  EXPECT_THAT(s.text, StartsWith("Deepfake scam: lorem0"));  // Not cut at the start.
  EXPECT_THAT(s.text, EndsWith(kEllipsis));
  EXPECT_THAT(s.html, StartsWith("<mark>Deepfake</mark> <mark>scam</mark>: lorem0"));
  EXPECT_LE(s.text.size(), 60 + kEllipsis.size());
}

TEST(MakeSnippet, EscapesAndMarks) {
  const std::string text = "Tom & Jerry <b>\"deepfake\"</b> it's";
  Snippet s = MakeSnippet(text, Is({"deepfake"}));
  EXPECT_EQ(s.text, text);
  EXPECT_EQ(s.html, "Tom &amp; Jerry &lt;b&gt;&quot;<mark>deepfake</mark>&quot;&lt;/b&gt; it&#39;s");
  // A matching word whose own text needs escaping.
  Snippet q = MakeSnippet("say \"it's\" <now>", Is({"it's"}));
  EXPECT_EQ(q.html, "say &quot;<mark>it&#39;s</mark>&quot; &lt;now&gt;");
}

TEST(MakeSnippet, ThaiMatchInsideTextWithoutSpaces) {
  const std::string text = "มิจฉาชีพใช้ปัญญาประดิษฐ์ปลอมเสียงเพื่อการหลอกลวงผู้สูงอายุ";
  Snippet s = MakeSnippet(text, Is({"หลอก"}));
  EXPECT_EQ(s.text, text);
  EXPECT_EQ(s.html, "มิจฉาชีพใช้ปัญญาประดิษฐ์ปลอมเสียงเพื่อการ<mark>หลอก</mark>ลวงผู้สูงอายุ");
  Snippet both = MakeSnippet(text, Is({"หลอก", "ลวง", "ปลอม"}));
  EXPECT_EQ(both.html, "มิจฉาชีพใช้ปัญญาประดิษฐ์<mark>ปลอม</mark>เสียงเพื่อการ<mark>หลอก</mark><mark>ลวง</mark>ผู้สูงอายุ");

  // A long Thai text: cut at word boundaries, the match inside.
  std::string long_text;
  for (int i = 0; i < 30; ++i) long_text += "ปัญญาประดิษฐ์ถูกใช้ในทางการเงิน ";
  long_text += "ระวังการหลอกลวงด้วยวิดีโอปลอม ";
  for (int i = 0; i < 30; ++i) long_text += "ปัญญาประดิษฐ์ถูกใช้ในทางการเงิน ";
  Snippet l = MakeSnippet(long_text, Is({"หลอก"}), 120);
  EXPECT_THAT(l.html, HasSubstr("<mark>หลอก</mark>")) << l.html;
  EXPECT_TRUE(text::IsValidUtf8(l.text));
  EXPECT_THAT(l.text, StartsWith(kEllipsis));
  EXPECT_THAT(l.text, EndsWith(kEllipsis));
  EXPECT_TRUE(IsPieceOf(l.text, long_text));
}

TEST(MakeSnippet, NoMatchGivesTheStart) {
  const std::string text = Filler(60);
  Snippet s = MakeSnippet(text, Is({"nothing"}), 50);
  EXPECT_THAT(s.text, StartsWith("lorem0 lorem1 "));
  EXPECT_THAT(s.text, EndsWith(kEllipsis));
  EXPECT_LE(s.text.size(), 50 + kEllipsis.size());
  EXPECT_THAT(s.html, Not(HasSubstr("<mark>")));
  EXPECT_EQ(Unhtml(s.html), s.text);
}

TEST(MakeSnippet, ShortTextIsGivenWhole) {
  for (std::string text : {"", "short text", "  spaced  ", "ปลอม", "诈骗!", "…"}) {
    Snippet s = MakeSnippet(text, Is({"nothing"}));
    EXPECT_EQ(s.text, text);
    EXPECT_EQ(s.html, HtmlEscape(text));
  }
  const std::string exact = Filler(5);  // 35 bytes.
  EXPECT_EQ(MakeSnippet(exact, Is({"lorem2"}), exact.size()).text, exact);
  EXPECT_EQ(MakeSnippet(exact, Is({"lorem2"}), exact.size()).html, "lorem0 lorem1 <mark>lorem2</mark> lorem3 lorem4 ");
}

TEST(MakeSnippet, TextWithoutWordsIsCutOnACharacter) {
  std::string arrows;
  for (int i = 0; i < 200; ++i) arrows += "→ ";  // 3-byte symbols, no words.
  for (size_t max_bytes = 40; max_bytes < 50; ++max_bytes) {
    Snippet s = MakeSnippet(arrows, Is({}), max_bytes);
    EXPECT_TRUE(text::IsValidUtf8(s.text)) << max_bytes;
    EXPECT_THAT(s.text, StartsWith("→ → "));
    EXPECT_THAT(s.text, EndsWith(kEllipsis));
    EXPECT_LE(s.text.size(), max_bytes + kEllipsis.size());
  }
}

TEST(MakeSnippet, LongSingleWordIsBounded) {
  // BUG? (reported, issue 6): a single word longer than max_bytes (a hash,
  // a base64 blob, a long URL) is returned whole, whatever its size: the
  // snippet of a 10,000-byte token is 10,000 bytes. The contract says "at
  // most about max_bytes"; the code's own slack is max_bytes + 64.
  const std::string blob(10000, 'a');
  for (const std::string& text : {blob, "scam " + blob + " scam", "before " + blob}) {
    Snippet s = MakeSnippet(text, Is({"scam"}), 50);
    EXPECT_LE(s.text.size(), 50 + 64 + 2 * kEllipsis.size()) << text.substr(0, 10);
    EXPECT_TRUE(text::IsValidUtf8(s.text));
  }
}

// Random texts mixing scripts, symbols, markup and long words: outputs are
// valid UTF-8, the HTML shows exactly the text, and the text (without the
// ellipses) is a piece of the input.
TEST(MakeSnippet, RandomTextsKeepUtf8AndAgree) {
  const std::vector<std::string> pieces = {"scam",
                                           "deepfake",
                                           "lừa",
                                           "đảo",
                                           " ",
                                           "  ",
                                           ". ",
                                           ", ",
                                           "&",
                                           "<b>",
                                           "\"",
                                           "'",
                                           "ปลอม",
                                           "หลอก",
                                           "ลวง",
                                           "การ",
                                           "诈骗",
                                           "视频",
                                           "😀",
                                           "→",
                                           "\n",
                                           "e\xcc\x81",
                                           "ຫລອກລວງ",
                                           "បោកប្រាស់",
                                           "လိမ်လည်",
                                           "ＡＩ",
                                           "ﬁ",
                                           "1,000",
                                           "supercalifragilistic",
                                           "…"};
  std::mt19937 rng(240);
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    for (size_t n = rng() % 80; n > 0; --n) text += pieces[rng() % pieces.size()];
    size_t max_bytes = 10 + rng() % 200;
    std::vector<std::string> wanted;
    if (rng() % 4 != 0) wanted = {"scam", "หลอก", "诈骗", "lừa", "ai"};
    Snippet s = MakeSnippet(text, Is(wanted), max_bytes);
    ASSERT_TRUE(text::IsValidUtf8(s.text)) << ::testing::PrintToString(text) << " max " << max_bytes;
    ASSERT_TRUE(text::IsValidUtf8(s.html)) << ::testing::PrintToString(text) << " max " << max_bytes;
    ASSERT_EQ(Unhtml(s.html), s.text) << ::testing::PrintToString(text) << " max " << max_bytes;
    ASSERT_TRUE(IsPieceOf(s.text, text)) << ::testing::PrintToString(text) << " max " << max_bytes << " -> " << s.text;
    if (text.size() <= max_bytes) {
      ASSERT_EQ(s.text, text);
    }
  }
}

}  // namespace
}  // namespace aisafe::search
