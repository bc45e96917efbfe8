// The query language (search/query.h): what valid queries parse to, every
// refusal with its "q: " message and position, the size and nesting limits,
// and that no input makes the parser crash or fail with anything but
// InvalidArgument.
#include "search/query.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "text/analyzer.h"
#include "util/strings.h"

namespace aisafe::search {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Parsed(std::string_view q) {
  absl::StatusOr<QueryNode> node = ParseQuery(q);
  if (!node.ok()) return util::StrCat("error: ", node.status().ToString());
  return DebugString(*node);
}

// The error message of a query that must be refused, "" if it was not.
std::string Refusal(std::string_view q) {
  absl::StatusOr<QueryNode> node = ParseQuery(q);
  if (node.ok()) return "";
  EXPECT_EQ(node.status().code(), absl::StatusCode::kInvalidArgument) << q;
  return std::string(node.status().message());
}

std::string Repeat(std::string_view piece, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out.append(piece);
  return out;
}

std::string Words(size_t n) {
  std::vector<std::string> words;
  for (size_t i = 0; i < n; ++i) words.push_back(util::StrCat("w", i));
  return util::StrJoin(words, " ");
}

TEST(ParseQuery, ValidQueries) {
  struct Case {
    std::string q;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"", "(all)"},
      {"   \t ", "(all)"},
      {"deepfake", "(word deepfake)"},
      {"deepfake scam", "(default (word deepfake) (word scam))"},
      {"  deepfake   scam  ", "(default (word deepfake) (word scam))"},
      {"\"lừa đảo đầu tư\"", "(phrase \"lừa đảo đầu tư\")"},
      {"deepfak*", "(prefix deepfak)"},
      {"ปัญญา*", "(prefix ปัญญา)"},
      {"a AND b", "(and (word a) (word b))"},
      {"a OR b", "(or (word a) (word b))"},
      {"a AND b AND c", "(and (word a) (word b) (word c))"},
      {"a OR b OR c", "(or (word a) (word b) (word c))"},
      // Precedence, loosest first: OR, then juxtaposition, then AND, then NOT.
      {"a b OR c", "(or (default (word a) (word b)) (word c))"},
      {"a OR b c", "(or (word a) (default (word b) (word c)))"},
      {"a AND b OR c", "(or (and (word a) (word b)) (word c))"},
      {"a OR b AND c", "(or (word a) (and (word b) (word c)))"},
      {"a b AND c", "(default (word a) (and (word b) (word c)))"},
      {"NOT a AND b", "(and (not (all) (word a)) (word b))"},
      {"a AND NOT b", "(and (word a) (not (all) (word b)))"},
      {"NOT a", "(not (all) (word a))"},
      {"NOT NOT a", "(not (all) (not (all) (word a)))"},
      {"a NOT b", "(default (word a) (not (all) (word b)))"},
      {"-a", "(not (all) (word a))"},
      {"a -b", "(default (word a) (not (all) (word b)))"},
      {"-a*", "(not (all) (prefix a))"},
      {"-\"x y\"", "(not (all) (phrase \"x y\"))"},
      {"scam -\"x y\"", "(default (word scam) (not (all) (phrase \"x y\")))"},
      {"(a OR b) AND c", "(and (or (word a) (word b)) (word c))"},
      {"a AND (b OR c)", "(and (word a) (or (word b) (word c)))"},
      {"((a))", "(word a)"},
      {"((a OR (b c)) -d)", "(default (or (word a) (default (word b) (word c))) (not (all) (word d)))"},
      {"NOT (a OR b)", "(not (all) (or (word a) (word b)))"},
      {"(\"a b\" OR c*)", "(or (phrase \"a b\") (prefix c))"},
      // Operators are upper case only; anything else is a word.
      {"and or not", "(default (word and) (word or) (word not))"},
      {"ANDROID ORACLE NOTE", "(default (word ANDROID) (word ORACLE) (word NOTE))"},
      // Quotes and parentheses end a word without a space.
      {"\"a\"b", "(default (phrase \"a\") (word b))"},
      {"a\"b\"", "(default (word a) (phrase \"b\"))"},
      {"(a)b", "(default (word a) (word b))"},
      // A '-' or '*' that is not an operator is part of the word.
      {"a-b", "(word a-b)"},
      {"-", "(word -)"},
      {"*a a*b", "(default (word *a) (word a*b))"},
      {"lừa đảo 诈骗 ปลอม", "(default (word lừa) (word đảo) (word 诈骗) (word ปลอม))"},
  };
  for (const Case& c : cases) EXPECT_EQ(Parsed(c.q), c.expected) << c.q;
}

TEST(ParseQuery, TreeShape) {
  absl::StatusOr<QueryNode> node = ParseQuery("scam -deepfake");
  ASSERT_TRUE(node.ok()) << node.status();
  EXPECT_EQ(node->kind, QueryNode::Kind::kDefault);
  ASSERT_EQ(node->children.size(), 2u);
  EXPECT_EQ(node->children[0].kind, QueryNode::Kind::kWord);
  EXPECT_EQ(node->children[0].text, "scam");
  const QueryNode& excluded = node->children[1];
  EXPECT_EQ(excluded.kind, QueryNode::Kind::kNot);
  ASSERT_EQ(excluded.children.size(), 2u);
  EXPECT_EQ(excluded.children[0].kind, QueryNode::Kind::kAll);
  EXPECT_EQ(excluded.children[1].text, "deepfake");

  node = ParseQuery("");
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(node->kind, QueryNode::Kind::kAll);
  EXPECT_TRUE(node->children.empty());
}

TEST(ParseQuery, Errors) {
  struct Case {
    std::string q;
    std::string expected;  // A part of the message, with the position.
  };
  const std::vector<Case> cases = {
      {"\"deepfake scam", "unbalanced quotation mark at character 1"},
      {"deepfake \"scam", "unbalanced quotation mark at character 10"},
      {"a\"", "unbalanced quotation mark at character 2"},
      {"\"a\" \"", "unbalanced quotation mark at character 5"},
      {"ปัญญา \"x", "unbalanced quotation mark at character 7"},  // Characters, not bytes.
      {"(a", "unbalanced '(' at character 1"},
      {"x (a", "unbalanced '(' at character 3"},
      {"((a) b", "unbalanced '(' at character 1"},
      {"a)", "unbalanced ')' at character 2"},
      {")", "unbalanced ')' at character 1"},
      {"a b )", "unbalanced ')' at character 5"},
      {"(a))", "unbalanced ')' at character 4"},
      {"AND a", "AND at character 1 needs a word before it"},
      {"a AND", "AND at character 3 needs a word after it"},
      {"a AND AND b", "AND at character 3 needs a word after it"},
      {"a AND )", "AND at character 3"},
      {"OR", "OR at character 1 needs a word before it"},
      {"OR a", "OR at character 1"},
      {"a OR", "OR at character 3 needs a word after it"},
      {"(OR a)", "OR at character 2"},
      {"NOT", "NOT at character 1 needs a word after it"},
      {"a NOT", "NOT at character 3 needs a word after it"},
      {"NOT AND a", "NOT at character 1"},
      {"*", "character 1"},
      {"a *", "character 3"},
      {"-*", "character 1"},
      {"()", "empty parentheses at character 1"},
      {"a (  )", "empty parentheses at character 3"},
      {"\"  \"", "empty phrase at character 1"},
      {"a \"\"", "empty phrase at character 3"},
      {"-\"\t\"", "empty phrase at character 2"},
  };
  for (const Case& c : cases) {
    std::string message = Refusal(c.q);
    EXPECT_THAT(message, StartsWith("q: ")) << c.q;
    EXPECT_THAT(message, HasSubstr(c.expected)) << c.q;
  }
  // A prefix search names what is missing.
  EXPECT_THAT(Refusal("*"), HasSubstr("prefix"));
}

TEST(ParseQuery, InvalidUtf8) {
  for (std::string q : {"a \xff", "\xc0\x80", "scam \xed\xa0\x80", "\xf4\x90\x80\x80", "\"ab\xe0\xb8\""}) {
    std::string message = Refusal(q);
    EXPECT_THAT(message, StartsWith("q: not valid UTF-8")) << ::testing::PrintToString(q);
  }
  EXPECT_THAT(Refusal("a \xff"), HasSubstr("byte 3"));
  EXPECT_THAT(Refusal("诈骗\x80"), HasSubstr("byte 7"));
}

TEST(ParseQuery, ByteLimit) {
  EXPECT_EQ(Parsed(std::string(kMaxQueryBytes, 'a')), util::StrCat("(word ", std::string(kMaxQueryBytes, 'a'), ")"));
  std::string message = Refusal(std::string(kMaxQueryBytes + 1, 'a'));
  EXPECT_THAT(message, StartsWith("q: "));
  EXPECT_THAT(message, HasSubstr("4097 bytes"));
  EXPECT_THAT(message, HasSubstr("4096"));
  // Bytes, not characters: 1366 Thai characters are 4098 bytes.
  EXPECT_THAT(Refusal(Repeat("ก", 1366)), HasSubstr("4098 bytes"));
  EXPECT_EQ(Refusal(Repeat("ก", 1365)), "");
}

TEST(ParseQuery, TenThousandWords) {
  // Refused at once; 10,000 words cannot fit in 4096 bytes, so the byte
  // limit is what the message names.
  std::string q = Words(10000);
  std::string message = Refusal(q);
  EXPECT_THAT(message, StartsWith("q: "));
  EXPECT_THAT(message, HasSubstr(util::StrCat(q.size(), " bytes")));
  // The same number of words, as short as they can be: still refused.
  EXPECT_THAT(Refusal(Repeat("a ", 10000)), HasSubstr("20000 bytes"));
}

TEST(ParseQuery, WordLimit) {
  EXPECT_THAT(Parsed(Words(kMaxQueryWords)), StartsWith("(default (word w0) (word w1)"));
  std::string message = Refusal(Words(kMaxQueryWords + 1));
  EXPECT_THAT(message, StartsWith("q: 65 words"));
  EXPECT_THAT(message, HasSubstr("64"));
  // Words in phrases count; operators do not.
  EXPECT_EQ(Refusal(util::StrCat("\"", Words(kMaxQueryWords), "\"")), "");
  EXPECT_THAT(Refusal(util::StrCat("\"", Words(kMaxQueryWords + 1), "\"")), StartsWith("q: 65 words"));
  EXPECT_THAT(Refusal(util::StrCat(Words(60), " \"a b c d e\"")), StartsWith("q: 65 words"));
  std::vector<std::string> with_operators;
  for (size_t i = 0; i < kMaxQueryWords; ++i) with_operators.push_back(util::StrCat("w", i));
  EXPECT_EQ(Refusal(util::StrJoin(with_operators, " AND ")), "");
  EXPECT_EQ(Refusal(util::StrJoin(with_operators, " OR NOT ")), "");
  with_operators.push_back("one-more");
  EXPECT_THAT(Refusal(util::StrJoin(with_operators, " OR ")), StartsWith("q: 65 words"));
}

TEST(ParseQuery, NestingLimit) {
  auto nested = [](size_t depth) { return util::StrCat(Repeat("(", depth), "a", Repeat(")", depth)); };
  EXPECT_EQ(Parsed(nested(15)), "(word a)");
  // BUG (reported, issue 6): the header allows nesting up to
  // kMaxQueryDepth (16) levels, but 16 levels of parentheses are refused
  // with "nested deeper than 16 levels" (ParsePrimary checks depth >= 16).
  EXPECT_EQ(Parsed(nested(kMaxQueryDepth)), "(word a)");
  std::string message = Refusal(nested(kMaxQueryDepth + 1));
  EXPECT_THAT(message, StartsWith("q: "));
  EXPECT_THAT(message, HasSubstr("nested deeper than 16 levels at character "));
  EXPECT_THAT(Refusal(nested(1000)), HasSubstr("nested deeper than 16"));
  EXPECT_THAT(Refusal(util::StrCat(Repeat("NOT ", kMaxQueryDepth + 1), "a")), HasSubstr("nested deeper than 16"));
  EXPECT_THAT(Refusal(Repeat("(", 3000)), StartsWith("q: "));  // Deep and unbalanced.
}

// Random token soup: the parser answers OK or InvalidArgument ("q: ..."),
// and what it accepts is a well-formed tree.
void CheckTree(const QueryNode& n, const std::string& q) {
  switch (n.kind) {
    case QueryNode::Kind::kWord:
    case QueryNode::Kind::kPrefix:
      EXPECT_FALSE(n.text.empty()) << q;
      EXPECT_TRUE(n.children.empty()) << q;
      break;
    case QueryNode::Kind::kPhrase:
      EXPECT_NE(n.text.find_first_not_of(" \t\n\r\f\v"), std::string::npos) << q;
      break;
    case QueryNode::Kind::kAll:
      EXPECT_TRUE(n.children.empty()) << q;
      break;
    case QueryNode::Kind::kNot:
      ASSERT_EQ(n.children.size(), 2u) << q;
      break;
    case QueryNode::Kind::kDefault:
    case QueryNode::Kind::kAnd:
    case QueryNode::Kind::kOr:
      EXPECT_GE(n.children.size(), 2u) << q;
      break;
  }
  for (const QueryNode& c : n.children) CheckTree(c, q);
}

TEST(ParseQuery, FuzzNeverCrashes) {
  const std::vector<std::string> pieces = {"\"",   "(", ")",  "a",  "scam", "AND",  "OR",   "NOT",
                                           "*",    "-", " ",  "  ", "\t",   "-\"",  "ปัญญา", "lừa",
                                           "诈骗", "😀", "x*", "-y", "\xff", "\xc3", ""};
  std::mt19937 rng(6);
  int ok = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string q;
    for (size_t n = rng() % 20; n > 0; --n) {
      q += pieces[rng() % pieces.size()];
      if (rng() % 3 == 0) q += ' ';
    }
    absl::StatusOr<QueryNode> node = ParseQuery(q);
    if (node.ok()) {
      ++ok;
      CheckTree(*node, q);
      EXPECT_FALSE(DebugString(*node).empty());
    } else {
      ASSERT_EQ(node.status().code(), absl::StatusCode::kInvalidArgument) << ::testing::PrintToString(q);
      ASSERT_THAT(std::string(node.status().message()), StartsWith("q: ")) << ::testing::PrintToString(q);
    }
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "query " << ::testing::PrintToString(q);
      return;
    }
  }
  EXPECT_GT(ok, 1000);  // The generator reaches both outcomes.
  EXPECT_LT(ok, 19000);
}

}  // namespace
}  // namespace aisafe::search
