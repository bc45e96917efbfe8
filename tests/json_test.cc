#include "records/json.h"

#include <gtest/gtest.h>

namespace aisafe::records {
namespace {

TEST(Json, ParsesValidDocuments) {
  auto doc = ParseJson(R"(  {"a": [1, "ไทย", null]}  )");
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ((*doc)["a"][1], "ไทย");
}

TEST(Json, RejectsDuplicateEmptyMemberNames) {
  // "" is a member name like any other; a repeated one is a duplicate too.
  auto doc = ParseJson(R"({"":1,"":2})");
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(doc.status().message().find("duplicate member name \"\""), absl::string_view::npos) << doc.status();
  EXPECT_TRUE(ParseJson(R"({"":1,"a":{"":2}})").ok());
}

TEST(Json, RejectsDuplicateMembers) {
  auto doc = ParseJson(R"({"a": 1, "b": {"c": 1, "c": 2}})");
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(doc.status().message().find("duplicate member name \"c\""), absl::string_view::npos);
  // The same name in different objects is fine.
  EXPECT_TRUE(ParseJson(R"({"a": {"x": 1}, "b": {"x": 1}})").ok());
}

TEST(Json, RejectsInvalidUtf8WithPosition) {
  auto doc = ParseJson("{\"a\": \"\xC3\x28\"}");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(doc.status().message().find("line 1"), absl::string_view::npos) << doc.status();
}

TEST(Json, RejectsLoneSurrogates) {
  EXPECT_FALSE(ParseJson(R"(["\ud800"])").ok());
  EXPECT_FALSE(ParseJson(R"(["\udc00x"])").ok());
}

TEST(Json, ReportsTruncationWithLine) {
  auto doc = ParseJson("{\n  \"a\": [1,\n  2");
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(doc.status().message().find("line 3"), absl::string_view::npos) << doc.status();
}

TEST(Json, RejectsTrailingContentAndComments) {
  EXPECT_FALSE(ParseJson("{} {}").ok());
  EXPECT_FALSE(ParseJson("{} // c").ok());
  EXPECT_FALSE(ParseJson("").ok());
  EXPECT_FALSE(ParseJson("[1,]").ok());
}

}  // namespace
}  // namespace aisafe::records
