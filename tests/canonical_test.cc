// RFC 8785 conformance: the RFC's own examples (section 3.2.2, 3.2.3 and
// Appendix B's number table).
#include "records/canonical.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <random>

#include "records/json.h"

namespace aisafe::records {
namespace {

std::string Canon(std::string_view json) {
  auto doc = ParseJson(json);
  EXPECT_TRUE(doc.ok()) << doc.status();
  auto out = Canonicalize(*doc);
  EXPECT_TRUE(out.ok()) << out.status();
  return *out;
}

TEST(Canonical, Rfc8785MainExample) {
  const char* input = R"({
    "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
    "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
    "literals": [null, true, false]
  })";
  EXPECT_EQ(Canon(input),
            "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
            "\"string\":\"\xE2\x82\xAC$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
}

TEST(Canonical, SortsByUtf16CodeUnits) {
  const char* input = R"({
    "\u20ac": "Euro Sign",
    "\r": "Carriage Return",
    "\ufb33": "Hebrew Letter Dalet With Dagesh",
    "1": "One",
    "\ud83d\ude00": "Emoji: Grinning Face",
    "\u0080": "Control",
    "\u00f6": "Latin Small Letter O With Diaeresis"
  })";
  std::string out = Canon(input);
  // Expected order: \r, 1, U+0080, U+00F6, U+20AC, U+1F600, U+FB33 (the emoji's
  // surrogates D83D sort before FB33 although its code point is larger).
  std::vector<std::string> order = {"\\r",         "\"1\"", "\xC2\x80", "\xC3\xB6", "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
                                    "\xEF\xAC\xB3"};
  size_t last = 0;
  for (const auto& key : order) {
    size_t pos = out.find(key);
    ASSERT_NE(pos, std::string::npos) << key;
    EXPECT_GT(pos, last) << key;
    last = pos;
  }
}

struct NumberCase {
  uint64_t bits;
  const char* expected;
};

TEST(Canonical, Rfc8785AppendixBNumbers) {
  const NumberCase cases[] = {
      {0x0000000000000000, "0"},
      {0x8000000000000000, "0"},
      {0x0000000000000001, "5e-324"},
      {0x8000000000000001, "-5e-324"},
      {0x7fefffffffffffff, "1.7976931348623157e+308"},
      {0xffefffffffffffff, "-1.7976931348623157e+308"},
      {0x4340000000000000, "9007199254740992"},
      {0xc340000000000000, "-9007199254740992"},
      {0x4430000000000000, "295147905179352830000"},
      {0x44b52d02c7e14af5, "9.999999999999997e+22"},
      {0x44b52d02c7e14af6, "1e+23"},
      {0x44b52d02c7e14af7, "1.0000000000000001e+23"},
      {0x444b1ae4d6e2ef4e, "999999999999999700000"},
      {0x444b1ae4d6e2ef4f, "999999999999999900000"},
      {0x444b1ae4d6e2ef50, "1e+21"},
      {0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"},
      {0x3eb0c6f7a0b5ed8d, "0.000001"},
      {0x41b3de4355555553, "333333333.3333332"},
      {0x41b3de4355555554, "333333333.33333325"},
      {0x41b3de4355555555, "333333333.3333333"},
      {0x41b3de4355555556, "333333333.3333334"},
      {0x41b3de4355555557, "333333333.33333343"},
      {0xbecbf647612f3696, "-0.0000033333333333333333"},
      {0x43143ff3c1cb0959, "1424953923781206.2"},
  };
  for (const auto& c : cases) {
    std::string out;
    AppendEcmaNumber(std::bit_cast<double>(c.bits), &out);
    EXPECT_EQ(out, c.expected) << std::hex << c.bits;
  }
}

TEST(Canonical, NumbersRoundTripThroughTheirCanonicalForm) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 20000; ++i) {
    double d = std::bit_cast<double>(rng());
    if (!std::isfinite(d)) continue;
    std::string out;
    AppendEcmaNumber(d, &out);
    EXPECT_EQ(std::strtod(out.c_str(), nullptr), d) << out;
  }
}

TEST(Canonical, EscapesOnlyWhatJcsEscapes) {
  EXPECT_EQ(Canon(R"(["\u001f\u007f\b\t\u00e9/"])"), "[\"\\u001f\x7f\\b\\t\xC3\xA9/\"]");
}

TEST(Canonical, IntegersOutsideIJsonAreRejected) {
  auto doc = ParseJson("[9007199254740993]");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(Canonicalize(*doc).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Canon("[9007199254740992, -9007199254740992, 0, -1]"), "[9007199254740992,-9007199254740992,0,-1]");
}

TEST(Canonical, IsIdempotent) {
  std::string once = Canon(R"({"b":[1.50,{"z":1,"a":"x"}],"a":null})");
  EXPECT_EQ(once, R"({"a":null,"b":[1.5,{"a":"x","z":1}]})");
  EXPECT_EQ(Canon(once), once);
}

}  // namespace
}  // namespace aisafe::records
