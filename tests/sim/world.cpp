#include "world.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <random>

#include "network.hpp"
#include "sim_node.hpp"

namespace itc::sim {
namespace {

constexpr std::uint32_t kClients = 6;
constexpr auto kClientPeriod = std::chrono::milliseconds(40);

// Prints the replicas' log lines (info and above) when tracing; drops them otherwise.
class TraceLog final : public Logger {
 public:
  TraceLog(const EventQueue& events, bool on) : events_(events), on_(on) {}
  void log(LogLevel level, std::string_view m) override {
    if (!on_ || level < LogLevel::kInfo) return;
    std::printf("    %9.3fs %.*s\n", static_cast<double>(events_.now().count()) / 1e9,
                static_cast<int>(m.size()), m.data());
  }

 private:
  const EventQueue& events_;
  bool on_;
};

class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "itc-sim-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class Scenario {
 public:
  Scenario(const FaultPlan& plan, bool trace)
      : plan_(plan),
        chain_(ChainSetup::of(plan.validators)),
        rng_(plan.seed ^ 0x5157ull),
        log_(events_, trace),
        trace_(trace),
        checker_(chain_, plan),
        network_(events_, rng_, plan,
                 [this](std::uint32_t to, std::uint32_t from, std::string frame) {
                   nodes_[to]->deliver(from, frame);
                 }),
        nonces_(kClients, 0) {
    for (std::uint32_t s = 0; s < plan.slots(); ++s) {
      nodes_.push_back(std::make_unique<SimNode>(s, chain_, plan, dir_.path(), events_, network_,
                                                 checker_, rng_, log_));
    }
  }

  Outcome run() {
    for (auto& n : nodes_) n->start();
    for (std::size_t i : plan_.keep) {
      events_.at(plan_.events[i].at, [this, i] { apply(plan_.events[i]); });
    }
    events_.at(plan_.calm_at, [this] { calm(); });
    client();
    Outcome out;
    while (!events_.empty() && !checker_.violation() && !done_) {
      events_.run_next();
      ++out.events;
      if (calm_ && events_.now() > calm_deadline_) {
        checker_.fail("liveness", "no progress within " +
                                      std::to_string(kLivenessBound.count() / 1'000'000'000) +
                                      " s after the faults stopped: " + heights());
      }
    }
    if (done_ && !checker_.violation()) {
      for (std::uint32_t s = 0; s < plan_.slots(); ++s) {
        if (plan_.honest(s)) checker_.check_acknowledged(s, nodes_[s]->store().blocks());
      }
    }
    if (trace_) {
      for (std::uint32_t s = 0; s < plan_.slots(); ++s) {
        const auto st = nodes_[s]->stats();
        std::printf(
            "  slot %u: %s, view %llu%s, stored %llu, stable #%llu, %llu view changes, "
            "%llu rejected messages, %zu requests waiting\n",
            s, nodes_[s]->alive() ? "up" : "down", static_cast<unsigned long long>(st.view),
            st.in_view_change ? " (changing)" : "",
            static_cast<unsigned long long>(nodes_[s]->height()),
            static_cast<unsigned long long>(st.stable_seq),
            static_cast<unsigned long long>(st.view_changes),
            static_cast<unsigned long long>(st.rejected_messages), st.pending_requests);
      }
    }
    out.violation = checker_.violation();
    out.ended_at = events_.now();
    out.height = checker_.height();
    out.acknowledged = checker_.acknowledged_count();
    out.frames = network_.frames_sent();
    out.frames_dropped = network_.frames_dropped();
    out.frames_duplicated = network_.frames_duplicated();
    out.crashes = crashes_;
    for (auto& n : nodes_) out.view_changes += n->stats().view_changes;
    return out;
  }

 private:
  void apply(const FaultEvent& e) {
    if (trace_) std::printf("  %s\n", describe(e).c_str());
    switch (e.kind) {
      case FaultKind::kCrash:
        crashes_ += nodes_[e.slot]->alive() ? 1 : 0;
        nodes_[e.slot]->crash(e.torn);
        break;
      case FaultKind::kRestart:
        nodes_[e.slot]->start();
        break;
      case FaultKind::kPartition:
        network_.partition(e.groups);
        break;
      case FaultKind::kHeal:
        network_.heal();
        break;
      case FaultKind::kLinks:
        network_.set_links(e.loss, e.dup, e.max_delay);
        break;
      case FaultKind::kSkew:
        nodes_[e.slot]->set_skew(e.skew_us, e.drift);
        break;
      case FaultKind::kFlood:
        for (std::uint32_t i = 0; i < e.count; ++i) nodes_[e.slot]->submit(next_tx());
        break;
    }
  }

  // Faults stop: links calm, partitions heal, every slot runs. Clock skews stay.
  void calm() {
    if (trace_)
      std::printf("  t=%.3fs faults stop\n", static_cast<double>(events_.now().count()) / 1e9);
    network_.heal();
    network_.calm();
    for (auto& n : nodes_) n->start();
    calm_ = true;
    calm_deadline_ = events_.now() + kLivenessBound;
    target_ = checker_.height() + 2;
    watch();
  }

  void watch() {
    bool all = true;
    for (std::uint32_t s = 0; s < plan_.slots(); ++s) {
      if (plan_.honest(s) && nodes_[s]->height() < target_) all = false;
    }
    if (all) {
      done_ = true;
      return;
    }
    events_.after(std::chrono::milliseconds(10), [this] { watch(); });
  }

  v1::Transaction next_tx() {
    const auto client = static_cast<std::uint32_t>(rng_() % kClients);
    v1::Transaction tx;
    tx.set_sender("sim-client-" + std::to_string(client));
    tx.set_nonce(++nonces_[client]);
    tx.mutable_anchor()->set_data(std::to_string(rng_()));
    return tx;
  }

  // A client request every ~40 ms to a random slot (it may be down: the request is lost).
  void client() {
    nodes_[rng_() % nodes_.size()]->submit(next_tx());
    const auto jitter = SimTime(static_cast<std::int64_t>(rng_() % 20'000'000));
    events_.after(kClientPeriod + jitter, [this] { client(); });
  }

  std::string heights() const {
    std::string s = "heights";
    for (const auto& n : nodes_) s += " " + std::to_string(n->height());
    return s + ", target " + std::to_string(target_);
  }

  const FaultPlan& plan_;
  const ChainSetup& chain_;
  ScratchDir dir_;
  EventQueue events_;
  std::mt19937_64 rng_;
  TraceLog log_;
  bool trace_;
  Checker checker_;
  Network network_;
  std::vector<std::unique_ptr<SimNode>> nodes_;
  std::vector<std::uint64_t> nonces_;
  std::uint64_t crashes_ = 0;
  bool calm_ = false;
  bool done_ = false;
  SimTime calm_deadline_{0};
  std::uint64_t target_ = 0;
};

}  // namespace

Outcome run_scenario(const FaultPlan& plan, bool trace) { return Scenario(plan, trace).run(); }

}  // namespace itc::sim
