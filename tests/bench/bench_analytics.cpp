// itc-bench analytics: the ChainCode analytics core (plugins/cognition/chaincode) on this
// machine — Pedersen commitments per second on one core, verifying a proven sum over 10^4
// and 10^6 commitments, HyperLogLog adds per second and its error (beside a local
// redis-server's PFADD when one is installed), Bloom inserts and queries per second, and
// what committing the pipeline's readings would cost at each granularity. Medians of
// repeated rounds in one process.
// The cost table needs the pipeline's rate: ITC_PIPELINE_READINGS_PER_S=<the median that
// `itc-bench pipeline` prints with signatures verified>.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bench.hpp"
#include "bloom_filter.hpp"
#include "hyperloglog.hpp"
#include "pedersen.hpp"
#include "period_commitments.hpp"
#include "sum_proof.hpp"

namespace itc::bench {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::vector<std::string> keys(std::size_t n, const std::string& prefix) {
  std::vector<std::string> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) out.push_back(prefix + std::to_string(i) + "/occupancy");
  return out;
}

double commitments_per_second() {
  constexpr int kRounds = 5, kPerRound = 2000;
  std::vector<double> rates;
  for (int r = 0; r < kRounds; ++r) {
    const auto t0 = Clock::now();
    for (int i = 0; i < kPerRound; ++i) {
      if (!analytics::commit(analytics::new_opening(1000 + i)).ok()) std::abort();
    }
    rates.push_back(kPerRound / seconds_since(t0));
  }
  std::printf(
      "  commit (v·G + r·H, fresh r): median %.0f commitments/s on one core (%.1f us each)\n",
      median(rates), 1e6 / median(rates));
  return median(rates);
}

// 10^4 distinct commitments; the 10^6 set repeats each 100 times (decoding and adding a
// repeated commitment costs what a fresh one does).
void verify_sums() {
  constexpr std::size_t kDistinct = 10'000;
  std::vector<analytics::Opening> openings;
  std::vector<std::string> distinct;
  for (std::size_t i = 0; i < kDistinct; ++i) {
    openings.push_back(analytics::new_opening(static_cast<std::int64_t>(i % 60'000)));
    distinct.push_back(*analytics::commit(openings.back()));
  }
  const auto total = *analytics::add_openings(openings);
  for (const std::size_t n : {std::size_t{10'000}, std::size_t{1'000'000}}) {
    const std::size_t copies = n / kDistinct;
    std::vector<std::string> commitments;
    commitments.reserve(n);
    for (std::size_t c = 0; c < copies; ++c)
      commitments.insert(commitments.end(), distinct.begin(), distinct.end());
    std::vector<analytics::Opening> times(copies, total);
    const auto sum = *analytics::add_openings(times);
    const auto proof = *analytics::prove_sum(sum, n, "bench-job");
    if (n == kDistinct)
      std::printf("  a sum proof with a 9-byte context: %zu bytes\n", proof.ByteSizeLong());
    const int rounds = n > 100'000 ? 3 : 7;
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    for (const unsigned threads : {1u, cores}) {
      std::vector<double> secs;
      for (int r = 0; r < rounds; ++r) {
        const auto t0 = Clock::now();
        if (!analytics::verify_sum(commitments, proof, threads).ok()) std::abort();
        secs.push_back(seconds_since(t0));
      }
      std::printf(
          "  verify_sum over %zu commitments (%zu bytes), %u thread%s: median %.3f s "
          "(%.2f us per commitment)\n",
          n, n * commitments.front().size(), threads, threads > 1 ? "s" : "", median(secs),
          1e6 * median(secs) / static_cast<double>(n));
      if (cores == 1) break;
    }
  }
}

double hyperloglog_adds_per_second() {
  constexpr std::size_t kPerRound = 1'000'000;
  constexpr int kRounds = 10;
  auto hll = *analytics::HyperLogLog::create();
  std::vector<double> rates, errors;
  for (int r = 0; r < kRounds; ++r) {
    const auto batch = keys(kPerRound, "round-" + std::to_string(r) + "/lamp-");
    auto fresh = *analytics::HyperLogLog::create();
    const auto t0 = Clock::now();
    for (const auto& k : batch) fresh.add(k);
    rates.push_back(kPerRound / seconds_since(t0));
    errors.push_back(std::fabs(fresh.estimate() / kPerRound - 1));
    (void)hll.merge(fresh);
  }
  std::printf("  HyperLogLog p=14 add: median %.2f M adds/s on one core (%.0f ns each)\n",
              median(rates) / 1e6, 1e9 / median(rates));
  std::printf(
      "  HyperLogLog error: 10^6 keys, median |error| %.3f%% over %d sketches (max "
      "%.3f%%); 10^7 keys (their merge) %.3f%%; standard error %.2f%%\n",
      100 * median(errors), kRounds, 100 * *std::max_element(errors.begin(), errors.end()),
      100 * (hll.estimate() / (kRounds * kPerRound) - 1), 100 * hll.standard_error());
  return median(rates);
}

void bloom() {
  constexpr std::size_t n = 1'000'000;
  const auto members = keys(n, "lamp-");
  const auto strangers = keys(n, "other-");
  std::vector<double> inserts, queries, fprs;
  double theory = 0;
  for (int r = 0; r < 5; ++r) {
    auto filter = *analytics::BloomFilter::for_keys(n, 10);
    auto t0 = Clock::now();
    for (const auto& k : members) filter.add(k);
    inserts.push_back(n / seconds_since(t0));
    std::size_t positives = 0;
    t0 = Clock::now();
    for (const auto& k : strangers) positives += filter.might_contain(k) ? 1 : 0;
    queries.push_back(n / seconds_since(t0));
    fprs.push_back(static_cast<double>(positives) / n);
    theory = filter.expected_false_positive_rate();
  }
  std::printf(
      "  Bloom 10 bits/key, k=7, 10^6 keys: median %.2f M inserts/s, %.2f M queries/s; "
      "false positives %.3f%% (theory %.3f%%)\n",
      median(inserts) / 1e6, median(queries) / 1e6, 100 * median(fprs), 100 * theory);
}

// redis-benchmark's "-q" line: "<command>: <rate> requests per second, ...".
double redis_requests_per_second(const std::string& args) {
  const std::string cmd = "redis-benchmark " + args + " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return 0;
  char line[512];
  double rate = 0;
  while (std::fgets(line, sizeof line, p) != nullptr) {
    const std::string s(line);
    const auto colon = s.rfind(": ");
    if (s.find("requests per second") != std::string::npos && colon != std::string::npos)
      rate = std::atof(s.c_str() + colon + 2);
  }
  pclose(p);
  return rate;
}

void redis_pfadd(double ours) {
  if (std::system("command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null") !=
      0) {
    std::printf(
        "  Redis PFADD: redis-server/redis-benchmark not installed "
        "(apt-get install redis-server redis-tools); no comparison\n");
    return;
  }
  const std::string port = std::to_string(20000 + getpid() % 10000);
  const auto dir = std::filesystem::temp_directory_path() / ("itc-bench-redis-" + port);
  std::filesystem::create_directories(dir);
  const std::string start = "redis-server --port " + port + " --bind 127.0.0.1 --save '' " +
                            "--appendonly no --daemonize yes --dir " + dir.string() +
                            " --pidfile " + (dir / "pid").string() + " >/dev/null";
  if (std::system(start.c_str()) != 0) {
    std::printf("  Redis PFADD: redis-server did not start\n");
    return;
  }
  const std::string cli = "redis-cli -p " + port;
  for (int i = 0; i < 50 && std::system((cli + " ping >/dev/null 2>&1").c_str()) != 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  // One element per PFADD, and ten, pipelined 64 deep; random keys over 10^7.
  std::vector<double> one, ten;
  std::string ten_keys;
  for (int i = 0; i < 10; ++i) ten_keys += " k" + std::to_string(i) + ":__rand_int__";
  for (int r = 0; r < 3; ++r) {
    (void)std::system((cli + " del hll >/dev/null").c_str());
    one.push_back(redis_requests_per_second(
        "-p " + port + " -q -n 1000000 -P 64 -r 10000000 PFADD hll k:__rand_int__"));
    (void)std::system((cli + " del hll >/dev/null").c_str());
    ten.push_back(10 * redis_requests_per_second(
                           "-p " + port + " -q -n 200000 -P 64 -r 10000000 PFADD hll" + ten_keys));
  }
  (void)std::system((cli + " shutdown nosave >/dev/null 2>&1").c_str());
  std::filesystem::remove_all(dir);
  std::printf(
      "  Redis PFADD (local redis-server, redis-benchmark -P 64, median of 3): %.2f M "
      "elements/s with 1 per command, %.2f M with 10 per command\n",
      median(one) / 1e6, median(ten) / 1e6);
  std::printf(
      "  HyperLogLog in-process vs Redis PFADD: %.1fx (1 element per command), %.1fx (10 "
      "per command); Redis's figures include its network loop and the client sharing "
      "this machine's cores, ours is a function call\n",
      ours / median(one), ours / median(ten));
}

// The pipeline's shape (bench_pipeline.cpp): 20,000 lamps, 6 metrics per frame, a block
// every 200 ms.
void granularity(double commits_per_core) {
  const char* env = std::getenv("ITC_PIPELINE_READINGS_PER_S");
  if (env == nullptr) {
    std::printf(
        "  cost of committing: set ITC_PIPELINE_READINGS_PER_S to the figure "
        "`itc-bench pipeline` prints\n");
    return;
  }
  constexpr double kLamps = 20'000, kMetrics = 6, kBlockS = 0.2;
  const double readings = std::atof(env);
  const double cores = static_cast<double>(std::max(1u, std::thread::hardware_concurrency()));
  const double frames_per_block = readings / kMetrics * kBlockS;
  struct Row {
    const char* name;
    double per_s;
  };
  const Row rows[] = {
      {"per reading", readings},
      {"per device+metric+block (sum; count public)",
       kMetrics * std::min(kLamps, frames_per_block) / kBlockS},
      {"per device+metric per 10 s window", kLamps * kMetrics / 10},
      {"per device+metric per 60 s window", kLamps * kMetrics / 60},
  };
  std::printf(
      "  cost of committing at the pipeline's %.0f readings/s (20,000 lamps x 6 metrics, "
      "200 ms blocks; %.0f commitments/s per core, %.0f cores):\n",
      readings, commits_per_core, cores);
  for (const auto& row : rows)
    std::printf("    %-46s %9.0f commitments/s = %6.1f%% of the machine's CPU%s\n", row.name,
                row.per_s, 100 * row.per_s / (commits_per_core * cores),
                row.per_s / (commits_per_core * cores) <= 0.2 ? "  (<= 20%)" : "");
}

// PeriodCommitments (item 1's granularity as the owner's node runs it): readings summed
// per device, metric and period, then each closed period committed. Not the pipeline with
// commitments on vs off: the cognition plugin that would run this beside the pipeline is
// not built; this is its work per reading and per period, timed.
void period_commitments() {
  constexpr int kDevices = 20'000, kMetrics = 6, kReadingsPerDevice = 10;
  analytics::PeriodCommitments periods(60, 3);
  const std::int64_t t0 = 1'767'225'600'000'000;
  std::vector<v1::Reading> readings;
  readings.reserve(std::size_t{kDevices} * kMetrics);
  const char* metrics[kMetrics] = {"power", "level", "voltage", "current", "temp", "on"};
  for (int d = 0; d < kDevices; ++d) {
    for (const char* m : metrics) {
      v1::Reading r;
      r.set_device_id("lamp-" + std::to_string(d));
      r.set_metric(m);
      r.set_value(12.3456 + d % 97);
      readings.push_back(std::move(r));
    }
  }
  auto t = Clock::now();
  std::size_t added = 0;
  for (int k = 0; k < kReadingsPerDevice; ++k) {
    for (v1::Reading& r : readings) {
      r.set_sampled_at_us(t0 + k * 5'000'000);
      if (!periods.add(r).ok()) std::abort();
      ++added;
    }
  }
  const double add_rate = static_cast<double>(added) / seconds_since(t);
  t = Clock::now();
  const std::size_t closed = periods.close_until(t0 + 60'000'000).size();
  const double close_rate = static_cast<double>(closed) / seconds_since(t);
  std::printf(
      "  PeriodCommitments: add %.2f M readings/s on one core; close %zu periods (20,000 lamps "
      "x 6 metrics) at %.0f commitments/s\n",
      add_rate / 1e6, closed, close_rate);
  const char* env = std::getenv("ITC_PIPELINE_READINGS_PER_S");
  if (env == nullptr) return;
  const double rate = std::atof(env);
  const double cores = static_cast<double>(std::max(1u, std::thread::hardware_concurrency()));
  for (const double period_s : {30.0, 60.0}) {
    const double busy = rate / add_rate + kDevices * kMetrics / period_s / close_rate;
    std::printf(
        "    at %.0f readings/s, %2.0f s periods: %.1f%% of the machine's CPU (adds + commits)\n",
        rate, period_s, 100 * busy / cores);
  }
}

}  // namespace

int bench_analytics() {
  std::printf("analytics: Pedersen commitments (P-256), sum proofs, sketches\n");
  const double commits = commitments_per_second();
  verify_sums();
  const double adds = hyperloglog_adds_per_second();
  bloom();
  redis_pfadd(adds);
  granularity(commits);
  period_commitments();
  return 0;
}

}  // namespace itc::bench
