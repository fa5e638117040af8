// itc-sim: runs the real PBFT replicas through seeded fault schedules (README.md).
//   itc-sim --seeds N [--from S]      N scenarios, seeds S.. (default 1); prints scenarios/s
//   itc-sim --seed S [--events i,j]   one scenario, traced; --events applies only those
//   --expect PROPERTY                 succeed iff some seed breaks PROPERTY (a broken
//                                     replica's test); prints the seed that caught it
//   --check-replay                    runs each seed twice and compares the outcomes
//   --no-shrink                       report failures without shrinking them
// Exit status: 0 when every scenario keeps every property (or, with --expect, when one
// broke it), 1 otherwise, 2 on bad arguments.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "fault_plan.hpp"
#include "shrink.hpp"
#include "world.hpp"

namespace {

using itc::sim::FaultPlan;
using itc::sim::Outcome;

struct Args {
  std::uint64_t from = 1;
  std::uint64_t seeds = 0;
  std::optional<std::uint64_t> seed;
  std::optional<std::vector<std::size_t>> events;
  std::string expect;
  bool check_replay = false;
  bool shrink = true;
};

int usage(const std::string& why) {
  std::fprintf(stderr,
               "itc-sim: %s\nusage: itc-sim --seeds N [--from S] [--expect PROPERTY] "
               "[--check-replay] [--no-shrink]\n       itc-sim --seed S [--events i,j,...]\n",
               why.c_str());
  return 2;
}

bool number(const char* text, std::uint64_t* out) {
  char* end = nullptr;
  *out = std::strtoull(text, &end, 10);
  return end != text && *end == '\0';
}

std::string fingerprint(const Outcome& o) {
  return std::to_string(o.events) + "/" + std::to_string(o.ended_at.count()) + "/" +
         std::to_string(o.height) + "/" + std::to_string(o.frames) + "/" +
         (o.violation ? o.violation->property + ": " + o.violation->detail : "ok");
}

void print_failure(const FaultPlan& plan, const Outcome& o, bool shrink) {
  std::printf("FAIL seed %llu: %s: %s (t=%.3fs)\n  replay: itc-sim --seed %llu\n",
              static_cast<unsigned long long>(plan.seed), o.violation->property.c_str(),
              o.violation->detail.c_str(), static_cast<double>(o.ended_at.count()) / 1e9,
              static_cast<unsigned long long>(plan.seed));
  if (!shrink) return;
  const FaultPlan small = itc::sim::shrink(plan, o.violation->property);
  std::printf("  shrunk to %zu of %zu fault events: itc-sim %s\n%s", small.keep.size(),
              plan.keep.size(), itc::sim::replay_arguments(small).c_str(),
              itc::sim::describe(small).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    std::uint64_t n = 0;
    if (arg == "--seeds" || arg == "--from" || arg == "--seed") {
      if (!value || !number(value, &n)) return usage(arg + " needs a number");
      ++i;
      if (arg == "--seeds") a.seeds = n;
      if (arg == "--from") a.from = n;
      if (arg == "--seed") a.seed = n;
    } else if (arg == "--events") {
      if (!value) return usage("--events needs a list such as 0,3,7");
      ++i;
      a.events = itc::sim::parse_events(value);
      if (!a.events) return usage(std::string("--events: not a list of numbers: ") + value);
    } else if (arg == "--expect") {
      if (!value) return usage("--expect needs a property name");
      a.expect = value;
      ++i;
    } else if (arg == "--check-replay") {
      a.check_replay = true;
    } else if (arg == "--no-shrink") {
      a.shrink = false;
    } else {
      return usage("unknown argument " + arg);
    }
  }
  if (a.seed) {
    FaultPlan plan = itc::sim::draw_plan(*a.seed);
    if (a.events) {
      for (std::size_t e : *a.events) {
        if (e >= plan.events.size())
          return usage("--events: seed has no event " + std::to_string(e));
      }
      plan.keep = *a.events;
    }
    std::printf("%s", itc::sim::describe(plan).c_str());
    const Outcome o = itc::sim::run_scenario(plan, true);
    if (o.violation) {
      print_failure(plan, o, false);
      return 1;
    }
    std::printf(
        "ok: height %llu, %llu transactions acknowledged, %llu events, ended t=%.3fs\n",
        static_cast<unsigned long long>(o.height), static_cast<unsigned long long>(o.acknowledged),
        static_cast<unsigned long long>(o.events), static_cast<double>(o.ended_at.count()) / 1e9);
    return 0;
  }
  if (a.seeds == 0) return usage("give --seeds N or --seed S");

  itc::sim::Campaign campaign;
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t s = a.from; s < a.from + a.seeds; ++s) {
    const FaultPlan plan = itc::sim::draw_plan(s);
    const Outcome o = itc::sim::run_scenario(plan, false);
    campaign.add(plan, o);
    if ((s - a.from + 1) % 100 == 0) {  // a long campaign reports as it goes
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::printf("after seed %llu: %s", static_cast<unsigned long long>(s),
                  campaign.summary(secs).c_str());
      std::fflush(stdout);
    }
    if (a.check_replay) {
      const Outcome again = itc::sim::run_scenario(plan, false);
      if (fingerprint(again) != fingerprint(o)) {
        std::printf("FAIL seed %llu does not replay: %s, then %s\n",
                    static_cast<unsigned long long>(s), fingerprint(o).c_str(),
                    fingerprint(again).c_str());
        return 1;
      }
    }
    if (!o.violation) continue;
    if (!a.expect.empty()) {
      if (o.violation->property != a.expect) {
        std::printf("seed %llu broke %s, not %s: %s\n", static_cast<unsigned long long>(s),
                    o.violation->property.c_str(), a.expect.c_str(), o.violation->detail.c_str());
        continue;
      }
      std::printf("caught after %llu scenarios: ", static_cast<unsigned long long>(s - a.from + 1));
      print_failure(plan, o, a.shrink);
      return 0;
    }
    print_failure(plan, o, a.shrink);
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s", campaign.summary(secs).c_str());
  if (!a.expect.empty()) {
    std::printf("NOT CAUGHT: no seed of %llu broke %s\n", static_cast<unsigned long long>(a.seeds),
                a.expect.c_str());
    return 1;
  }
  return campaign.failures() == 0 ? 0 : 1;
}
