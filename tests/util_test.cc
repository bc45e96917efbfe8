#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "tests/test_util.h"
#include "util/base64.h"
#include "util/clock.h"
#include "util/file.h"
#include "util/hex.h"
#include "util/progress.h"
#include "util/sha256.h"
#include "util/status.h"
#include "util/strings.h"

namespace aisafe::util {
namespace {

TEST(Sha256, KnownAnswers) {
  EXPECT_EQ(ToHex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(ToHex(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 6962 leaf hash of the empty entry: SHA-256(0x00).
  EXPECT_EQ(ToHex(Sha256WithPrefix(0, "")), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
}

TEST(Hex, RoundTripAndRejects) {
  EXPECT_EQ(ToHex(std::string("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(*FromHex("00ff10"), std::string("\x00\xff\x10", 3));
  EXPECT_FALSE(FromHex("0"));
  EXPECT_FALSE(FromHex("zz"));
  EXPECT_FALSE(DigestFromHex(std::string(64, 'A')));  // Ids are lowercase only.
  EXPECT_TRUE(DigestFromHex(std::string(64, 'a')));
  EXPECT_FALSE(DigestFromHex(std::string(63, 'a')));
}

TEST(Base64, StandardAndUrl) {
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(*Base64Decode("Zm9vYg=="), "foob");
  EXPECT_FALSE(Base64Decode("Zm9vYg"));     // Padding is required.
  EXPECT_FALSE(Base64Decode("Zm9v Yg=="));  // No whitespace.
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(*Base64UrlDecode("-_8"), "\xfb\xff");
}

TEST(Clock, TimestampsAreStrictRfc3339Utc) {
  absl::Time t;
  EXPECT_TRUE(ParseTimestamp("2026-11-23T09:45:22Z", &t));
  EXPECT_EQ(FormatTimestamp(t), "2026-11-23T09:45:22.000Z");
  EXPECT_TRUE(ParseTimestamp("2024-02-29T23:59:59.123456789Z", &t));
  EXPECT_FALSE(ParseTimestamp("2023-02-29T00:00:00Z", &t));       // Not a leap year.
  EXPECT_FALSE(ParseTimestamp("2026-11-23T09:45:22+07:00", &t));  // UTC only.
  EXPECT_FALSE(ParseTimestamp("2026-11-23 09:45:22Z", &t));
  EXPECT_FALSE(ParseTimestamp("2026-11-23T24:00:00Z", &t));
  EXPECT_FALSE(ParseTimestamp("2026-11-23T09:45:22.Z", &t));
  EXPECT_FALSE(ParseTimestamp("2026-11-23T09:45:22Zjunk", &t));
  EXPECT_TRUE(ParseDate("2026-12-31"));
  EXPECT_FALSE(ParseDate("2026-13-01"));
  EXPECT_FALSE(ParseDate("2026-04-31"));
}

TEST(Clock, FakeClockAdvances) {
  FakeClock clock(absl::FromUnixSeconds(1000));
  clock.Advance(absl::Seconds(5));
  EXPECT_EQ(absl::ToUnixSeconds(clock.Now()), 1005);
}

TEST(File, WriteAtomicSetsModeAndReadsBack) {
  testing::TempDir dir;
  std::string path = dir.Sub("secret");
  ASSERT_TRUE(WriteFileAtomic(path, "hello", 0600).ok());
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(*ReadFile(path), "hello");
  EXPECT_EQ(ReadFile(dir.Sub("absent")).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ReadInput(path, 3).status().code(), absl::StatusCode::kOutOfRange);
}

TEST(Status, ExitCodes) {
  EXPECT_EQ(ExitCode(absl::OkStatus()), 0);
  EXPECT_EQ(ExitCode(absl::InvalidArgumentError("x")), 2);
  EXPECT_EQ(ExitCode(absl::AlreadyExistsError("x")), 2);
  EXPECT_EQ(ExitCode(absl::PermissionDeniedError("x")), 1);
  EXPECT_EQ(ExitCode(absl::FailedPreconditionError("x")), 1);
  EXPECT_EQ(ExitCode(absl::InternalError("x")), 1);
}

TEST(Strings, CatAcceptsEveryStringKind) {
  std::string_view sv = "b";
  EXPECT_EQ(StrCat("a", sv, std::string("c"), absl::string_view("d"), 42, size_t{7}), "abcd427");
  EXPECT_EQ(StrJoin(std::vector<std::string>{"x", "y"}, ", "), "x, y");
}

TEST(ProgressBar, DrawsOnlyWhenEnabled) {
  testing::TempDir dir;
  std::string path = dir.Sub("stderr");
  std::fflush(stderr);
  int saved = ::dup(2);
  FILE* f = std::fopen(path.c_str(), "w");
  ::dup2(::fileno(f), 2);
  {
    ProgressBar quiet("quiet", 10);  // stderr is a file here, not a terminal.
    quiet.Update(5);
    quiet.Finish();
    ProgressBar forced("validating", 10, /*force=*/true);
    forced.Update(5);
    forced.Finish();
  }
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  std::fclose(f);
  std::string out = *ReadFile(path);
  EXPECT_EQ(out.find("quiet"), std::string::npos);
  EXPECT_NE(out.find("validating ["), std::string::npos) << out;
  EXPECT_NE(out.find("10/10"), std::string::npos) << out;
}

}  // namespace
}  // namespace aisafe::util
