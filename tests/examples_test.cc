// Every example in examples/records.jsonl is a valid record, and together
// they cover what the README promises: all six types, every TLP marking,
// at least six member states and six languages.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "node/node.h"
#include "node/submitter.h"
#include "tests/test_util.h"

namespace aisafe::node {
namespace {

TEST(Examples, AllValidAndCoverTheRegion) {
  std::ifstream in(AISAFE_EXAMPLES);
  ASSERT_TRUE(in) << AISAFE_EXAMPLES;
  std::stringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  testing::TempDir dir;
  auto node = Node::Init(dir.path(), "my-mcmc", "MY");
  ASSERT_TRUE(node.ok());
  Submitter s({.origin = "my-mcmc"}, &(*node)->store(), &util::RealClock());
  auto docs = SplitInput(text);
  ASSERT_GE(docs.size(), 30u);
  auto r = s.Submit(docs, "examples/records.jsonl");
  ASSERT_TRUE(r.ok()) << r.status();
  std::set<std::string> types, tlps, langs, countries;
  for (const auto& d : docs) {
    auto j = nlohmann::json::parse(d.text);
    types.insert(j["type"]);
    tlps.insert(j["tlp"]);
    langs.insert(j["lang"]);
    for (const auto& c : j.value("countries", nlohmann::json::array())) countries.insert(c);
  }
  EXPECT_EQ(types.size(), 6u);
  EXPECT_EQ(tlps.size(), 5u);
  EXPECT_GE(langs.size(), 6u);
  std::set<std::string> asean = {"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "TL", "VN"};
  int members = 0;
  for (const auto& c : countries) members += asean.count(c);
  EXPECT_GE(members, 6);
  for (const char* lang : {"th", "vi", "id", "ms", "fil"}) EXPECT_TRUE(langs.count(lang)) << lang;
  EXPECT_TRUE(langs.count("km") || langs.count("my"));
}

}  // namespace
}  // namespace aisafe::node
