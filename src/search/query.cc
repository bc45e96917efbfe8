#include "search/query.h"

#include <optional>

#include "text/analyzer.h"
#include "util/strings.h"

namespace aisafe::search {
namespace {

struct Token {
  enum class Kind { kWord, kPhrase, kOpen, kClose, kAnd, kOr, kNot, kEnd };
  Kind kind = Kind::kEnd;
  std::string text;
  bool negated = false;  // "-word"
  bool prefix = false;   // "word*"
  size_t at = 0;         // 1-based character position.
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// 1-based character (code point) position of byte `offset` in valid UTF-8.
size_t CharPosition(std::string_view q, size_t offset) {
  size_t chars = 0;
  for (size_t i = 0; i < offset && i < q.size(); ++i) {
    if ((static_cast<unsigned char>(q[i]) & 0xC0) != 0x80) ++chars;
  }
  return chars + 1;
}

absl::StatusOr<std::vector<Token>> Lex(std::string_view q) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < q.size()) {
    char c = q[i];
    if (IsSpace(c)) {
      ++i;
      continue;
    }
    Token t;
    t.at = CharPosition(q, i);
    if (c == '(' || c == ')') {
      t.kind = c == '(' ? Token::Kind::kOpen : Token::Kind::kClose;
      ++i;
    } else if (c == '"' || (c == '-' && i + 1 < q.size() && q[i + 1] == '"')) {
      t.negated = c == '-';
      size_t open = t.negated ? i + 1 : i;
      size_t close = q.find('"', open + 1);
      if (close == std::string_view::npos) {
        return absl::InvalidArgumentError(
            util::StrCat("q: unbalanced quotation mark at character ", CharPosition(q, open), "; close the phrase"));
      }
      t.kind = Token::Kind::kPhrase;
      t.text = std::string(q.substr(open + 1, close - open - 1));
      if (t.text.find_first_not_of(" \t\n\r\f\v") == std::string::npos) {
        return absl::InvalidArgumentError(util::StrCat("q: empty phrase at character ", CharPosition(q, open)));
      }
      i = close + 1;
    } else {
      size_t end = i;
      while (end < q.size() && !IsSpace(q[end]) && q[end] != '(' && q[end] != ')' && q[end] != '"') ++end;
      std::string_view word = q.substr(i, end - i);
      i = end;
      if (word == "AND" || word == "OR" || word == "NOT") {
        t.kind = word == "AND" ? Token::Kind::kAnd : word == "OR" ? Token::Kind::kOr : Token::Kind::kNot;
      } else {
        t.kind = Token::Kind::kWord;
        if (word.size() > 1 && word.front() == '-') {
          t.negated = true;
          word.remove_prefix(1);
        }
        if (!word.empty() && word.back() == '*') {
          t.prefix = true;
          word.remove_suffix(1);
          if (word.empty() || word.find('*') != std::string_view::npos) {
            return absl::InvalidArgumentError(
                util::StrCat("q: a prefix search needs at least one character before '*' (character ", t.at, ")"));
          }
        }
        t.text = std::string(word);
      }
    }
    tokens.push_back(std::move(t));
  }
  Token end;
  end.at = CharPosition(q, q.size());
  tokens.push_back(end);
  return tokens;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  absl::StatusOr<QueryNode> Parse() {
    if (Peek().kind == Token::Kind::kEnd) return QueryNode{};
    auto node = ParseOr(0);
    if (!node.ok()) return node.status();
    if (Peek().kind == Token::Kind::kClose) {
      return absl::InvalidArgumentError(util::StrCat("q: unbalanced ')' at character ", Peek().at));
    }
    return node;
  }

 private:
  const Token& Peek() const { return tokens_[pos_]; }
  const Token& Next() { return tokens_[pos_++]; }

  static bool StartsOperand(Token::Kind k) {
    return k == Token::Kind::kWord || k == Token::Kind::kPhrase || k == Token::Kind::kOpen || k == Token::Kind::kNot;
  }

  absl::Status Missing(const char* op, const Token& at) {
    return absl::InvalidArgumentError(util::StrCat("q: ", op, " at character ", at.at, " needs a word after it"));
  }

  absl::StatusOr<QueryNode> ParseOr(size_t depth) {
    auto first = ParseDefault(depth);
    if (!first.ok()) return first.status();
    if (Peek().kind != Token::Kind::kOr) return first;
    QueryNode node;
    node.kind = QueryNode::Kind::kOr;
    node.children.push_back(std::move(*first));
    while (Peek().kind == Token::Kind::kOr) {
      const Token& op = Next();
      if (!StartsOperand(Peek().kind)) return Missing("OR", op);
      auto next = ParseDefault(depth);
      if (!next.ok()) return next.status();
      node.children.push_back(std::move(*next));
    }
    return node;
  }

  absl::StatusOr<QueryNode> ParseDefault(size_t depth) {
    if (Peek().kind == Token::Kind::kAnd || Peek().kind == Token::Kind::kOr) {
      return absl::InvalidArgumentError(util::StrCat("q: ", Peek().kind == Token::Kind::kAnd ? "AND" : "OR",
                                                     " at character ", Peek().at, " needs a word before it"));
    }
    QueryNode node;
    node.kind = QueryNode::Kind::kDefault;
    while (StartsOperand(Peek().kind)) {
      auto next = ParseAnd(depth);
      if (!next.ok()) return next.status();
      node.children.push_back(std::move(*next));
    }
    if (node.children.empty()) {
      const Token& t = Peek();
      if (t.kind == Token::Kind::kClose) {
        return absl::InvalidArgumentError(util::StrCat("q: unbalanced ')' at character ", t.at));
      }
      return absl::InvalidArgumentError(util::StrCat("q: expected a word at character ", t.at));
    }
    if (node.children.size() == 1) return std::move(node.children.front());
    return node;
  }

  absl::StatusOr<QueryNode> ParseAnd(size_t depth) {
    auto first = ParseUnary(depth);
    if (!first.ok()) return first.status();
    if (Peek().kind != Token::Kind::kAnd) return first;
    QueryNode node;
    node.kind = QueryNode::Kind::kAnd;
    node.children.push_back(std::move(*first));
    while (Peek().kind == Token::Kind::kAnd) {
      const Token& op = Next();
      if (!StartsOperand(Peek().kind)) return Missing("AND", op);
      auto next = ParseUnary(depth);
      if (!next.ok()) return next.status();
      node.children.push_back(std::move(*next));
    }
    return node;
  }

  static QueryNode Exclude(QueryNode what) {
    QueryNode node;
    node.kind = QueryNode::Kind::kNot;
    node.children.push_back(QueryNode{});  // kAll
    node.children.push_back(std::move(what));
    return node;
  }

  absl::StatusOr<QueryNode> ParseUnary(size_t depth) {
    if (Peek().kind == Token::Kind::kNot) {
      const Token& op = Next();
      if (!StartsOperand(Peek().kind)) return Missing("NOT", op);
      auto what = ParseUnary(depth + 1);
      if (!what.ok()) return what.status();
      return Exclude(std::move(*what));
    }
    return ParsePrimary(depth);
  }

  absl::StatusOr<QueryNode> ParsePrimary(size_t depth) {
    if (depth > kMaxQueryDepth) {
      return absl::InvalidArgumentError(
          util::StrCat("q: nested deeper than ", kMaxQueryDepth, " levels at character ", Peek().at));
    }
    const Token& t = Next();
    switch (t.kind) {
      case Token::Kind::kOpen: {
        if (Peek().kind == Token::Kind::kClose) {
          return absl::InvalidArgumentError(util::StrCat("q: empty parentheses at character ", t.at));
        }
        auto inner = ParseOr(depth + 1);
        if (!inner.ok()) return inner.status();
        if (Peek().kind != Token::Kind::kClose) {
          return absl::InvalidArgumentError(
              util::StrCat("q: unbalanced '(' at character ", t.at, "; close it with ')'"));
        }
        Next();
        return inner;
      }
      case Token::Kind::kPhrase:
      case Token::Kind::kWord: {
        QueryNode node;
        node.kind = t.kind == Token::Kind::kPhrase ? QueryNode::Kind::kPhrase
                    : t.prefix                     ? QueryNode::Kind::kPrefix
                                                   : QueryNode::Kind::kWord;
        node.text = t.text;
        if (t.negated) return Exclude(std::move(node));
        return node;
      }
      default:
        return absl::InvalidArgumentError(util::StrCat("q: expected a word at character ", t.at));
    }
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

size_t CountWords(const std::vector<Token>& tokens) {
  size_t words = 0;
  for (const Token& t : tokens) {
    if (t.kind == Token::Kind::kWord) ++words;
    if (t.kind == Token::Kind::kPhrase) {
      bool in_word = false;
      for (char c : t.text) {
        if (!IsSpace(c) && !in_word) ++words;
        in_word = !IsSpace(c);
      }
    }
  }
  return words;
}

void Render(const QueryNode& n, std::string* out) {
  switch (n.kind) {
    case QueryNode::Kind::kWord:
      util::StrAppend(out, "(word ", n.text, ")");
      return;
    case QueryNode::Kind::kPhrase:
      util::StrAppend(out, "(phrase \"", n.text, "\")");
      return;
    case QueryNode::Kind::kPrefix:
      util::StrAppend(out, "(prefix ", n.text, ")");
      return;
    case QueryNode::Kind::kAll:
      out->append("(all)");
      return;
    default:
      break;
  }
  const char* name = n.kind == QueryNode::Kind::kDefault ? "default"
                     : n.kind == QueryNode::Kind::kAnd   ? "and"
                     : n.kind == QueryNode::Kind::kOr    ? "or"
                                                         : "not";
  util::StrAppend(out, "(", name);
  for (const QueryNode& c : n.children) {
    out->push_back(' ');
    Render(c, out);
  }
  out->push_back(')');
}

}  // namespace

absl::StatusOr<QueryNode> ParseQuery(std::string_view q) {
  size_t bad = 0;
  if (!text::IsValidUtf8(q, &bad)) {
    return absl::InvalidArgumentError(util::StrCat("q: not valid UTF-8 (byte ", bad + 1, ")"));
  }
  if (q.size() > kMaxQueryBytes) {
    return absl::InvalidArgumentError(
        util::StrCat("q: ", q.size(), " bytes long; a query may have at most ", kMaxQueryBytes));
  }
  auto tokens = Lex(q);
  if (!tokens.ok()) return tokens.status();
  size_t words = CountWords(*tokens);
  if (words > kMaxQueryWords) {
    return absl::InvalidArgumentError(util::StrCat("q: ", words, " words; a query may have at most ", kMaxQueryWords));
  }
  return Parser(std::move(*tokens)).Parse();
}

std::string DebugString(const QueryNode& node) {
  std::string out;
  Render(node, &out);
  return out;
}

}  // namespace aisafe::search
