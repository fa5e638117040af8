// store_crash_writer LIBRARY CONFIG_HEX [MAX_BLOCKS]: loads a LedgerStore plugin from
// ITC_PLUGIN_DIR with the given config (hex of its config message) and appends the crash
// workload's blocks on top of the head, printing each height on stdout as soon as append()
// has acknowledged it. The kill test SIGKILLs it part-way and checks what survived.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "crash_workload.hpp"
#include "itc/crypto.hpp"
#include "itc/services/ledger_store.hpp"
#include "plugin_harness.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s LIBRARY CONFIG_HEX [MAX_BLOCKS]\n", argv[0]);
    return 2;
  }
  auto config = itc::crypto::from_hex(argv[2]);
  if (!config.ok()) {
    std::fprintf(stderr, "CONFIG_HEX: %s\n", config.status().ToString().c_str());
    return 2;
  }
  const long max_blocks = argc > 3 ? std::atol(argv[3]) : 100000;
  itc::test::PluginHost host("crash-writer");
  auto plugin = host.add(argv[1], *config);
  if (!plugin.ok()) {
    std::fprintf(stderr, "open: %s\n", plugin.status().ToString().c_str());
    return 1;
  }
  auto* store = host.env().services().find<itc::LedgerStore>();
  auto head = store->head();
  if (!head.ok()) {
    std::fprintf(stderr, "head: %s\n", head.status().ToString().c_str());
    return 1;
  }
  std::uint64_t height = head->has_value() ? (*head)->header().height() : 0;
  const std::string prev = head->has_value() ? (*head)->hash() : itc::test::kGenesisPrev;
  // The next block is built before the last height is printed, so a kill that follows a
  // printed line lands inside an append, where a store could leave half a block behind.
  auto block = itc::test::crash::block(height + 1, prev);
  for (long n = 0; n < max_blocks; ++n) {
    ++height;
    itc::Status s = store->append(block, itc::test::crash::delta(height));
    if (!s.ok()) {
      std::fprintf(stderr, "append: %s\n", s.ToString().c_str());
      return 1;
    }
    auto next = itc::test::crash::block(height + 1, block.hash());
    std::printf("%llu\n", static_cast<unsigned long long>(height));
    std::fflush(stdout);
    block = std::move(next);
  }
  return 0;
}
