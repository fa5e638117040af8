// PendingJournal: the readings a stop could not get into a stored block (the store
// refused blocks, e.g. a full disk), saved in the ledger plugin's data dir (solo, pbft)
// and proposed first at the next start. The file is an itc.pending.PendingReadings message
// (pending_readings.proto), written atomically and fsynced (itc/file_io.hpp), so a crash
// while saving leaves the previous journal or the new one. The same encoding carries
// solo's hot-swap state.
//
// Thread safety: none; the plugin serialises its calls.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "itc/status.hpp"
#include "itc/v1/ledger.pb.h"

namespace itc::pending {

struct PendingBatch {
  std::vector<v1::Reading> readings;  // oldest first
  std::uint64_t journaled = 0;        // hot-swap state: leading readings also in the journal
  std::uint64_t head_height = 0;      // journal: the ledger height when it was saved
};

// Serializes `batch` as an itc.solo.PendingReadings message.
Result<std::string> encode_pending(const PendingBatch& batch);
// Parses bytes from outside (a journal file, a predecessor's state). InvalidArgument
// saying what is wrong (which reading) if they are not a PendingReadings message.
Result<PendingBatch> decode_pending(std::string_view bytes);

class PendingJournal {
 public:
  static constexpr std::string_view kFileName = "uncommitted-readings.pb";
  explicit PendingJournal(const std::string& data_dir);

  const std::string& path() const { return path_; }
  // The saved batch, or nullopt if there is no journal. A damaged file is refused with
  // Corruption naming it; it is left in place.
  Result<std::optional<PendingBatch>> load() const;
  // Replaces the journal with `batch`: durable when this returns Ok.
  Status save(const PendingBatch& batch) const;
  // Deletes the journal (once its readings are committed).
  Status remove() const;

 private:
  std::string path_;
};

}  // namespace itc::pending
