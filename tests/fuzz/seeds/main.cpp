// itc-fuzz-seeds <corpus dir> [<source dir>]: writes the seed inputs of every fuzz target
// (tests/fuzz/corpus/<target>/) with the project's real encoders and signers, and reads
// deploy/'s example configs and device profiles from the source dir (default: the tree
// this was built from). Rerun it after changing a target's input format.
#include <cstdio>
#include <exception>

#include "seeds/corpus.hpp"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s <corpus dir> [<source dir>]\n", argv[0]);
    return 2;
  }
  try {
    itc::fuzz::Corpus corpus(argv[1], argc == 3 ? argv[2] : ITC_TEST_SOURCE_DIR);
    itc::fuzz::write_peer_seeds(corpus);
    itc::fuzz::write_device_seeds(corpus);
    itc::fuzz::write_operator_seeds(corpus);
    itc::fuzz::write_analytics_seeds(corpus);
    std::printf("wrote %zu seed inputs under %s\n", corpus.written(), argv[1]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "itc-fuzz-seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}
