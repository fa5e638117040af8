#include "host/disk_watermark.hpp"

#include <sys/statvfs.h>

#include <algorithm>
#include <utility>

namespace itc::host {
namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;

std::string percent(std::uint64_t part, std::uint64_t whole) {
  if (whole == 0) return "?%";
  const std::uint64_t tenths = part * 1000 / whole;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + "%";
}

}  // namespace

Status normalize_disk_watermarks(v1::DiskWatermarks* config) {
  if (config->warn_free_percent() == 0) {
    config->set_warn_free_percent(DiskWatermark::kDefaultWarnFreePercent);
  }
  if (config->refuse_free_percent() == 0) {
    config->set_refuse_free_percent(DiskWatermark::kDefaultRefuseFreePercent);
  }
  if (config->refuse_free_mb() == 0)
    config->set_refuse_free_mb(DiskWatermark::kDefaultRefuseFreeMb);
  if (config->check_interval_ms() == 0) {
    config->set_check_interval_ms(DiskWatermark::kDefaultCheckIntervalMs);
  }
  if (config->warn_free_percent() > 99) {
    return Status::InvalidArgument(
        "disk.warn_free_percent: " + std::to_string(config->warn_free_percent()) +
        " is not a percentage below 100");
  }
  if (config->refuse_free_percent() > config->warn_free_percent()) {
    return Status::InvalidArgument(
        "disk.refuse_free_percent: " + std::to_string(config->refuse_free_percent()) +
        " is above warn_free_percent (" + std::to_string(config->warn_free_percent()) +
        "): the node would refuse work before it warns");
  }
  if (config->refuse_free_mb() > (std::uint64_t{1} << 30)) {
    return Status::InvalidArgument(
        "disk.refuse_free_mb: " + std::to_string(config->refuse_free_mb()) + " is more than 1 PiB");
  }
  if (config->check_interval_ms() < 100 || config->check_interval_ms() > 3'600'000) {
    return Status::InvalidArgument(
        "disk.check_interval_ms: " + std::to_string(config->check_interval_ms()) +
        " is outside 100..3600000");
  }
  return Status::Ok();
}

DiskWatermark::DiskWatermark(std::string data_dir, const v1::DiskWatermarks& config,
                             std::function<void(Level, const std::string&)> log)
    : data_dir_(std::move(data_dir)), config_(config), log_(std::move(log)) {}

std::uint64_t DiskWatermark::warn_below(std::uint64_t size) const {
  return std::max(size / 100 * config_.warn_free_percent(), refuse_below(size));
}

std::uint64_t DiskWatermark::refuse_below(std::uint64_t size) const {
  return std::max(size / 100 * config_.refuse_free_percent(), config_.refuse_free_mb() * kMiB);
}

std::string DiskWatermark::describe(std::uint64_t free, std::uint64_t size) const {
  return "data dir " + data_dir_ + " has " + std::to_string(free) + " bytes free (" +
         percent(free, size) + " of " + std::to_string(size) + ")";
}

DiskWatermark::Level DiskWatermark::check() {
  if (config_.disabled()) return Level::kOk;
  struct statvfs fs {};
  if (::statvfs(data_dir_.c_str(), &fs) != 0) {
    // Unknown free space: keep the last level rather than guess.
    return level_.load();
  }
  // Free for an unprivileged writer (f_bavail), as the plugins' files see it.
  const std::uint64_t free = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
  const std::uint64_t size = static_cast<std::uint64_t>(fs.f_blocks) * fs.f_frsize;
  free_.store(free);
  size_.store(size);
  const Level now = free < refuse_below(size) ? Level::kRefuse
                    : free < warn_below(size) ? Level::kWarn
                                              : Level::kOk;
  {
    std::lock_guard lock(mu_);
    refusal_ = now == Level::kRefuse ? describe(free, size) + ", below the refuse watermark of " +
                                           std::to_string(refuse_below(size)) + " bytes (node.disk)"
                                     : std::string();
  }
  const Level before = level_.exchange(now);
  if (now == before) return now;
  if (now == Level::kRefuse) {
    log_(now, "disk: refusing new work: " + refusal() +
                  "; free space (retention, a bigger disk) and it resumes on its own");
  } else if (now == Level::kWarn) {
    log_(now, "disk: " + describe(free, size) + ", below the warn watermark of " +
                  std::to_string(warn_below(size)) + " bytes (node.disk)" +
                  (before == Level::kRefuse ? "; taking new work again" : ""));
  } else {
    log_(now, "disk: " + describe(free, size) + "; back above the watermarks" +
                  (before == Level::kRefuse ? ", taking new work again" : ""));
  }
  return now;
}

std::string DiskWatermark::refusal() const {
  std::lock_guard lock(mu_);
  return refusal_;
}

}  // namespace itc::host
