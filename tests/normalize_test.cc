#include "records/normalize.h"

#include <gtest/gtest.h>

namespace aisafe::records {
namespace {

TEST(Normalize, ComposesToNfc) {
  // "e" + COMBINING ACUTE ACCENT -> "é"; Vietnamese "ế" from decomposed parts.
  std::string s = "Cafe\xCC\x81";
  ASSERT_TRUE(NormalizeNfc(&s).ok());
  EXPECT_EQ(s, "Caf\xC3\xA9");
  std::string vi = "e\xCC\x82\xCC\x81";  // e + circumflex + acute
  ASSERT_TRUE(NormalizeNfc(&vi).ok());
  EXPECT_EQ(vi, "\xE1\xBA\xBF");  // U+1EBF
}

TEST(Normalize, LeavesNfcAndAsciiAlone) {
  std::string thai = "การหลอกลวงด้วยดีปเฟก";
  std::string copy = thai;
  ASSERT_TRUE(NormalizeNfc(&copy).ok());
  EXPECT_EQ(copy, thai);
  std::string ascii = "plain";
  ASSERT_TRUE(NormalizeNfc(&ascii).ok());
  EXPECT_EQ(ascii, "plain");
}

TEST(Normalize, WalksWholeDocumentIncludingKeys) {
  nlohmann::json doc = {{"title", "Cafe\xCC\x81"}, {"list", {"e\xCC\x81"}}, {"k\xCC\x81", 1}};
  ASSERT_TRUE(NormalizeDocument(&doc).ok());
  EXPECT_EQ(doc["title"], "Caf\xC3\xA9");
  EXPECT_EQ(doc["list"][0], "\xC3\xA9");
  EXPECT_TRUE(doc.contains("\xE1\xB8\xB1"));  // U+1E31 k with acute
}

TEST(Normalize, RejectsKeysThatCollideAfterNormalisation) {
  nlohmann::json doc = {{"\xC3\xA9", 1}, {"e\xCC\x81", 2}};
  EXPECT_EQ(NormalizeDocument(&doc).code(), absl::StatusCode::kInvalidArgument);
}

TEST(Normalize, IsNfcDocumentAgreesWithNormalizeDocument) {
  for (nlohmann::json doc : {nlohmann::json{{"title", "Cafe\xCC\x81"}}, nlohmann::json{{"list", {"ok", "e\xCC\x81"}}},
                             nlohmann::json{{"k\xCC\x81", 1}}, nlohmann::json{{"th", "\xE0\xB8\x97\xE0\xB8\x94"}},
                             nlohmann::json{{"n", 1}, {"b", true}, {"a", {1, 2}}}, nlohmann::json("\xff")}) {
    nlohmann::json normalized = doc;
    bool unchanged = NormalizeDocument(&normalized).ok() && normalized == doc;
    EXPECT_EQ(IsNfcDocument(doc), unchanged) << doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
}

}  // namespace
}  // namespace aisafe::records
