// The admin API's bearer token: <data_dir>/admin.token, 64 hex characters, mode 0600.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "host/admin_server.hpp"
#include "host/admin_tokens.hpp"
#include "itc/file_io.hpp"

namespace itc::host {
namespace {

constexpr std::size_t kTokenBytes = 32;

bool is_token(std::string_view s) {
  if (s.size() != 2 * kTokenBytes) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

Result<std::string> read_token(const std::string& path) {
  auto content = read_file(path);
  if (!content.ok()) {
    return Status::Unavailable("cannot read admin token file: " + content.status().message());
  }
  std::string text = std::move(*content);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  if (!is_token(text)) {
    return Status::Corruption("admin token file " + path +
                              " does not hold 64 hex characters; delete it to get a new token");
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    // Readable by others: tighten it rather than refuse to start.
    if (::chmod(path.c_str(), 0600) == 0) {
      spdlog::warn("admin token file {} was accessible to other users; set its mode to 0600", path);
    }
  }
  return text;
}

Result<std::string> create_token(const std::string& path) {
  auto made = new_admin_token_text();
  if (!made.ok()) return made.status();
  std::string token = std::move(*made);
  // O_EXCL: if another process created it meanwhile, we fail and read theirs instead.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return read_token(path);
    return Status::Unavailable("cannot create admin token file " + path + ": " +
                               std::strerror(errno));
  }
  std::string line = token + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
            ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    return Status::Unavailable("cannot write admin token file " + path + ": " +
                               std::strerror(saved));
  }
  spdlog::info("created admin token file {}", path);
  return token;
}

}  // namespace

Result<std::string> load_or_create_admin_token(const std::string& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    return Status::Unavailable("cannot create data directory " + data_dir + ": " + ec.message());
  }
  const std::string path = (std::filesystem::path(data_dir) / "admin.token").string();
  if (std::filesystem::exists(path, ec)) return read_token(path);
  return create_token(path);
}

}  // namespace itc::host
