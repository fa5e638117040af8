// itc-light-verify STATE PROOF DEVICE [--load-only | --repeat N]: one verified command
// (or N in a row, each from the stored state) as a lamp runs
// it, and nothing else, so valgrind can measure it (itc-light-bench runs it): the client
// state and a node's ownership proof are read into static buffers, the state decoded, the
// proof (header, QC of the signers, state bucket and path) verified and the owner record
// decoded. Links libitc-light alone (and libcrypto beneath it). --load-only stops before
// the verification (the baseline the bench subtracts); --repeat shows what a command costs
// once libcrypto is initialised. Exit 0 iff the owner is verified.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "itc/light/light_client.hpp"
#include "itc/light/state_file.hpp"
#include "itc/light/state_values.hpp"

namespace {

std::uint8_t state_bytes[itc::light::kMaxStateBytes];
std::uint8_t proof_bytes[64 * 1024];
itc::light::State state;

// Reads up to `cap` bytes of `path`; -1 on error.
long read_into(const char* path, std::uint8_t* buf, std::size_t cap) {
  const int fd = ::open(path, O_RDONLY);
  if (fd < 0) return -1;
  std::size_t n = 0;
  for (;;) {
    const ssize_t r = ::read(fd, buf + n, cap - n);
    if (r <= 0) break;
    n += static_cast<std::size_t>(r);
  }
  ::close(fd);
  return static_cast<long>(n);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace itc::light;
  if (argc < 4) {
    std::fprintf(stderr, "usage: itc-light-verify STATE PROOF DEVICE [--load-only|--repeat N]\n");
    return 2;
  }
  const long s = read_into(argv[1], state_bytes, sizeof state_bytes);
  const long p = read_into(argv[2], proof_bytes, sizeof proof_bytes);
  if (s < 0 || p < 0) return 2;
  Outcome o = decode_state(state_bytes, static_cast<std::size_t>(s), &state);
  if (!o.ok()) {
    std::printf("state: %s\n", verdict_name(o.verdict));
    return 1;
  }
  if (argc > 4 && std::strcmp(argv[4], "--load-only") == 0) return 0;
  const int repeat = argc > 5 && std::strcmp(argv[4], "--repeat") == 0 ? std::atoi(argv[5]) : 1;
  std::uint8_t key[kMaxKey];
  const std::size_t key_len = device_state_key(argv[3], std::strlen(argv[3]), key);
  for (int i = 0; i < repeat && o.ok(); ++i) {
    State fresh = state;
    Bytes value{};
    o = verify_state(&fresh, proof_bytes, static_cast<std::size_t>(p), key, key_len, &value);
    DeviceRecord device{};
    if (o.ok()) o = decode_device(value, &device);
  }
  std::printf("%s: %s\n", verdict_name(o.verdict), verdict_text(o.verdict));
  return o.ok() ? 0 : 1;
}
