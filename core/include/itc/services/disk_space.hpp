// DiskSpace: whether the node may take new work, judged by the free space of the
// filesystem that holds its data directory (the node's `disk:` watermarks). Provided by the
// host itself, so it is always there:
//   auto* disk = env.services().find<itc::DiskSpace>();
// A plugin that takes in new work (readings, transactions) asks refusal() first and, when
// it is not empty, refuses the work with that reason (counted, not silently) rather than
// take what the node may not be able to store. Work already taken is still committed.
// Thread safety: refusal() may be called from any thread; it reads the last check.
#pragma once

#include <string>
#include <string_view>

namespace itc {

class DiskSpace {
 public:
  static constexpr std::string_view kServiceName = "itc.disk-space.v1";
  virtual ~DiskSpace() = default;

  // Empty while new work is taken; otherwise why not, e.g. "data dir /var/lib/itc has
  // 12582912 bytes free (1.2%), below the refuse watermark of 268435456 bytes".
  virtual std::string refusal() const = 0;
};

}  // namespace itc
