// Shared output helpers of the itc CLI.
#include <fcntl.h>
#include <google/protobuf/util/json_util.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "cli.hpp"

namespace itc::cli {

Status parse_message(const std::string& json, const std::string& source,
                     google::protobuf::Message* msg) {
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = false;
  auto st = google::protobuf::util::JsonStringToMessage(json, msg, opts);
  if (!st.ok()) {
    return Status::InvalidArgument(source + ": not a " + msg->GetDescriptor()->name() +
                                   " JSON: " + std::string(st.message()));
  }
  return Status::Ok();
}

int fail(const Status& status) {
  std::cerr << "itc: " << status.message() << "\n";
  return kExitFailed;
}

Status write_output(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::cout << text;
    std::cout.flush();
    return std::cout ? Status::Ok() : Status::Internal("cannot write to stdout");
  }
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Internal("cannot create " + tmp + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  bool ok = done == text.size() && ::fsync(fd) == 0;
  std::string err = std::strerror(errno);
  if (::close(fd) != 0) ok = false;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    if (ok) err = std::strerror(errno);
    ::unlink(tmp.c_str());
    return Status::Internal("cannot write " + path + ": " + err);
  }
  return Status::Ok();
}

}  // namespace itc::cli
