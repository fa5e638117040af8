// VoteJournal: what this replica said, on disk before it leaves the node. A restarted
// replica reads it back and never sends a vote that conflicts with one it already sent
// (the persistence PBFT needs for safety across crashes).
//
// File: records of [4-byte big-endian length][4-byte checksum = first bytes of SHA-256]
// [serialized v1::VoteRecord]. A torn last record (a crash mid-write) is cut off on
// open: it was never flushed, so it was never sent. Compaction rewrites the file to a
// temporary name and renames it over the old one.
// Thread safety: none; owned by the protocol thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "itc/status.hpp"
#include "itc/v1/consensus.pb.h"

namespace itc::pbft {

class VoteJournal {
 public:
  // Opens or creates the journal; the records already in it are put in `existing`.
  // With `sync`, flush() fdatasyncs.
  static Result<std::unique_ptr<VoteJournal>> open(const std::string& path, bool sync,
                                                   std::vector<v1::VoteRecord>* existing);
  ~VoteJournal();
  VoteJournal(const VoteJournal&) = delete;
  VoteJournal& operator=(const VoteJournal&) = delete;

  void append(const v1::VoteRecord& record);  // buffered until flush()
  bool has_unflushed() const { return !buffer_.empty(); }
  Status flush();
  // Replaces the journal with `keep` (durably).
  Status rewrite(const std::vector<v1::VoteRecord>& keep);
  std::uint64_t size_bytes() const { return size_; }

 private:
  VoteJournal(std::string path, int fd, bool sync, std::uint64_t size)
      : path_(std::move(path)), fd_(fd), sync_(sync), size_(size) {}
  static void encode(const v1::VoteRecord& record, std::string* out);

  std::string path_;
  int fd_ = -1;
  bool sync_;
  std::uint64_t size_;
  std::string buffer_;
};

// What a journal keeps after a stable checkpoint at `stable_seq`, in view `view`: an
// entered-view record for `view`, then the records of `live` that still bind a restarted
// replica — votes and prepared certificates above the checkpoint, and view-changes and
// new-views for `view` or later. (The replica puts the checkpoint's own record first.) Everything
// at or below the checkpoint is settled: 2f+1 replicas hold its blocks, and a view change starts
// above it.
std::vector<v1::VoteRecord> records_after_checkpoint(std::vector<v1::VoteRecord> live,
                                                     std::uint64_t stable_seq, std::uint64_t view);

}  // namespace itc::pbft
