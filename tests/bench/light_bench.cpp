// itc-light-bench [devices...]: the light client's budget (issue 13 item 6), per verified
// command on the lamp side — an ownership proof (a header with a QC of 3 of 4 validators,
// the device's state bucket and its 12-hash path) checked by itc-light-verify, which links
// libitc-light alone. Prints for a chain with each number of devices (default 1000 and
// 100000): instructions of verify_state (callgrind, only that function and its callees;
// per command once libcrypto is set up, and the first one in a process) and of the whole
// process (cachegrind), peak heap and stack (massif, the process minus a
// run that stops before verifying), the proof's bytes, the median time per verification
// in process; then the light state's bytes (sizeof and encoded) and libitc-light's
// stripped code size. Needs valgrind (says so if missing).
#include <sys/wait.h>

#include <QtGlobal>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "bench_node.hpp"
#include "chain_fixture.hpp"
#include "itc/file_io.hpp"
#include "itc/light/genesis_trust.hpp"
#include "itc/light/prover.hpp"
#include "itc/light/state_file.hpp"

namespace fs = std::filesystem;
using namespace itc;

namespace {

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
  ::pclose(p);
  return out;
}

long long number_after(const std::string& text, const std::string& label) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(label + R"(\s*:?\s*([0-9,]+))"))) return -1;
  std::string digits = m[1];
  digits.erase(std::remove(digits.begin(), digits.end(), ','), digits.end());
  return std::stoll(digits);
}

// Peak (heap + heap overhead) and peak stack of a massif profile.
std::pair<long long, long long> massif_peaks(const std::string& file) {
  std::ifstream in(file);
  std::string line;
  long long heap = 0, extra = 0, peak_heap = 0, peak_stack = 0;
  while (std::getline(in, line)) {
    if (line.rfind("mem_heap_B=", 0) == 0) heap = std::stoll(line.substr(11));
    if (line.rfind("mem_heap_extra_B=", 0) == 0) extra = std::stoll(line.substr(17));
    if (line.rfind("mem_stacks_B=", 0) == 0) {
      peak_heap = std::max(peak_heap, heap + extra);
      peak_stack = std::max(peak_stack, std::stoll(line.substr(13)));
    }
  }
  return {peak_heap, peak_stack};
}

struct Setup {
  std::string state_file, proof_file, device;
  std::size_t proof_bytes = 0;
  light::State client{};
  std::string proof;
  std::string key;
};

// A chain with `devices` genesis devices; block 1 registers lamp-1 and is certified by
// 3 of the 4 validators; the client trusts the genesis.
Setup make_setup(const fs::path& dir, int devices) {
  v1::Genesis g = test::make_genesis(4, {{test::key_from('a').public_key(), 1'000'000}});
  for (int i = 0; i < devices; ++i) {
    v1::DeviceRecord* d = g.add_devices();
    d->set_device_id("lamp-" + std::to_string(100000 + i));
    d->set_profile("dimmable-lamp");
    d->set_device_public_key(test::key_from('d').public_key());
    d->set_owner(test::key_from('a').public_key());
  }
  ledger::LedgerState state(g);
  const v1::Block b =
      test::commit_certified_block(state, std::string(32, '\0'),
                                   {test::signed_register(test::key_from('a'), "lamp-1", 1)})
          .block;
  Setup s;
  s.device = "lamp-1";
  s.key = ledger::device_key(s.device);
  s.proof = light::prover::state_proof(state, b, s.key).value();
  s.proof_bytes = s.proof.size();
  if (!light::trust_genesis(g, &s.client).ok()) qFatal("trust_genesis");
  std::uint8_t buf[light::kMaxStateBytes];
  const std::size_t n = light::encode_state(s.client, buf, sizeof buf);
  s.state_file = (dir / ("state-" + std::to_string(devices))).string();
  s.proof_file = (dir / ("proof-" + std::to_string(devices))).string();
  (void)write_file_atomically(s.state_file, std::string(reinterpret_cast<char*>(buf), n), 0600);
  (void)write_file_atomically(s.proof_file, s.proof, 0600);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::atoi(argv[i]));
  if (sizes.empty()) sizes = {1000, 100000};
  const fs::path dir =
      fs::temp_directory_path() / ("itc-light-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const bool valgrind = run("valgrind --version").rfind("valgrind-", 0) == 0;
  const std::string verify = ITC_LIGHT_VERIFY_BIN;

  std::printf("light client budget per verified command (ownership proof, QC of 3 of 4)\n");
  if (!valgrind) std::printf("valgrind is not installed: no instruction or memory figures\n");
  std::printf(
      "instr: verify_state alone, per command once libcrypto is initialised (mean of "
      "10) and the first in a process (with libcrypto's one-time provider set-up); "
      "process: the whole itc-light-verify run\n");
  std::printf("%9s %7s %12s %12s %13s %11s %10s %10s\n", "devices", "proof_B", "instr",
              "first_instr", "process_instr", "heap_peak_B", "stack_pk_B", "median_us");
  for (int devices : sizes) {
    Setup s = make_setup(dir, devices);
    std::vector<double> us;
    for (int i = 0; i < 200; ++i) {
      light::State st = s.client;
      light::Bytes value{};
      const auto t0 = std::chrono::steady_clock::now();
      const light::Outcome o = light::verify_state(
          &st, reinterpret_cast<const std::uint8_t*>(s.proof.data()), s.proof.size(),
          reinterpret_cast<const std::uint8_t*>(s.key.data()), s.key.size(), &value);
      const auto t1 = std::chrono::steady_clock::now();
      if (!o.ok()) qFatal("verify_state: %s", light::verdict_name(o.verdict));
      us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    long long first_ir = -1, verify_ir = -1, process_ir = -1, heap = -1, stack = -1;
    if (valgrind) {
      const std::string args = " " + s.state_file + " " + s.proof_file + " " + s.device;
      const std::string cg = (dir / "callgrind.out").string();
      const auto callgrind = [&](const std::string& extra) {
        run("valgrind --tool=callgrind --collect-atstart=no "
            "--toggle-collect='itc::light::verify_state*' --callgrind-out-file=" +
            cg + " " + verify + args + extra);
        return number_after(run("callgrind_annotate " + cg + " | grep -m1 PROGRAM"), "");
      };
      first_ir = callgrind("");
      verify_ir = callgrind(" --repeat 11") - first_ir;
      verify_ir /= 10;
      const std::string whole =
          run("valgrind --tool=cachegrind --cache-sim=no "
              "--cachegrind-out-file=/dev/null " +
              verify + args);
      process_ir = number_after(whole, "I\\s+refs");
      const std::string m1 = (dir / "massif.verify").string();
      const std::string m0 = (dir / "massif.load").string();
      run("valgrind --tool=massif --stacks=yes --massif-out-file=" + m1 + " " + verify + args);
      run("valgrind --tool=massif --stacks=yes --massif-out-file=" + m0 + " " + verify + args +
          " --load-only");
      const auto [h1, s1] = massif_peaks(m1);
      const auto [h0, s0] = massif_peaks(m0);
      heap = h1;
      stack = s1;
      // Allocations per command once libcrypto is set up (libitc-light makes none itself).
      const long long a1 = number_after(run("valgrind " + verify + args), "total heap usage");
      const long long a11 =
          number_after(run("valgrind " + verify + args + " --repeat 11"), "total heap usage");
      std::printf("%9d   libcrypto allocations per command: %.1f (%lld in the first process)\n",
                  devices, static_cast<double>(a11 - a1) / 10.0, a1);
      std::printf("%9d   (baseline without verifying: heap %lld B, stack %lld B)\n", devices, h0,
                  s0);
    }
    std::printf("%9d %7zu %12lld %12lld %13lld %11lld %10lld %10.1f\n", devices, s.proof_bytes,
                verify_ir, first_ir, process_ir, heap, stack, itc::bench::median(us));
  }
  std::printf(
      "light state: sizeof(State) %zu B (validator set %zu B of it, %zu slots); "
      "encoded with 4 validators %zu B, at most %zu B\n",
      sizeof(light::State), sizeof(light::State::validators), light::kMaxValidators,
      [] {
        light::State s{};
        const std::string g = "itc-test";
        light::Validator v[4]{};
        for (int i = 0; i < 4; ++i) {
          v[i].public_key[0] = static_cast<std::uint8_t>(i);  // distinct keys
          v[i].power = 1;
        }
        (void)light::init_from_genesis(&s, g.data(), g.size(), v, 4);
        std::uint8_t buf[light::kMaxStateBytes];
        return light::encode_state(s, buf, sizeof buf);
      }(),
      light::kMaxStateBytes);
  // sim-lighting (verify: chain) gives every commanded lamp a State of its own, as a real
  // lamp holds it; one shared read-only validator set would leave the rest per lamp.
  const std::size_t own = sizeof(light::State);
  const std::size_t shared_set = sizeof(light::State::validators);
  std::printf(
      "lamp fleet light state: %zu B per lamp, 1000 lamps %zu B, 100000 lamps %zu B; with "
      "one shared validator set %zu B per lamp, 1000 lamps %zu B\n",
      own, own * 1000, own * 100000, own - shared_set, (own - shared_set) * 1000 + shared_set);
  const std::string lib = ITC_LIGHT_LIB;
  const std::string stripped = (dir / "libitc-light.a").string();
  run("cp " + lib + " " + stripped + " && strip --strip-unneeded " + stripped);
  const std::string sizes_out = run("size -t " + stripped);
  std::printf(
      "libitc-light stripped (size -t, text+data+bss of its objects): %lld B; file %lld B\n",
      number_after(sizes_out.substr(sizes_out.rfind('\n', sizes_out.size() - 2)), ""),
      static_cast<long long>(fs::file_size(stripped)));
  run("cp " + verify + " " + (dir / "v").string() + " && strip " + (dir / "v").string());
  std::printf("itc-light-verify stripped (the lamp-side program, libcrypto dynamic): %lld B\n",
              static_cast<long long>(fs::file_size(dir / "v")));
  std::printf(
      "targets: state <= 1 KB + validator set; <= 8 M instructions per command; "
      "peak RAM <= 64 KB; code <= 256 KB\n");
  if (std::getenv("ITC_LIGHT_BENCH_KEEP") == nullptr) fs::remove_all(dir);
  return 0;
}
