// The solo plugin: single-node ordering for development, like Fabric's "solo" orderer.
// Readings from topics::kReadings are cut into blocks every block_interval_ms, or as soon
// as max_block_readings are pending, and appended to the itc.ledger-store.v2 service.
//
// While the store refuses blocks (a full disk) at most max_pending_readings wait; then
// the readings handler waits, which makes the bus hold back the sources. A stop that
// cannot commit what waits saves it to the journal (pending_journal.hpp), committed
// first at the next start; if that fails too, drain() says how many readings are lost.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "block_cutter.hpp"
#include "itc/abi.hpp"
#include "itc/bus.hpp"
#include "itc/services/node_lifecycle.hpp"
#include "itc/typed_plugin.hpp"
#include "pending_journal.hpp"
#include "solo_config.pb.h"

namespace itc::solo {
namespace {

using pending::decode_pending;
using pending::encode_pending;
using pending::PendingBatch;
using pending::PendingJournal;

constexpr std::uint32_t kDefaultIntervalMs = 200;
constexpr std::uint32_t kDefaultMaxBlockReadings = 10000;
constexpr std::uint32_t kDefaultMaxPendingReadings = 200000;
constexpr StateEnvelope kState{"itc.solo.PendingReadings", 1};

struct Settings {
  std::uint32_t block_interval_ms = kDefaultIntervalMs;
  std::uint32_t max_block_readings = kDefaultMaxBlockReadings;
  std::uint32_t max_pending_readings = kDefaultMaxPendingReadings;
};

Result<Settings> parse_settings(const Config& config) {
  Settings s;
  if (config.has_block_interval_ms()) s.block_interval_ms = config.block_interval_ms();
  if (config.has_max_block_readings()) s.max_block_readings = config.max_block_readings();
  if (config.has_max_pending_readings()) s.max_pending_readings = config.max_pending_readings();
  // The value ranges are the proto's (itc.v1.range): the host checked them already.
  if (s.max_pending_readings < s.max_block_readings) {
    return Status::InvalidArgument("max_pending_readings: must be at least max_block_readings (" +
                                   std::to_string(s.max_block_readings) + "), got " +
                                   std::to_string(s.max_pending_readings));
  }
  return s;
}

// The hot-swap state is the journal's encoding (pending_journal.hpp).
struct PendingCodec {
  static Result<std::string> encode(const PendingBatch& batch) { return encode_pending(batch); }
  static Result<PendingBatch> decode(std::string_view bytes) { return decode_pending(bytes); }
};

class SoloPlugin final : public TypedPlugin<Config, PendingBatch, PendingCodec> {
 public:
  SoloPlugin() : TypedPlugin(kState) {}

  Status check_config(const Config& config) const override {
    auto parsed = parse_settings(config);
    return parsed.ok() ? Status::Ok() : parsed.status();
  }

  Status configure(HostEnv& env, const Config& config) override {
    auto settings = parse_settings(config);
    if (!settings.ok()) return settings.status();
    env_ = &env;
    settings_ = *settings;
    cutter_ = std::make_unique<BlockCutter>(env, settings_.max_block_readings);
    journal_ = std::make_unique<PendingJournal>(env.data_dir());
    lifecycle_ = env.services().find<NodeLifecycle>();
    held_back_ = &env.metrics().counter(
        "readings_held_back", "Readings that found the backlog full: their source waited");
    backlog_full_ = &env.metrics().gauge(
        "backlog_full", "1 while max_pending_readings wait and the sources are held back");
    env.metrics()
        .gauge("max_pending_readings", "The backlog's bound (config)")
        .set(static_cast<double>(settings_.max_pending_readings));
    // Readings that arrive before start() are buffered, not lost.
    return env.bus().subscribe<v1::Reading>(topics::kReadings,
                                            [this](const v1::Reading& r) { on_reading(r); });
  }

  Status start() noexcept override {
    try {
      auto* store = env_->services().find<LedgerStore>();
      ITC_RETURN_IF_ERROR(cutter_->resume(store));
      if (!backlog_adopted_) ITC_RETURN_IF_ERROR(reload_journal(*store));
      backlog_adopted_ = true;  // a restart after a failed swap must not load it twice
      running_ = true;
      timer_ = env_->timers().schedule_every(std::chrono::milliseconds(settings_.block_interval_ms),
                                             [this] { on_interval(); });
      env_->log().info("solo: ordering on top of height " + std::to_string(cutter_->head_height()) +
                       ", a block every " + std::to_string(settings_.block_interval_ms) +
                       " ms or " + std::to_string(settings_.max_block_readings) +
                       " readings; at most " + std::to_string(settings_.max_pending_readings) +
                       " wait");
      if (cutter_->pending() > 0) backing_off_ = !cutter_->cut_all().ok();
      after_cut();
      return Status::Ok();
    } catch (const std::exception& e) {
      return Status::Internal(std::string("solo: start: ") + e.what());
    }
  }

  // Stops the timer and cuts a final block with whatever is pending. What the store
  // refuses is handed to the successor (hot swap: export_state), or, when the node stops,
  // saved to the journal; if that fails too, the readings are lost and the error says so.
  Status drain() noexcept override {
    try {
      running_ = false;
      cancel_timer();
      cutter_->wake();
      Status s = cutter_->cut_all();
      retire_journal_if_committed();
      if (s.ok()) return Status::Ok();
      const std::string n = std::to_string(cutter_->pending());
      if (!stopping()) {
        return Status::Unavailable("solo: " + n +
                                   " readings could not be committed while draining (" +
                                   s.message() + "); they are kept and exported as state");
      }
      std::lock_guard lock(journal_mu_);
      Status saved = journal_->save({cutter_->pending_copy(), 0, cutter_->head_height()});
      if (!saved.ok()) {
        return Status::Aborted(
            "solo: " + n + " readings are lost: the store did not commit them (" + s.message() +
            ") and saving them to " + journal_->path() + " failed (" + saved.message() + ")");
      }
      journal_retire_at_ = cutter_->readings_committed() + cutter_->pending();
      journal_live_ = true;
      env_->log().warn("solo: " + n + " readings could not be committed (" + s.message() +
                       "); saved to " + journal_->path() +
                       ", committed first at the next start: nothing is lost");
      return Status::Ok();
    } catch (const std::exception& e) {
      return Status::Internal(std::string("solo: drain: ") + e.what());
    }
  }

  Status save_state(PendingBatch* batch) override {
    batch->readings = cutter_->pending_copy();
    std::lock_guard lock(journal_mu_);
    const std::uint64_t committed = cutter_->readings_committed();
    if (journal_live_ && journal_retire_at_ > committed) {
      batch->journaled =
          std::min<std::uint64_t>(batch->readings.size(), journal_retire_at_ - committed);
    }
    return Status::Ok();
  }

  Status restore_state(PendingBatch batch) override {
    backlog_adopted_ = true;
    if (batch.journaled > 0) {  // the journal still holds them: retire it once committed
      std::lock_guard lock(journal_mu_);
      journal_retire_at_ = cutter_->readings_committed() + batch.journaled;
      journal_live_ = true;
    }
    cutter_->add_front(std::move(batch.readings));
    return Status::Ok();
  }

  void stop() noexcept override {
    running_ = false;
    cancel_timer();
    if (cutter_) cutter_->wake();
    if (cutter_) cutter_->detach();
  }

 private:
  void on_reading(const v1::Reading& reading) {
    hold_back_while_full();
    const std::size_t pending = cutter_->add(reading);
    // A refused block is logged by the cutter; then only the interval retries, so a
    // failing store is not hammered once per reading.
    if (running_ && !backing_off_ && pending >= settings_.max_block_readings) {
      backing_off_ = !cutter_->cut_full_blocks().ok();
      after_cut();
    }
  }

  void on_interval() {
    if (!running_) return;
    backing_off_ = !cutter_->cut_interval().ok();
    after_cut();
  }

  // Back-pressure: this handler runs on solo's bus delivery thread, so while it waits
  // solo's queue fills and the bus makes the publishers upstream wait, up to the sources.
  // A stopping node is never held back: what is in flight must reach drain(). Nor is a
  // hot swap: the host waits for this handler before it holds solo's messages.
  void hold_back_while_full() {
    const auto limit = settings_.max_pending_readings;
    // waiting(), not pending(): a block being appended still counts, or the readings
    // added meanwhile would overshoot the bound when a refused block comes back.
    if (cutter_->waiting() < limit || stopping()) return;
    held_back_->add();
    if (!backlog_full_flag_.exchange(true)) {
      backlog_full_->set(1);
      env_->log().warn("solo: the backlog is full (" + std::to_string(cutter_->pending()) +
                       " readings wait, max_pending_readings " + std::to_string(limit) +
                       "): the sources are held back until the store commits blocks again");
    }
    const std::uint64_t since = interruptions();
    cutter_->wait_for_room(limit, [&] { return stopping() || interruptions() != since; });
  }

  void after_cut() {
    retire_journal_if_committed();
    if (!backing_off_ && cutter_->waiting() < settings_.max_pending_readings &&
        backlog_full_flag_.exchange(false)) {
      backlog_full_->set(0);
      env_->log().info("solo: the backlog has room again (" + std::to_string(cutter_->pending()) +
                       " readings wait): the sources resume; " +
                       std::to_string(held_back_->value()) + " readings were held back so far");
    }
  }

  bool stopping() const { return lifecycle_ != nullptr && lifecycle_->stopping(); }
  std::uint64_t interruptions() const {
    return lifecycle_ != nullptr ? lifecycle_->interruptions() : 0;
  }

  // Puts the readings a previous stop saved in front of the backlog. Those already in
  // blocks above the saved height (a crash before the file was removed) are skipped.
  Status reload_journal(LedgerStore& store) {
    auto loaded = journal_->load();
    if (!loaded.ok()) return loaded.status().WithContext("solo: journal");
    if (!loaded->has_value()) return Status::Ok();
    PendingBatch& batch = **loaded;
    std::size_t done = 0;
    for (std::uint64_t h = batch.head_height + 1; h <= cutter_->head_height(); ++h) {
      auto block = store.block(h);
      if (!block.ok())
        return block.status().WithContext("solo: reading block " + std::to_string(h));
      done += static_cast<std::size_t>(block->readings_size());
    }
    done = std::min(done, batch.readings.size());
    batch.readings.erase(batch.readings.begin(),
                         batch.readings.begin() + static_cast<std::ptrdiff_t>(done));
    env_->log().info("solo: " + std::to_string(batch.readings.size()) +
                     " readings saved by the last stop are committed first (from " +
                     journal_->path() +
                     (done ? ", " + std::to_string(done) + " already were" : "") + ")");
    std::lock_guard lock(journal_mu_);
    journal_retire_at_ = cutter_->readings_committed() + batch.readings.size();
    journal_live_ = true;
    cutter_->add_front(std::move(batch.readings));
    return Status::Ok();
  }

  // Removes the journal once every reading in it is in a committed block.
  void retire_journal_if_committed() {
    std::lock_guard lock(journal_mu_);
    if (!journal_live_ || cutter_->readings_committed() < journal_retire_at_) return;
    journal_live_ = false;
    if (Status s = journal_->remove(); !s.ok()) {
      env_->log().error("solo: " + s.message());
      return;
    }
    env_->log().info("solo: the readings saved by the last stop are committed; " +
                     journal_->path() + " removed");
  }

  void cancel_timer() {
    if (timer_) env_->timers().cancel(*timer_);
    timer_.reset();
  }

  HostEnv* env_ = nullptr;
  Settings settings_;
  std::unique_ptr<BlockCutter> cutter_;
  std::unique_ptr<PendingJournal> journal_;
  NodeLifecycle* lifecycle_ = nullptr;  // host-provided; null in a bare test environment
  Counter* held_back_ = nullptr;
  Gauge* backlog_full_ = nullptr;
  std::atomic<bool> backlog_full_flag_{false};
  bool backlog_adopted_ = false;         // the journal was loaded, or a predecessor's state adopted
  std::mutex journal_mu_;                // guards the two below
  bool journal_live_ = false;            // the journal file holds readings not yet committed
  std::uint64_t journal_retire_at_ = 0;  // readings_committed() when all of them are
  std::atomic<bool> running_{false};
  std::atomic<bool> backing_off_{false};  // the last cut failed: retry on the interval
  std::optional<TimerId> timer_;
};

}  // namespace
}  // namespace itc::solo

ITC_PLUGIN(itc::solo::SoloPlugin, "solo", "1.0.0", "cyber", "itc.solo.Config", "",
           "itc.ledger-store.v2")
