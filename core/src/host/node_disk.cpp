// The node's disk watermarks (disk_watermark.hpp): the check on the host's timer and the
// metrics itc_disk_free_bytes, itc_disk_size_bytes and itc_disk_watermark{level}.
#include <chrono>

#include "host/node_impl.hpp"

namespace itc::host {

void Node::Impl::start_disk_timer() {
  if (!disk->on()) return;
  (void)disk->check();  // the first answer before any plugin takes work
  DiskWatermark* watch = disk.get();
  metrics.add_collector(
      "itc_disk_free_bytes", "Bytes free on the filesystem of the data dir (for the node's user)",
      "gauge", [watch] {
        return std::vector<MetricsRegistry::Sample>{{"", static_cast<double>(watch->free_bytes())}};
      });
  metrics.add_collector(
      "itc_disk_size_bytes", "Size of the filesystem of the data dir", "gauge", [watch] {
        return std::vector<MetricsRegistry::Sample>{{"", static_cast<double>(watch->size_bytes())}};
      });
  metrics.add_collector(
      "itc_disk_watermark",
      "1 while the data dir's free space is below the level's watermark (node.disk): warn "
      "logs, refuse refuses new work",
      "gauge", [watch] {
        const auto level = watch->level();
        return std::vector<MetricsRegistry::Sample>{
            {MetricsRegistry::label("level", "warn"),
             level != DiskWatermark::Level::kOk ? 1.0 : 0.0},
            {MetricsRegistry::label("level", "refuse"),
             level == DiskWatermark::Level::kRefuse ? 1.0 : 0.0}};
      });
  if (host_timers == 0) host_timers = scheduler->new_owner();
  const std::chrono::milliseconds period(file.node.disk().check_interval_ms());
  scheduler->schedule(host_timers, period, period, [watch] { (void)watch->check(); });
}

}  // namespace itc::host
