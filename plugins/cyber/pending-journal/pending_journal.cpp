#include "pending_journal.hpp"

#include <filesystem>

#include "itc/file_io.hpp"
#include "pending_readings.pb.h"

namespace itc::pending {

Result<std::string> encode_pending(const PendingBatch& batch) {
  PendingReadings msg;
  msg.set_journaled(batch.journaled);
  msg.set_head_height(batch.head_height);
  for (const auto& r : batch.readings) {
    if (!r.SerializeToString(msg.add_readings())) {
      return Status::Internal("a pending reading cannot be serialized");
    }
  }
  std::string out;
  if (!msg.SerializeToString(&out))
    return Status::Internal("pending readings cannot be serialized");
  return out;
}

Result<PendingBatch> decode_pending(std::string_view bytes) {
  PendingReadings msg;
  if (!msg.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::InvalidArgument("not a valid itc.pending.PendingReadings message (" +
                                   std::to_string(bytes.size()) + " bytes)");
  }
  PendingBatch batch;
  batch.journaled = msg.journaled();
  batch.head_height = msg.head_height();
  batch.readings.resize(static_cast<std::size_t>(msg.readings_size()));
  for (int i = 0; i < msg.readings_size(); ++i) {
    if (!batch.readings[static_cast<std::size_t>(i)].ParseFromString(msg.readings(i))) {
      return Status::InvalidArgument("pending reading " + std::to_string(i) +
                                     " is not a valid itc.v1.Reading");
    }
  }
  if (batch.journaled > batch.readings.size()) {
    return Status::InvalidArgument("journaled is " + std::to_string(batch.journaled) +
                                   " but there are only " + std::to_string(batch.readings.size()) +
                                   " readings");
  }
  return batch;
}

PendingJournal::PendingJournal(const std::string& data_dir)
    : path_((std::filesystem::path(data_dir) / kFileName).string()) {}

Result<std::optional<PendingBatch>> PendingJournal::load() const {
  std::error_code ec;
  if (!std::filesystem::exists(path_, ec)) return std::optional<PendingBatch>();
  auto bytes = read_file(path_, kMaxDataFileBytes);  // a full backlog is far over 4 MiB
  if (!bytes.ok()) return bytes.status();
  auto batch = decode_pending(*bytes);
  if (!batch.ok()) {
    return Status::Corruption(path_ + ": " + batch.status().message() +
                              "; the file is kept: move it aside to start without its readings");
  }
  return std::optional<PendingBatch>(std::move(*batch));
}

Status PendingJournal::save(const PendingBatch& batch) const {
  auto bytes = encode_pending(batch);
  if (!bytes.ok()) return bytes.status();
  return write_file_atomically(path_, *bytes, 0600);
}

Status PendingJournal::remove() const {
  std::error_code ec;
  std::filesystem::remove(path_, ec);
  if (ec) return Status::Internal("cannot remove " + path_ + ": " + ec.message());
  return Status::Ok();
}

}  // namespace itc::pending
