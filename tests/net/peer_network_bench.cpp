// peer_network_bench: what one PeerNetwork link between two nodes on loopback carries —
// TLS 1.3, Ed25519-authenticated, both nodes in this process — as frames/s and MB/s of
// payload for 200-byte and 16 KiB frames (saturated, the sender keeping at most 16 MiB
// queued), and the one-way latency of 200-byte frames at a paced rate.
// Prints medians of repeated runs; not a test (timing on a shared machine proves nothing).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

#include "net_fixture.hpp"

using namespace itc;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr std::uint64_t kInFlightBytes = 16u << 20;

// Receives frames, counting them; for latency frames, records send-to-delivery time.
struct Receiver {
  std::atomic<std::uint64_t> frames{0};
  std::mutex mu;
  std::condition_variable done_cv;
  std::uint64_t expected = 0;
  SteadyClock::time_point last_arrival;
  std::vector<double> latencies_us;
  bool record_latency = false;

  net::PeerNetwork::FrameHandler handler() {
    return [this](std::uint32_t, std::string frame) {
      SteadyClock::time_point now = SteadyClock::now();
      if (record_latency) {
        std::int64_t sent_ns = 0;
        std::memcpy(&sent_ns, frame.data(), sizeof sent_ns);
        latencies_us.push_back(static_cast<double>(now.time_since_epoch().count() - sent_ns) /
                               1000.0);
      }
      if (frames.fetch_add(1) + 1 == expected) {
        std::lock_guard lock(mu);
        last_arrival = now;
        done_cv.notify_all();
      }
    };
  }
  void wait_all() {
    std::unique_lock lock(mu);
    done_cv.wait(lock, [&] { return frames.load() >= expected; });
  }
};

class StderrLog : public Logger {
 public:
  void log(LogLevel level, std::string_view m) override {
    if (level >= LogLevel::kError) std::fprintf(stderr, "  [log] %.*s\n", int(m.size()), m.data());
  }
};

struct Pair {
  StderrLog log;
  Receiver receiver;
  test::Inbox unused;
  std::unique_ptr<net::PeerNetwork> sender_net;
  std::unique_ptr<net::PeerNetwork> receiver_net;

  Pair() {
    test::ValidatorSet set(2);
    auto rn = net::PeerNetwork::start(set.options(1), receiver.handler(), log);
    auto sn = net::PeerNetwork::start(set.options(0), unused.handler(), log);
    if (!rn.ok() || !sn.ok()) {
      std::fprintf(stderr, "start failed: %s %s\n", rn.status().ToString().c_str(),
                   sn.status().ToString().c_str());
      std::exit(1);
    }
    receiver_net = std::move(*rn);
    sender_net = std::move(*sn);
    while (!sender_net->stats()[1].connected_out)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
};

struct Throughput {
  double frames_per_s;
  double mb_per_s;
};

Throughput saturate(std::size_t frame_bytes, std::uint64_t count) {
  Pair pair;
  pair.receiver.expected = count;
  const std::string frame(frame_bytes, 'x');
  SteadyClock::time_point start = SteadyClock::now();
  for (std::uint64_t i = 0; i < count; ++i) {
    if (i % 64 == 0) {
      while (pair.sender_net->stats()[1].bytes_queued > kInFlightBytes) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    }
    if (!pair.sender_net->send(1, frame)) {
      std::fprintf(stderr, "frame dropped\n");
      std::exit(1);
    }
  }
  pair.receiver.wait_all();
  double seconds = std::chrono::duration<double>(pair.receiver.last_arrival - start).count();
  return {static_cast<double>(count) / seconds,
          static_cast<double>(count * frame_bytes) / seconds / 1e6};
}

struct Latency {
  double p50_us, p99_us, max_us;
};

Latency paced(std::size_t frame_bytes, int per_second, int count) {
  Pair pair;
  pair.receiver.expected = static_cast<std::uint64_t>(count);
  pair.receiver.record_latency = true;
  pair.receiver.latencies_us.reserve(static_cast<std::size_t>(count));
  std::string frame(frame_bytes, 'x');
  const auto interval = std::chrono::nanoseconds(1'000'000'000 / per_second);
  SteadyClock::time_point next = SteadyClock::now();
  for (int i = 0; i < count; ++i) {
    std::this_thread::sleep_until(next);
    next += interval;
    std::int64_t now_ns = SteadyClock::now().time_since_epoch().count();
    std::memcpy(frame.data(), &now_ns, sizeof now_ns);
    pair.sender_net->send(1, frame);
  }
  pair.receiver.wait_all();
  auto& v = pair.receiver.latencies_us;
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v[v.size() * 99 / 100], v.back()};
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  // Optional argument: "throughput" or "latency" to run one half.
  const std::string only = argc > 1 ? argv[1] : "";
  constexpr int kRuns = 3;
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::printf("PeerNetwork, 2 nodes on loopback, TLS 1.3 (Ed25519), 1 I/O thread each\n");
  struct Case {
    std::size_t bytes;
    std::uint64_t count;
  };
  for (Case c : {Case{200, 1'000'000}, Case{16u << 10, 40'000}}) {
    if (only == "latency") break;
    std::vector<double> fps;
    std::vector<double> mbs;
    for (int run = 0; run < kRuns; ++run) {
      Throughput t = saturate(c.bytes, c.count);
      fps.push_back(t.frames_per_s);
      mbs.push_back(t.mb_per_s);
    }
    std::printf("  %6zu-byte frames, saturated: %10.0f frames/s  %8.1f MB/s  (median of %d)\n",
                c.bytes, median(fps), median(mbs), kRuns);
  }
  for (int rate : {1'000, 10'000}) {
    if (only == "throughput") break;
    std::vector<double> p50;
    std::vector<double> p99;
    std::vector<double> worst;
    for (int run = 0; run < kRuns; ++run) {
      Latency l = paced(200, rate, rate * 2);
      p50.push_back(l.p50_us);
      p99.push_back(l.p99_us);
      worst.push_back(l.max_us);
    }
    std::printf(
        "  200-byte frames paced at %6d/s: one-way p50 %7.1f us  p99 %7.1f us  max %8.1f us"
        "  (median of %d)\n",
        rate, median(p50), median(p99), median(worst), kRuns);
  }
  return 0;
}
