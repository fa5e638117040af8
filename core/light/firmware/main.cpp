// itc-light-firmware: the lamp's verifier on a Cortex-M4 (QEMU's mps2-an386), reading a
// vector file (vector_set.hpp) over semihosting — its path is the last word of the
// semihosting command line — and printing, for each vector, one line:
//   V <index> <name> <result as format_result writes it> instr=<instructions>
// then the memory figures. Instructions are SysTick ticks around run_vector alone (the
// state is decoded before), converted with a calibration loop of known length; exact
// under QEMU's -icount shift=0 to one tick (40 instructions on this board).
// Memory: every buffer is static (one record, one State); the stack is painted at start
// and its high-water mark printed; wolfCrypt's allocations go to itc_fw_refuse_alloc.
extern "C" {
#include <semihost.h>
}

#include <cstdio>
#include <cstring>

#include "firmware_board.h"
#include "vector_runner.hpp"

using namespace itc::light;
using namespace itc::light::vectors;

extern "C" {
extern std::uint8_t __stack_limit[], __stack_top[];
}

namespace {

constexpr std::uint32_t kPaint = 0xC0FFEE11u;
std::uint8_t record[kMaxRecordBytes];
State state;
char cmdline[512];
char line[192];
unsigned long refused_allocations = 0;

// Paints the stack below this function's frame (minus a margin) with kPaint.
__attribute__((noinline)) void paint_stack() {
  auto* word = reinterpret_cast<volatile std::uint32_t*>(__stack_limit);
  auto* end = reinterpret_cast<volatile std::uint32_t*>(
      static_cast<std::uint8_t*>(__builtin_frame_address(0)) - 256);
  while (word < end) *word++ = kPaint;
}

// The deepest the stack has been: bytes from the top to the lowest overwritten word.
std::size_t stack_high_water() {
  const auto* word = reinterpret_cast<const std::uint32_t*>(__stack_limit);
  const auto* top = reinterpret_cast<const std::uint32_t*>(__stack_top);
  while (word < top && *word == kPaint) ++word;
  return static_cast<std::size_t>(reinterpret_cast<const std::uint8_t*>(top) -
                                  reinterpret_cast<const std::uint8_t*>(word));
}

// A loop of exactly 2 * n instructions (subs, bne), timed in ticks.
std::uint64_t calibration_ticks(std::uint32_t n) {
  const std::uint64_t t0 = instruction_ticks();
  __asm__ volatile(
      "1: subs %0, %0, #1\n"
      "   bne 1b\n"
      : "+r"(n)
      :
      : "cc");
  return instruction_ticks() - t0;
}

bool read_exact(int fd, std::uint8_t* buf, std::size_t n) {
  return sys_semihost_read(fd, buf, n) == 0;  // returns the count NOT read
}

int fail(const char* what) {
  std::printf("ERROR %s\n", what);
  return 2;
}

}  // namespace

extern "C" void* itc_fw_refuse_alloc(std::size_t size) {
  (void)size;
  ++refused_allocations;
  return nullptr;
}

int main() {
  paint_stack();
  instruction_ticks_start();
  constexpr std::uint32_t kCalibrationLoops = 1'000'000;
  const std::uint64_t cal_ticks = calibration_ticks(kCalibrationLoops);
  const std::uint64_t cal_instr = 2ull * kCalibrationLoops;
  if (cal_ticks == 0) return fail("SysTick does not count (run QEMU with -icount shift=0)");
  std::printf("CALIBRATION %llu instructions in %llu ticks\n",
              static_cast<unsigned long long>(cal_instr),
              static_cast<unsigned long long>(cal_ticks));

  if (sys_semihost_get_cmdline(cmdline, sizeof cmdline) != 0) return fail("no command line");
  const char* path = std::strrchr(cmdline, ' ');
  path = path == nullptr ? cmdline : path + 1;
  const int fd = sys_semihost_open(path, SH_OPEN_R_B);
  if (fd < 0) {
    std::printf("ERROR cannot open the vector file '%s'\n", path);
    return 2;
  }
  if (!read_exact(fd, record, kFileHeaderBytes)) return fail("vector file: no header");
  if (Outcome o = check_file_header(record, kFileHeaderBytes); !o.ok()) {
    std::printf("ERROR vector file: %s\n", verdict_name(o.verdict));
    return 2;
  }
  unsigned index = 0;
  for (;; ++index) {
    std::uint8_t length[4];
    if (!read_exact(fd, length, 1)) break;  // the end of the file
    if (!read_exact(fd, length + 1, 3)) return fail("vector file: truncated record length");
    const std::size_t n = (std::size_t{length[0]} << 24) | (std::size_t{length[1]} << 16) |
                          (std::size_t{length[2]} << 8) | length[3];
    if (n > sizeof record) {
      std::printf("ERROR vector %u: %zu bytes, more than the firmware's %zu\n", index, n,
                  sizeof record);
      return 2;
    }
    if (!read_exact(fd, record, n)) return fail("vector file: truncated record");
    Vector v{};
    if (Outcome o = read_vector(record, n, &v); !o.ok()) {
      std::printf("ERROR vector %u: %s at %lu\n", index, verdict_name(o.verdict),
                  static_cast<unsigned long>(o.detail));
      return 2;
    }
    if (Outcome o = load_state(v, &state); !o.ok()) {
      std::printf("V %u %.*s state %s %lu instr=0\n", index, static_cast<int>(v.name.size),
                  reinterpret_cast<const char*>(v.name.data), verdict_name(o.verdict),
                  static_cast<unsigned long>(o.detail));
      continue;
    }
    const std::uint64_t t0 = instruction_ticks();
    const VectorResult r = run_vector(v, &state);
    const std::uint64_t ticks = instruction_ticks() - t0;
    format_result(v, r, line, sizeof line);
    std::printf("V %u %.*s %s instr=%llu\n", index, static_cast<int>(v.name.size),
                reinterpret_cast<const char*>(v.name.data), line,
                static_cast<unsigned long long>(ticks * cal_instr / cal_ticks));
  }
  sys_semihost_close(fd);
  std::printf("VECTORS %u\n", index);
  std::printf("STACK high_water=%zu of %zu\n", stack_high_water(),
              static_cast<std::size_t>(__stack_top - __stack_limit));
  std::printf("STATE sizeof=%zu\n", sizeof(State));
  std::printf("ALLOCATIONS wolfcrypt_refused=%lu\n", refused_allocations);
  return 0;
}
