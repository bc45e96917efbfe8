#include "util/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "util/strings.h"

namespace aisafe::util {
namespace {

absl::Status Errno(std::string_view what, const std::string& path, int err) {
  std::string msg = StrCat(what, " ", path, ": ", std::strerror(err));
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(msg);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(msg);
    default:
      return absl::InternalError(msg);
  }
}

absl::StatusOr<std::string> ReadFd(int fd, const std::string& path, size_t limit) {
  std::string out;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot read", path, errno);
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > limit) {
      return absl::OutOfRangeError(StrCat(path, ": input is larger than the limit of ", limit, " bytes"));
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open", path, errno);
  auto result = ReadFd(fd, path, SIZE_MAX);
  ::close(fd);
  return result;
}

absl::StatusOr<std::string> ReadInput(const std::string& path, size_t limit) {
  if (path == "-") return ReadFd(STDIN_FILENO, "<stdin>", limit);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open", path, errno);
  auto result = ReadFd(fd, path, limit);
  ::close(fd);
  return result;
}

absl::Status SyncDirectory(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open directory", path, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return Errno("cannot fsync directory", path, err);
  return absl::OkStatus();
}

absl::Status WriteFileAtomic(const std::string& path, std::string_view data, mode_t mode) {
  std::string tmp = StrCat(path, ".tmp.", ::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Errno("cannot create", tmp, errno);
  // The umask may have narrowed `mode`; set it exactly before writing.
  if (::fchmod(fd, mode) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return Errno("cannot chmod", tmp, err);
  }
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return Errno("cannot write", tmp, err);
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return Errno("cannot fsync", tmp, err);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Errno("cannot rename to", path, err);
  }
  std::string dir = ".";
  if (auto slash = path.rfind('/'); slash != std::string::npos) dir = path.substr(0, slash + 1);
  return SyncDirectory(dir);
}

absl::Status EnsureDirectory(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      return absl::FailedPreconditionError(StrCat(path, " exists and is not a directory"));
    }
    return absl::OkStatus();
  }
  if (errno != ENOENT) return Errno("cannot stat", path, errno);
  if (::mkdir(path.c_str(), 0700) != 0) return Errno("cannot create directory", path, errno);
  return absl::OkStatus();
}

absl::Status ReplaceDirectory(const std::string& from, const std::string& to) {
  std::string old = util::StrCat(to, ".old");
  std::error_code ec;
  std::filesystem::remove_all(old, ec);
  if (std::filesystem::exists(to, ec)) {
    std::filesystem::rename(to, old, ec);
    if (ec) return absl::InternalError(util::StrCat(to, ": ", ec.message()));
  }
  std::filesystem::rename(from, to, ec);
  if (ec) return absl::InternalError(util::StrCat(from, ": ", ec.message()));
  std::filesystem::remove_all(old, ec);
  return absl::OkStatus();
}

}  // namespace aisafe::util
