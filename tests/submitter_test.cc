#include "node/submitter.h"

#include <gtest/gtest.h>

#include "node/node.h"
#include "tests/test_util.h"
#include "util/hex.h"

namespace aisafe::node {
namespace {

using Json = nlohmann::json;

constexpr char kIncident[] =
    R"({"type":"incident","tlp":"clear","lang":"th","countries":["TH"],"title":"วิดีโอดีปเฟกหลอกลงทุน",)"
    R"("body":{"occurred":"2026-09-14","domain":"financial","harm_categories":["malicious-use"],)"
    R"("severity":"high","description":"คลิปปลอมชวนลงทุน"}})";

class SubmitterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto n = Node::Init(dir_.path(), "th-etda", "TH");
    ASSERT_TRUE(n.ok()) << n.status();
    node_ = std::move(*n);
    submitter_ = std::make_unique<Submitter>(SubmitterOptions{.origin = "th-etda", .max_record_bytes = 1 << 20},
                                             &node_->store(), &clock_);
  }
  absl::StatusOr<std::vector<SubmitResult>> Submit(std::string_view input) {
    auto docs = SplitInput(input);
    return submitter_->Submit(docs, "in");
  }
  uint64_t Count() { return *node_->store().Count(std::nullopt); }

  testing::TempDir dir_;
  util::FakeClock clock_{absl::FromUnixSeconds(1795427122)};
  std::unique_ptr<Node> node_;
  std::unique_ptr<Submitter> submitter_;
};

TEST_F(SubmitterTest, FillsOriginCreatedNonce) {
  auto r = Submit(kIncident);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_TRUE((*r)[0].created);
  auto stored = node_->store().Get((*r)[0].id);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  Json doc = Json::parse((*stored)->canonical);
  EXPECT_EQ(doc["origin"], "th-etda");
  EXPECT_EQ(doc["created"], "2026-11-23T09:45:22.000Z");
  EXPECT_EQ(doc["nonce"].get<std::string>().size(), 32u);
  EXPECT_EQ(util::Sha256((*stored)->canonical), (*r)[0].id);
}

TEST_F(SubmitterTest, ResubmittingTheSameDocumentReturnsTheSameId) {
  auto first = Submit(kIncident);
  ASSERT_TRUE(first.ok());
  clock_.Advance(absl::Hours(1));
  auto second = Submit(kIncident);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ((*first)[0].id, (*second)[0].id);
  EXPECT_FALSE((*second)[0].created);
  // The same text in another Unicode form, with other spacing and member
  // order, is the same document.
  Json doc = Json::parse(kIncident);
  std::string reordered = doc.dump(2);
  auto third = Submit(reordered);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ((*third)[0].id, (*first)[0].id);
  // Twice in one batch: one record.
  std::string two = std::string(kIncident) + "\n" + kIncident + "\n";
  auto fourth = Submit(two);
  ASSERT_TRUE(fourth.ok());
  EXPECT_EQ((*fourth)[0].id, (*first)[0].id);
  EXPECT_EQ((*fourth)[1].id, (*first)[0].id);
  EXPECT_EQ(Count(), 1u);
}

TEST_F(SubmitterTest, AFullySpecifiedRecordKeepsItsId) {
  Json doc = Json::parse(kIncident);
  doc["origin"] = "th-etda";
  doc["created"] = "2026-01-01T00:00:00Z";
  doc["nonce"] = "0123456789abcdef0123456789abcdef";
  auto r = Submit(doc.dump());
  ASSERT_TRUE(r.ok()) << r.status();
  auto again = Submit(doc.dump());
  EXPECT_EQ((*again)[0].id, (*r)[0].id);
  EXPECT_EQ(Count(), 1u);
}

TEST_F(SubmitterTest, OneBadLineStoresNothingAndNamesTheLine) {
  std::string input = std::string(kIncident) + "\n\n" +
                      R"({"type":"incident","tlp":"amber","lang":"en","title":"x","body":{}})" + "\n" + kIncident;
  auto r = Submit(input);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  std::string msg(r.status().message());
  EXPECT_NE(msg.find("in:3: /audience"), std::string::npos) << msg;
  EXPECT_NE(msg.find("in:3: /body"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("in:1:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("nothing was stored"), std::string::npos);
  EXPECT_TRUE(r.status().GetPayload(records::kViolationsPayload).has_value());
  EXPECT_EQ(Count(), 0u);
}

TEST_F(SubmitterTest, RejectsAnotherOrigin) {
  Json doc = Json::parse(kIncident);
  doc["origin"] = "sg-aisi";
  auto r = Submit(doc.dump());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/origin"), absl::string_view::npos);
  EXPECT_EQ(Count(), 0u);
}

TEST_F(SubmitterTest, RejectsOversizedRecordsBeforeParsing) {
  Submitter small({.origin = "th-etda", .max_record_bytes = 2048}, &node_->store(), &clock_);
  Json doc = Json::parse(kIncident);
  doc["summary"] = std::string(4000, 'x');
  auto docs = SplitInput(doc.dump());
  auto r = small.Submit(docs, "in");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("the limit is 2048"), absl::string_view::npos) << r.status();
  EXPECT_EQ(Count(), 0u);
}

TEST_F(SubmitterTest, InvalidJsonAndInvalidUtf8) {
  auto r = Submit("{\"type\": \"incident\", \"title\": \"\xff\"}");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("invalid JSON"), absl::string_view::npos) << r.status();
  r = Submit("not json at all");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(Count(), 0u);
}

TEST_F(SubmitterTest, SupersedesMustNameAStoredRecordOfTheSameOrigin) {
  auto first = Submit(kIncident);
  ASSERT_TRUE(first.ok());
  Json doc = Json::parse(kIncident);
  doc["title"] = "แก้ไข: วิดีโอดีปเฟกหลอกลงทุน";
  doc["supersedes"] = util::ToHex((*first)[0].id);
  auto ok = Submit(doc.dump());
  ASSERT_TRUE(ok.ok()) << ok.status();
  doc["supersedes"] = std::string(64, 'a');
  auto bad = Submit(doc.dump());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("/supersedes: names a record this node does not hold"), absl::string_view::npos)
      << bad.status();
  EXPECT_EQ(Count(), 2u);
}

TEST_F(SubmitterTest, ManyDocumentsInParallelMatchSerial) {
  std::string input;
  for (int i = 0; i < 500; ++i) {
    Json doc = Json::parse(kIncident);
    doc["title"] = "incident " + std::to_string(i);
    doc["created"] = "2026-01-01T00:00:00Z";
    doc["nonce"] = "0123456789abcdef0123456789abcdef";
    input += doc.dump() + "\n";
  }
  auto docs = SplitInput(input);
  Submitter serial({.origin = "th-etda", .threads = 1}, &node_->store(), &clock_);
  Submitter parallel({.origin = "th-etda", .threads = 4}, &node_->store(), &clock_);
  auto a = serial.Prepare(docs, "in");
  auto b = parallel.Prepare(docs, "in");
  ASSERT_TRUE(a.ok() && b.ok());
  for (size_t i = 0; i < docs.size(); ++i) EXPECT_EQ((*a)[i].record.id, (*b)[i].record.id);
}

TEST(SplitInput, JsonLinesVersusOneDocument) {
  EXPECT_EQ(SplitInput("{\"a\":1}\n{\"b\":2}\n").size(), 2u);
  auto lines = SplitInput("\n{\"a\":1}\r\n\n  \n{\"b\":2}");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].line, 2u);
  EXPECT_EQ(lines[0].text, "{\"a\":1}");
  EXPECT_EQ(lines[1].line, 5u);
  auto pretty = SplitInput("{\n  \"a\": 1\n}\n");
  ASSERT_EQ(pretty.size(), 1u);
  EXPECT_EQ(pretty[0].line, 0u);
  EXPECT_TRUE(SplitInput("  \n\n").empty());
  EXPECT_EQ(SplitInput("\xEF\xBB\xBF{\"a\":1}")[0].text, "{\"a\":1}");
}

}  // namespace
}  // namespace aisafe::node
