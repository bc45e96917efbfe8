#include "node/node.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/test_util.h"

namespace aisafe::node {
namespace {

TEST(Node, InitThenOpen) {
  testing::TempDir tmp;
  std::string dir = tmp.Sub("node");
  auto node = Node::Init(dir, "my-mcmc", "MY");
  ASSERT_TRUE(node.ok()) << node.status();
  std::string vkey = (*node)->signer().verifier().Encode();
  EXPECT_EQ(vkey.rfind("my-mcmc+", 0), 0u);
  node->reset();
  auto again = Node::Open(dir);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)->config().name, "my-mcmc");
  EXPECT_EQ((*again)->config().country, "MY");
  EXPECT_EQ((*again)->config().max_record_bytes, 1u << 20);
  EXPECT_EQ((*again)->signer().verifier().Encode(), vkey);
  struct stat st;
  ASSERT_EQ(::stat((dir + "/node.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(Node, SecondInitIsRefused) {
  testing::TempDir tmp;
  ASSERT_TRUE(Node::Init(tmp.path(), "a", "SG").ok());
  auto again = Node::Init(tmp.path(), "b", "SG");
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ((*Node::Open(tmp.path()))->config().name, "a");  // Untouched.
}

TEST(Node, InitValidatesNameAndCountry) {
  testing::TempDir tmp;
  EXPECT_EQ(Node::Init(tmp.Sub("x"), "bad name", "MY").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Node::Init(tmp.Sub("x"), "ok", "XX").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Node::Init(tmp.Sub("x"), "-lead", "MY").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Node, InitRefusesForeignDirectory) {
  testing::TempDir tmp;
  std::ofstream(tmp.Sub("thesis.docx")) << "mine";
  auto node = Node::Init(tmp.path(), "a", "TH");
  EXPECT_EQ(node.status().code(), absl::StatusCode::kFailedPrecondition);
  std::ifstream in(tmp.Sub("thesis.docx"));
  std::string content;
  in >> content;
  EXPECT_EQ(content, "mine");
}

TEST(Node, OpenRefusesForeignMissingAndEmptyDirectories) {
  testing::TempDir tmp;
  EXPECT_EQ(Node::Open(tmp.Sub("absent")).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Node::Open(tmp.path()).status().code(), absl::StatusCode::kNotFound);
  std::ofstream(tmp.Sub("random.txt")) << "x";
  EXPECT_EQ(Node::Open(tmp.path()).status().code(), absl::StatusCode::kFailedPrecondition);
  std::ofstream(tmp.Sub("node.toml")) << "this is = = not toml";
  EXPECT_EQ(Node::Open(tmp.path()).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(Node, RefusesToStartWhenKeyIsReadableByOthers) {
  testing::TempDir tmp;
  ASSERT_TRUE(Node::Init(tmp.path(), "a", "VN").ok());
  ASSERT_EQ(::chmod(tmp.Sub("node.key").c_str(), 0644), 0);
  auto node = Node::Open(tmp.path());
  EXPECT_EQ(node.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(node.status().message().find("chmod 600"), absl::string_view::npos);
  ASSERT_EQ(::chmod(tmp.Sub("node.key").c_str(), 0640), 0);
  EXPECT_FALSE(Node::Open(tmp.path()).ok());
  ASSERT_EQ(::chmod(tmp.Sub("node.key").c_str(), 0600), 0);
  EXPECT_TRUE(Node::Open(tmp.path()).ok());
}

TEST(Node, ReadsConfiguredRecordLimitAndRejectsNewerFormat) {
  testing::TempDir tmp;
  ASSERT_TRUE(Node::Init(tmp.path(), "a", "ID").ok());
  std::ofstream(tmp.Sub("node.toml")) << "format = 1\nname = \"a\"\ncountry = \"ID\"\n[records]\nmax_bytes = 4096\n";
  EXPECT_EQ((*Node::Open(tmp.path()))->config().max_record_bytes, 4096u);
  std::ofstream(tmp.Sub("node.toml")) << "format = 2\nname = \"a\"\ncountry = \"ID\"\n";
  auto node = Node::Open(tmp.path());
  EXPECT_EQ(node.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(node.status().message().find("newer"), absl::string_view::npos);
}

TEST(Node, KeyOfAnotherNodeIsRefused) {
  testing::TempDir a, b;
  ASSERT_TRUE(Node::Init(a.path(), "a", "ID").ok());
  ASSERT_TRUE(Node::Init(b.path(), "b", "ID").ok());
  std::ifstream key(b.Sub("node.key"));
  std::string text((std::istreambuf_iterator<char>(key)), {});
  std::ofstream(a.Sub("node.key")) << text;
  EXPECT_EQ(Node::Open(a.path()).status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace aisafe::node
