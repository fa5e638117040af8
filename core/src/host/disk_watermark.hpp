// DiskWatermark: the node's `disk:` watermarks (v1::DiskWatermarks) on the filesystem that
// holds its data dir. check() reads statvfs and moves between levels — ok, warn, refuse —
// logging each change once (a warning naming the data dir and its free bytes; "recovered"
// when space is back); refusal() is what the DiskSpace service answers. The host calls
// check() on its timer; metrics read the last check.
// Thread safety: all methods may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "itc/services/disk_space.hpp"
#include "itc/status.hpp"
#include "itc/v1/node.pb.h"

namespace itc::host {

class DiskWatermark final : public DiskSpace {
 public:
  enum class Level { kOk = 0, kWarn = 1, kRefuse = 2 };

  inline static constexpr std::uint32_t kDefaultWarnFreePercent = 15;
  inline static constexpr std::uint32_t kDefaultRefuseFreePercent = 5;
  inline static constexpr std::uint64_t kDefaultRefuseFreeMb = 256;
  inline static constexpr std::uint32_t kDefaultCheckIntervalMs = 5000;

  // `config` with defaults filled in (config_file.cpp); `log(level, message)` gets each
  // change of level (level 0 info, else warning).
  DiskWatermark(std::string data_dir, const v1::DiskWatermarks& config,
                std::function<void(Level, const std::string&)> log);

  // Reads the filesystem's free space now; returns the level.
  Level check();
  std::string refusal() const override;

  Level level() const { return level_.load(); }
  std::uint64_t free_bytes() const { return free_.load(); }
  std::uint64_t size_bytes() const { return size_.load(); }
  bool on() const { return !config_.disabled(); }

  // The free bytes below which each level starts, for a filesystem of `size` bytes.
  std::uint64_t warn_below(std::uint64_t size) const;
  std::uint64_t refuse_below(std::uint64_t size) const;

 private:
  std::string describe(std::uint64_t free, std::uint64_t size) const;

  const std::string data_dir_;
  const v1::DiskWatermarks config_;
  std::function<void(Level, const std::string&)> log_;
  std::atomic<Level> level_{Level::kOk};
  std::atomic<std::uint64_t> free_{0};
  std::atomic<std::uint64_t> size_{0};
  mutable std::mutex mu_;  // guards refusal_
  std::string refusal_;
};

// Fills in the defaults of the `disk:` section; InvalidArgument naming the field if a value
// is out of range.
Status normalize_disk_watermarks(v1::DiskWatermarks* config);

}  // namespace itc::host
