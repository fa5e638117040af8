#include "vote_journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "itc/crypto.hpp"
#include "itc/file_io.hpp"

namespace itc::pbft {
namespace {

constexpr std::size_t kHeader = 8;
constexpr std::size_t kMaxRecord = 64u << 20;

std::uint32_t get_be32(const char* p) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(p[0])) << 24) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(p[1])) << 16) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(p[2])) << 8) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(p[3]));
}

void put_be32(std::uint32_t v, std::string* out) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

Status write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Unavailable(path + ": write: " + std::strerror(errno));
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return Status::Ok();
}

}  // namespace

void VoteJournal::encode(const v1::VoteRecord& record, std::string* out) {
  std::string body = record.SerializeAsString();
  put_be32(static_cast<std::uint32_t>(body.size()), out);
  out->append(crypto::sha256(body).substr(0, 4));
  out->append(body);
}

Result<std::unique_ptr<VoteJournal>> VoteJournal::open(const std::string& path, bool sync,
                                                       std::vector<v1::VoteRecord>* existing) {
  std::string data;
  if (::access(path.c_str(), F_OK) == 0) {
    auto read = read_file(path, kMaxDataFileBytes);
    if (!read.ok()) return read.status();
    data = std::move(*read);
  }
  std::size_t good = 0;
  while (data.size() - good >= kHeader) {
    const std::uint32_t len = get_be32(data.data() + good);
    if (len > kMaxRecord || data.size() - good - kHeader < len) break;
    std::string_view body(data.data() + good + kHeader, len);
    if (crypto::sha256(body).substr(0, 4) != std::string_view(data.data() + good + 4, 4)) break;
    v1::VoteRecord record;
    if (!record.ParseFromArray(body.data(), static_cast<int>(body.size()))) break;
    existing->push_back(std::move(record));
    good += kHeader + len;
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Unavailable(path + ": open: " + std::strerror(errno));
  // Cut a torn tail so new records follow the last whole one.
  if (::ftruncate(fd, static_cast<off_t>(good)) != 0 ||
      ::lseek(fd, static_cast<off_t>(good), SEEK_SET) < 0) {
    ::close(fd);
    return Status::Unavailable(path + ": truncate: " + std::strerror(errno));
  }
  return std::unique_ptr<VoteJournal>(new VoteJournal(path, fd, sync, good));
}

VoteJournal::~VoteJournal() {
  if (fd_ >= 0) ::close(fd_);
}

void VoteJournal::append(const v1::VoteRecord& record) { encode(record, &buffer_); }

Status VoteJournal::flush() {
  if (buffer_.empty()) return Status::Ok();
  ITC_RETURN_IF_ERROR(write_all(fd_, buffer_, path_));
  size_ += buffer_.size();
  buffer_.clear();
  if (sync_ && ::fdatasync(fd_) != 0) {
    return Status::Unavailable(path_ + ": fdatasync: " + std::strerror(errno));
  }
  return Status::Ok();
}

Status VoteJournal::rewrite(const std::vector<v1::VoteRecord>& keep) {
  std::string data;
  for (const auto& r : keep) encode(r, &data);
  ITC_RETURN_IF_ERROR(write_file_atomically(path_, data, 0600));
  int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) return Status::Unavailable(path_ + ": reopen: " + std::strerror(errno));
  ::close(fd_);
  fd_ = fd;
  size_ = data.size();
  return Status::Ok();
}

std::vector<v1::VoteRecord> records_after_checkpoint(std::vector<v1::VoteRecord> live,
                                                     std::uint64_t stable_seq, std::uint64_t view) {
  std::vector<v1::VoteRecord> keep;
  v1::VoteRecord entered;
  entered.set_entered_view(view);
  keep.push_back(entered);
  for (auto& r : live) {
    std::uint64_t rseq = 0;
    if (r.has_prepared()) {
      v1::ConsensusMessage m;
      if (m.ParseFromString(r.prepared().pre_prepare().payload())) rseq = m.pre_prepare().seq();
    } else if (r.has_sent()) {
      v1::ConsensusMessage m;
      if (!m.ParseFromString(r.sent().payload())) continue;
      if (m.has_pre_prepare())
        rseq = m.pre_prepare().seq();
      else if (m.has_prepare())
        rseq = m.prepare().seq();
      else if (m.has_commit())
        rseq = m.commit().seq();
      else if (m.has_view_change())
        rseq = m.view_change().new_view() >= view ? stable_seq + 1 : 0;
      else if (m.has_new_view())
        rseq = m.new_view().view() >= view ? stable_seq + 1 : 0;
    }
    if (rseq > stable_seq) keep.push_back(std::move(r));
  }
  return keep;
}

}  // namespace itc::pbft
