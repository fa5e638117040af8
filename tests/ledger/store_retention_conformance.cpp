// Retention, part of the LedgerStore conformance suite: what every backend keeps and prunes
// (itc/services/ledger_retention.hpp). The store runs on a FakeEnv, so a block's age is
// the manual clock's doing and the pruning timer fires inside env().advance().
#include <QtTest>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "itc/crypto.hpp"
#include "ledger_fixtures.hpp"
#include "store_conformance.hpp"

namespace itc::test {
namespace {

using namespace std::chrono_literals;

// A block of `readings` readings (device ids lamp-00000..), one anchor transaction and a
// certificate, so pruning has every bulky part to remove and every kept part to keep.
v1::Block certified_block(std::uint64_t height, const std::string& prev, int readings) {
  v1::Block block = make_block(height, prev, readings, static_cast<int>(height) * 1000);
  v1::Transaction* tx = block.add_transactions();
  tx->set_sender(crypto::sha256("sender"));
  tx->set_nonce(height);
  tx->set_fee(1);
  tx->mutable_anchor()->set_data(crypto::sha256("document " + std::to_string(height)));
  tx->set_signature(std::string(64, 's'));
  seal(block);
  v1::QuorumCertificate* qc = block.mutable_qc();
  qc->set_height(height);
  qc->set_view(1);
  qc->set_block_hash(block.hash());
  for (std::uint32_t v = 0; v < 3; ++v) {
    auto* sig = qc->add_signatures();
    sig->set_validator(v);
    sig->set_signature(std::string(64, static_cast<char>('a' + v)));
  }
  return block;
}

// Appends blocks head+1..head+n (each with a state entry "r/<h>"); false on a refusal.
bool append_certified(LedgerStore& store, int n, int readings, std::vector<v1::Block>* chain) {
  for (int i = 0; i < n; ++i) {
    const std::uint64_t height = chain->size() + 1;
    const std::string prev = chain->empty() ? kGenesisPrev : chain->back().hash();
    v1::Block block = certified_block(height, prev, readings);
    v1::StateDelta delta;
    auto* e = delta.add_entries();
    e->set_key("r/" + std::to_string(height));
    e->set_value("value " + std::to_string(height));
    if (Status s = store.append(block, delta); !s.ok()) {
      qWarning("append: %s", s.ToString().c_str());
      return false;
    }
    chain->push_back(std::move(block));
  }
  return true;
}

std::map<std::string, std::string> state_map(LedgerStore& store) {
  std::map<std::string, std::string> state;
  Status s = store.scan_state([&](const std::string& k, const std::string& v) {
    state[k] = v;
    return Status::Ok();
  });
  if (!s.ok()) qWarning("scan_state: %s", s.ToString().c_str());
  return state;
}

std::size_t readings_of_all(LedgerStore& store, int devices) {
  std::size_t n = 0;
  for (int d = 0; d < devices; ++d) {
    auto r = store.readings("lamp-" + std::to_string(100000 + d).substr(1), 0, 1'000'000);
    if (r.ok()) n += r->size();
  }
  return n;
}

}  // namespace

LedgerStore* StoreConformance::open_started(const RetentionSection& retention) {
  config_ += retention_config(backend_, retention);
  LedgerStore* store = open();
  if (store == nullptr) return nullptr;
  if (Status s = host_->start_all(); !s.ok()) {
    qWarning("start: %s", s.ToString().c_str());
    return nullptr;
  }
  return store;
}

LedgerRetention* StoreConformance::retention() {
  return host_ ? host_->env().services().find<LedgerRetention>() : nullptr;
}

void StoreConformance::retentionPrunesOldBlocksAndKeepsHeadersQcsAndState() {
  LedgerStore* store = open_started({.keep_hours = 1, .interval_ms = 1000, .batch_blocks = 2});
  QVERIFY(store != nullptr);
  QVERIFY(retention() != nullptr);
  std::vector<v1::Block> chain;
  QVERIFY(append_certified(*store, 5, 20, &chain));
  const auto state_before = state_map(*store);
  QCOMPARE(state_before.size(), std::size_t{5});
  QCOMPARE(readings_of_all(*store, 20), std::size_t{100});

  // An hour and a half later the timer prunes every block but the head, in batches of two.
  host_->env().advance(90min);
  QCOMPARE(retention()->pruned_through(), std::uint64_t{4});
  QCOMPARE(host_->env().metrics().gauge_value("ledger_pruned_through"), 4.0);
  QCOMPARE(host_->env().metrics().counter_value("ledger_pruned_blocks_total"), std::uint64_t{4});

  for (std::uint64_t h = 1; h <= 4; ++h) {
    auto pruned = store->block(h);
    QCOMPARE(pruned.status().code(), Status::Code::kFailedPrecondition);
    const std::string expected = "block " + std::to_string(h) + ": pruned at height " +
                                 std::to_string(h) + " (blocks 1..4 are pruned; retention keeps";
    QVERIFY2(pruned.status().message().find(expected) != std::string::npos,
             pruned.status().message().c_str());
    QVERIFY2(pruned.status().message().find("last 1 h") != std::string::npos,
             pruned.status().message().c_str());
    // What is kept: the header, the hash and the certificate, exactly as committed.
    auto header = retention()->header(h);
    QVERIFY2(header.ok(), header.status().ToString().c_str());
    QCOMPARE(header->header().SerializeAsString(), chain[h - 1].header().SerializeAsString());
    QCOMPARE(header->hash(), chain[h - 1].hash());
    QCOMPARE(header->qc().SerializeAsString(), chain[h - 1].qc().SerializeAsString());
  }
  // The head is whole; the state is untouched; only the head's readings are left.
  auto head_block = store->block(5);
  QVERIFY2(head_block.ok(), head_block.status().ToString().c_str());
  QCOMPARE(head_block->SerializeAsString(), chain[4].SerializeAsString());
  QVERIFY(state_map(*store) == state_before);
  QCOMPARE(readings_of_all(*store, 20), std::size_t{20});
  QCOMPARE(retention()->header(6).status().code(), Status::Code::kNotFound);

  // New blocks are kept until they are old in turn; appends go on over pruned blocks.
  QVERIFY(append_certified(*store, 2, 20, &chain));
  host_->env().advance(30min);  // block 5 is old and no longer the head; 6 and 7 are young
  QCOMPARE(retention()->pruned_through(), std::uint64_t{5});
  QVERIFY(store->block(6).ok());
  host_->env().advance(61min);
  QCOMPARE(retention()->pruned_through(), std::uint64_t{6});
  QVERIFY(store->block(7).ok());

  // Reopened, the store knows what it pruned and still opens on its head.
  close();
  store = open();
  QVERIFY(store != nullptr);
  QCOMPARE(retention()->pruned_through(), std::uint64_t{6});
  QCOMPARE(store->block(3).status().code(), Status::Code::kFailedPrecondition);
  auto head = store->head();
  QVERIFY(head.ok() && head->has_value());
  QCOMPARE((*head)->header().height(), std::uint64_t{7});
  QVERIFY(store->block(7).ok());
}

void StoreConformance::retentionBudgetPrunesOldestFirstDownToTheBudget() {
  // 1 MiB of readings and bodies at most; blocks of 2,000 readings are ~250 kB each.
  LedgerStore* store = open_started({.budget_mb = 1, .batch_blocks = 3});
  QVERIFY(store != nullptr);
  std::vector<v1::Block> chain;
  QVERIFY(append_certified(*store, 12, 2000, &chain));
  const auto state_before = state_map(*store);

  auto pruned = retention()->prune(1000);
  QVERIFY2(pruned.ok(), pruned.status().ToString().c_str());
  const std::uint64_t through = retention()->pruned_through();
  QCOMPARE(*pruned, through);
  // Oldest first, and only as many as the budget needs: some are pruned, the newest kept.
  QVERIFY2(through >= 6 && through <= 10, std::to_string(through).c_str());
  QCOMPARE(store->block(through).status().code(), Status::Code::kFailedPrecondition);
  for (std::uint64_t h = through + 1; h <= 12; ++h) {
    auto kept = store->block(h);
    QVERIFY2(kept.ok(), kept.status().ToString().c_str());
    QCOMPARE(kept->SerializeAsString(), chain[h - 1].SerializeAsString());
  }
  const std::uint64_t kept_blocks = 12 - through;
  const double kept_bytes = static_cast<double>(kept_blocks * chain[0].ByteSizeLong());
  QVERIFY2(kept_bytes <= 1.2 * 1024 * 1024, std::to_string(kept_bytes).c_str());
  QVERIFY2(kept_bytes + static_cast<double>(chain[0].ByteSizeLong()) > 1024 * 1024,
           "pruned more than the budget needs");
  QVERIFY(state_map(*store) == state_before);
  // Met: a second run prunes nothing.
  auto again = retention()->prune(1000);
  QVERIFY(again.ok());
  QCOMPARE(*again, std::uint64_t{0});
}

void StoreConformance::retentionOffOrYoungBlocksPruneNothing() {
  {
    // Without a retention section: 720 hours, so nothing of a fresh ledger is pruned.
    LedgerStore* store = open_started({});
    QVERIFY(store != nullptr);
    std::vector<v1::Block> chain;
    QVERIFY(append_certified(*store, 4, 10, &chain));
    host_->env().advance(2h);
    QCOMPARE(retention()->pruned_through(), std::uint64_t{0});
    QVERIFY(retention()->policy().find("last 720 h") != std::string::npos);
    for (std::uint64_t h = 1; h <= 4; ++h) QVERIFY(store->block(h).ok());
    close();
  }
  config_ = backend_.fresh_config();
  LedgerStore* store = open_started({.keep_everything = true, .budget_mb = 1});
  QVERIFY(store != nullptr);
  std::vector<v1::Block> chain;
  QVERIFY(append_certified(*store, 8, 2000, &chain));
  host_->env().advance(24 * 365h);
  auto pruned = retention()->prune(1000);
  QVERIFY(pruned.ok());
  QCOMPARE(*pruned, std::uint64_t{0});
  QCOMPARE(retention()->policy(), std::string("everything (retention off)"));
  for (std::uint64_t h = 1; h <= 8; ++h) QVERIFY(store->block(h).ok());
}

void StoreConformance::badRetentionConfigIsRefusedNamingTheField() {
  config_ += retention_config(backend_, {.interval_ms = 5});
  PluginHost host("conformance-" + backend_.name());
  auto plugin = host.add(backend_.library(), config_);
  QVERIFY(!plugin.ok());
  QCOMPARE(plugin.status().code(), Status::Code::kInvalidArgument);
  QVERIFY2(plugin.status().message().find("retention.interval_ms: 5 is less than 100") !=
               std::string::npos,
           plugin.status().message().c_str());
}

}  // namespace itc::test
