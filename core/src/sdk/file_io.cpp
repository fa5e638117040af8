#include "itc/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace itc {

namespace {

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

struct FdCloser {
  int fd;
  ~FdCloser() { ::close(fd); }
};

std::string too_large(const std::string& path, std::size_t max_bytes) {
  return path + " is larger than " + std::to_string(max_bytes) + " bytes; refusing to read it";
}

// Opens `path` for reading if it is a regular file of at most `max_bytes` (by its size
// now); the descriptor, or why not.
Result<int> open_regular(const std::string& path, std::size_t max_bytes) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return Status::NotFound("cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  Status refused = Status::Ok();
  if (::fstat(fd, &st) != 0) {
    refused = Status::Internal("cannot stat " + path + ": " + std::strerror(errno));
  } else if (!S_ISREG(st.st_mode)) {
    refused = Status::InvalidArgument(path + " is " + kind_of(st.st_mode) + ", not a regular file");
  } else if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    refused = Status::InvalidArgument(too_large(path, max_bytes));
  }
  if (!refused.ok()) {
    ::close(fd);
    return refused;
  }
  return fd;
}

}  // namespace

Result<std::string> read_file(const std::string& path, std::size_t max_bytes) {
  auto fd = open_regular(path, max_bytes);
  if (!fd.ok()) return fd.status();
  FdCloser closer{*fd};
  // The size is a hint (/proc files say 0, a file may grow): read to the cap, plus one byte.
  std::string data(4096, '\0');
  std::size_t done = 0;
  for (;;) {
    if (done == data.size()) {
      if (data.size() > max_bytes) return Status::InvalidArgument(too_large(path, max_bytes));
      data.resize(std::min(max_bytes + 1, data.size() * 2));
    }
    const ssize_t n = ::read(*fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::Internal("cannot read " + path + ": " + std::strerror(errno));
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  if (done > max_bytes) return Status::InvalidArgument(too_large(path, max_bytes));
  data.resize(done);
  return data;
}

Status check_readable_file(const std::string& path, std::size_t max_bytes) {
  auto fd = open_regular(path, max_bytes);
  if (!fd.ok()) return fd.status();
  ::close(*fd);
  return Status::Ok();
}

Status write_file_atomically(const std::string& path, std::string_view data, mode_t mode) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Status::Internal("cannot create " + tmp + ": " + std::strerror(errno));
  ::fchmod(fd, mode);  // in case the file existed with a wider mode
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string err = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return Status::Internal("cannot write " + tmp + ": " + err);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    std::string err = std::strerror(errno);
    ::unlink(tmp.c_str());
    return Status::Internal("cannot flush " + tmp + ": " + err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string err = std::strerror(errno);
    ::unlink(tmp.c_str());
    return Status::Internal("cannot rename " + tmp + " to " + path + ": " + err);
  }
  // The rename itself is durable once the directory is.
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  if (int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    const int synced = ::fsync(dfd);
    const std::string err = synced != 0 ? std::strerror(errno) : "";
    ::close(dfd);
    if (synced != 0) return Status::Internal("cannot flush directory " + dir + ": " + err);
  }
  return Status::Ok();
}

}  // namespace itc
