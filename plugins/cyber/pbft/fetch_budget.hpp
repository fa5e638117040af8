// FetchBudget: how much state transfer one peer may make this validator serve. A
// Byzantine validator can replay one signed FetchBlocks as often as it likes, and every
// copy would cost store reads, a signature and the bytes of up to 64 blocks. So a copy
// of a request served to the same peer within `duplicate_window` is ignored, and each
// peer draws blocks and bytes from its own bucket, refilled at a steady rate up to one
// second's worth. An honest replica catching up asks for the next range once it applied
// the last one (and re-sends only after a second without an answer), far within this.
// Thread safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

#include "itc/host_env.hpp"

namespace itc::pbft {

struct FetchLimits {
  std::chrono::milliseconds duplicate_window{500};  // Default: 500 ms
  double blocks_per_second = 2048;                  // Default: 2048 blocks per peer
  double bytes_per_second = 32.0 * 1024 * 1024;     // Default: 32 MiB per peer
};

class FetchBudget {
 public:
  enum class Verdict { kServe, kDuplicate, kOverBudget };

  FetchBudget(std::size_t peers, FetchLimits limits, const Clock& clock);

  // Whether `peer`'s request for heights from..to may be served now. kServe remembers
  // the request as served (its copies are duplicates for the window).
  Verdict admit(std::uint32_t peer, std::uint64_t from, std::uint64_t to);
  // Charges one block of `bytes` served to `peer`. False once the peer's budget is
  // spent: stop there (the block that overdrew it still goes out, so a block larger
  // than a second's bytes can be served at all).
  bool charge(std::uint32_t peer, std::size_t bytes);

 private:
  struct Served {
    std::uint64_t from = 0;
    std::uint64_t to = 0;
    std::chrono::nanoseconds at{0};
  };
  struct Bucket {
    double blocks = 0;
    double bytes = 0;
    std::chrono::nanoseconds refilled{0};
    std::deque<Served> recent;  // requests served within the window, oldest first
  };
  void refill(Bucket& b, std::chrono::nanoseconds now) const;

  const FetchLimits limits_;
  const Clock& clock_;
  std::mutex mu_;
  std::vector<Bucket> buckets_;
};

}  // namespace itc::pbft
