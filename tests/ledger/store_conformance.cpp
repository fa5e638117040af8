#include "store_conformance.hpp"

#include <QCoreApplication>
#include <QProcess>
#include <QRandomGenerator>
#include <QThread>
#include <QtTest>
#include <map>
#include <utility>
#include <vector>

#include "crash_workload.hpp"
#include "itc/crypto.hpp"
#include "ledger_fixtures.hpp"

namespace itc::test {
namespace {

using State = std::vector<std::pair<std::string, std::string>>;

v1::Transaction make_tx(int i) {
  v1::Transaction tx;
  tx.set_sender(crypto::sha256("sender " + std::to_string(i)));
  tx.set_nonce(static_cast<std::uint64_t>(i) + 1);
  tx.set_fee(10);
  if (i % 2 == 0) {
    tx.mutable_transfer()->set_to(crypto::sha256("recipient " + std::to_string(i)));
    tx.mutable_transfer()->set_amount(1000 + static_cast<std::uint64_t>(i));
  } else {
    tx.mutable_anchor()->set_data(crypto::sha256("document " + std::to_string(i)));
  }
  tx.set_signature(std::string(64, static_cast<char>(i)));
  return tx;
}

// A certificate with three commit signatures; the store keeps it, it does not check it.
v1::QuorumCertificate make_qc(const v1::Block& block) {
  v1::QuorumCertificate qc;
  qc.set_height(block.header().height());
  qc.set_view(2);
  qc.set_block_hash(block.hash());
  for (std::uint32_t v = 0; v < 3; ++v) {
    auto* sig = qc.add_signatures();
    sig->set_validator(v);
    sig->set_signature(std::string(64, static_cast<char>('a' + v)));
  }
  return qc;
}

// make_block with `transactions` transactions and, if `with_qc`, a certificate.
v1::Block full_block(std::uint64_t height, const std::string& prev, int readings, int transactions,
                     bool with_qc) {
  v1::Block block = make_block(height, prev, readings, static_cast<int>(height) * 100);
  for (int i = 0; i < transactions; ++i) *block.add_transactions() = make_tx(i);
  seal(block);
  if (with_qc) *block.mutable_qc() = make_qc(block);
  return block;
}

// A block whose readings all come from `device`, so an index row written by mistake shows.
v1::Block block_of_device(std::uint64_t height, const std::string& prev, const std::string& device,
                          int readings) {
  v1::Block block = make_block(height, prev, readings);
  for (auto& r : *block.mutable_readings()) r.set_device_id(device);
  seal(block);
  return block;
}

v1::StateDelta delta_of(std::initializer_list<std::pair<std::string, std::string>> entries) {
  v1::StateDelta delta;
  for (const auto& [key, value] : entries) {
    auto* e = delta.add_entries();
    e->set_key(key);
    e->set_value(value);
  }
  return delta;
}

State state_of(LedgerStore& store) {
  State state;
  Status s = store.scan_state([&](const std::string& k, const std::string& v) {
    state.emplace_back(k, v);
    return Status::Ok();
  });
  if (!s.ok()) qWarning("scan_state: %s", s.ToString().c_str());
  return state;
}

std::vector<std::string> serialized(const std::vector<v1::Reading>& readings) {
  std::vector<std::string> out;
  for (const auto& r : readings) out.push_back(r.SerializeAsString());
  return out;
}

std::vector<std::string> readings_of(LedgerStore& store, const std::string& device,
                                     std::uint64_t from = 0, std::size_t limit = 100000) {
  auto r = store.readings(device, from, limit);
  if (!r.ok()) {
    qWarning("readings: %s", r.status().ToString().c_str());
    return {};
  }
  return serialized(*r);
}

std::uint64_t head_height(LedgerStore& store) {
  auto head = store.head();
  return head.ok() && head->has_value() ? (*head)->header().height() : 0;
}

}  // namespace

LedgerStore* StoreConformance::open() {
  host_ = std::make_unique<PluginHost>("conformance-" + backend_.name());
  auto plugin = host_->add(backend_.library(), config_);
  if (!plugin.ok()) {
    qWarning("opening %s: %s", backend_.name().c_str(), plugin.status().ToString().c_str());
    return nullptr;
  }
  return host_->env().services().find<LedgerStore>();
}

void StoreConformance::init() { config_ = backend_.fresh_config(); }
void StoreConformance::cleanup() { close(); }

void StoreConformance::emptyLedgerHasNothing() {
  LedgerStore* store = open();
  QVERIFY(store != nullptr);
  auto head = store->head();
  QVERIFY(head.ok());
  QVERIFY(!head->has_value());
  QCOMPARE(store->block(1).status().code(), Status::Code::kNotFound);
  auto value = store->state_value("a/anything");
  QVERIFY(value.ok());
  QVERIFY(!value->has_value());
  QVERIFY(state_of(*store).empty());
  auto readings = store->readings("lamp-00001", 0, 10);
  QVERIFY(readings.ok());
  QVERIFY(readings->empty());
}

void StoreConformance::blocksRoundTripWithTransactionsAndQc() {
  // The stores keep a block as its body without readings plus the readings
  // (store-common/stored_block.cpp), field by field. A new v1.Block field must be stored
  // there and set in full_block() below, or it would be lost without this check failing.
  QCOMPARE(v1::Block::descriptor()->field_count(), 5);
  LedgerStore* store = open();
  QVERIFY(store != nullptr);
  auto b1 = full_block(1, kGenesisPrev, 3, 4, true);
  auto b2 = full_block(2, b1.hash(), 2, 0, false);
  auto b3 = full_block(3, b2.hash(), 0, 2, true);
  for (const auto* b : {&b1, &b2, &b3}) {
    Status s = store->append(*b);
    QVERIFY2(s.ok(), s.ToString().c_str());
    auto head = store->head();
    QVERIFY(head.ok() && head->has_value());
    QCOMPARE((*head)->header().SerializeAsString(), b->header().SerializeAsString());
    QCOMPARE((*head)->hash(), b->hash());
    QCOMPARE((*head)->has_qc(), b->has_qc());
    QCOMPARE((*head)->qc().SerializeAsString(), b->qc().SerializeAsString());
    QVERIFY((*head)->committed_at_us() > 0);
  }
  QCOMPARE((*store->head())->oldest_sample_us(), std::int64_t(0));  // b3 has no readings
  for (const auto* b : {&b1, &b2, &b3}) {
    auto read = store->block(b->header().height());
    QVERIFY2(read.ok(), read.status().ToString().c_str());
    QCOMPARE(read->SerializeAsString(), b->SerializeAsString());
  }
  QCOMPARE(store->block(1)->transactions_size(), 4);
  QCOMPARE(store->block(1)->qc().signatures_size(), 3);
  QVERIFY(!store->block(2)->has_qc());
  QCOMPARE(store->block(4).status().code(), Status::Code::kNotFound);
  QCOMPARE(store->block(0).status().code(), Status::Code::kNotFound);
}

void StoreConformance::emptyBlockIsAllowed() {
  LedgerStore* store = open();
  QVERIFY(store != nullptr);
  QVERIFY(store->append(make_block(1, kGenesisPrev, 0)).ok());
  auto back = store->block(1);
  QVERIFY(back.ok());
  QCOMPARE(back->readings_size(), 0);
}

void StoreConformance::wrongHeightIsRefusedAndNothingWritten() {
  LedgerStore* store = open();
  QVERIFY(store != nullptr);
  append_chain(*store, 1, {.state_entry = true});
  const State before = state_of(*store);
  const std::string head_hash = (*store->head())->hash();
  Status s = store->append(block_of_device(3, head_hash, "refused", 2), delta_of({{"x", "1"}}));
  QCOMPARE(s.code(), Status::Code::kFailedPrecondition);
  QVERIFY2(s.message().find("block 3: height must be 2 (head is 1)") != std::string::npos,
           s.message().c_str());
  Status again = store->append(block_of_device(1, kGenesisPrev, "refused", 2));
  QCOMPARE(again.code(), Status::Code::kFailedPrecondition);
  QVERIFY2(again.message().find("block 1: height must be 2") != std::string::npos,
           again.message().c_str());

  QCOMPARE(head_height(*store), 1u);
  QCOMPARE(store->block(3).status().code(), Status::Code::kNotFound);
  QVERIFY(state_of(*store) == before);
  QVERIFY(readings_of(*store, "refused").empty());
}

void StoreConformance::wrongPrevHashIsRefusedAndNothingWritten() {
  LedgerStore* store = open();
  QVERIFY(store != nullptr);
  append_chain(*store, 2, {.state_entry = true});
  const State before = state_of(*store);
  Status s = store->append(block_of_device(3, std::string(32, '\x07'), "refused", 2),
                           delta_of({{"x", "1"}}));
  QCOMPARE(s.code(), Status::Code::kFailedPrecondition);
  QVERIFY2(s.message().find("block 3: prev_hash 07070707") != std::string::npos,
           s.message().c_str());
  QVERIFY2(s.message().find("head block 2") != std::string::npos, s.message().c_str());
  QCOMPARE(head_height(*store), 2u);
  QCOMPARE(store->block(3).status().code(), Status::Code::kNotFound);
  QVERIFY(state_of(*store) == before);
  QVERIFY(readings_of(*store, "refused").empty());
}

void StoreConformance::firstBlockMustLinkToZeroHash() {
  LedgerStore* store = open();
  QVERIFY(store != nullptr);
  Status s = store->append(make_block(1, std::string(32, '\x01'), 1));
  QCOMPARE(s.code(), Status::Code::kFailedPrecondition);
  QVERIFY2(s.message().find("32 zero bytes") != std::string::npos, s.message().c_str());
  QVERIFY(!store->head()->has_value());
}

void StoreConformance::blockFailingVerificationIsCorruptionAndNothingWritten() {
  LedgerStore* store = open();
  QVERIFY(store != nullptr);
  append_chain(*store, 1, {.state_entry = true});
  const std::string prev = (*store->head())->hash();
  const State before = state_of(*store);
  const auto delta = delta_of({{"x", "1"}});

  auto bad_root = block_of_device(2, prev, "refused", 4);
  bad_root.mutable_header()->set_merkle_root(std::string(32, '\x05'));
  bad_root.set_hash(block_hash(bad_root.header()));  // hash fits, root does not
  Status s = store->append(bad_root, delta);
  QCOMPARE(s.code(), Status::Code::kCorruption);
  QVERIFY2(s.message().find("block 2") != std::string::npos, s.message().c_str());
  QVERIFY2(s.message().find("merkle_root") != std::string::npos, s.message().c_str());

  auto bad_hash = block_of_device(2, prev, "refused", 4);
  bad_hash.set_hash(std::string(32, '\x09'));
  QCOMPARE(store->append(bad_hash, delta).code(), Status::Code::kCorruption);

  auto altered = block_of_device(2, prev, "refused", 4);
  altered.mutable_readings(1)->set_value(-1.0);  // a reading changed after sealing
  QCOMPARE(store->append(altered, delta).code(), Status::Code::kCorruption);

  auto altered_tx = full_block(2, prev, 1, 2, false);
  altered_tx.mutable_transactions(0)->set_fee(0);  // a transaction changed after sealing
  Status tx_status = store->append(altered_tx, delta);
  QCOMPARE(tx_status.code(), Status::Code::kCorruption);
  QVERIFY2(tx_status.message().find("tx_root") != std::string::npos, tx_status.message().c_str());

  auto extra_tx = full_block(2, prev, 1, 2, false);
  *extra_tx.add_transactions() = make_tx(9);  // not in tx_count nor tx_root
  QCOMPARE(store->append(extra_tx, delta).code(), Status::Code::kCorruption);

  QCOMPARE(head_height(*store), 1u);
  QCOMPARE(store->block(2).status().code(), Status::Code::kNotFound);
  QVERIFY(state_of(*store) == before);
  QVERIFY(readings_of(*store, "refused").empty());
  QVERIFY(store->append(make_block(2, prev, 4), delta).ok());  // the good one still fits
}

void StoreConformance::invalidDeltaIsRefusedAndNothingWritten() {
  LedgerStore* store = open();
  QVERIFY(store != nullptr);
  append_chain(*store, 1, {.state_entry = true});
  const std::string prev = (*store->head())->hash();
  const State before = state_of(*store);
  auto block = block_of_device(2, prev, "refused", 3);

  Status empty_key = store->append(block, delta_of({{"ok", "1"}, {"", "2"}}));
  QCOMPARE(empty_key.code(), Status::Code::kInvalidArgument);
  QVERIFY2(empty_key.message().find("block 2: state delta entry 1 has an empty key") !=
               std::string::npos,
           empty_key.message().c_str());
  Status long_key = store->append(block, delta_of({{std::string(1025, 'k'), "1"}}));
  QCOMPARE(long_key.code(), Status::Code::kInvalidArgument);
  QVERIFY2(long_key.message().find("1025 bytes") != std::string::npos, long_key.message().c_str());

  QCOMPARE(head_height(*store), 1u);
  QVERIFY(state_of(*store) == before);
  QVERIFY(readings_of(*store, "refused").empty());
  QVERIFY(store->append(block, delta_of({{std::string(1024, 'k'), "1"}})).ok());
}

void StoreConformance::stateDeltaIsAppliedWithItsBlock() {
  LedgerStore* store = open();
  QVERIFY(store != nullptr);
  auto b1 = make_block(1, kGenesisPrev, 2);
  QVERIFY(
      store->append(b1, delta_of({{"a/alice", "100"}, {"a/bob", "5"}, {"d/lamp", "owner"}})).ok());
  QCOMPARE(store->state_value("a/alice")->value_or("-"), std::string("100"));
  QCOMPARE(store->state_value("d/lamp")->value_or("-"), std::string("owner"));

  // Overwrite, delete (empty value), delete a key that is not there, write a key twice
  // (the later entry wins), and a value with every byte value in it.
  std::string binary;
  for (int c = 0; c < 256; ++c) binary.push_back(static_cast<char>(c));
  auto b2 = make_block(2, b1.hash(), 2, 10);
  QVERIFY(store
              ->append(b2, delta_of({{"a/alice", "90"},
                                     {"a/bob", ""},
                                     {"a/nobody", ""},
                                     {"twice", "first"},
                                     {"twice", "second"},
                                     {"bin", binary},
                                     {"gone-again", "x"},
                                     {"gone-again", ""}}))
              .ok());
  QCOMPARE(store->state_value("a/alice")->value_or("-"), std::string("90"));
  QVERIFY(!store->state_value("a/bob")->has_value());
  QVERIFY(!store->state_value("a/nobody")->has_value());
  QVERIFY(!store->state_value("gone-again")->has_value());
  QCOMPARE(store->state_value("twice")->value_or("-"), std::string("second"));
  QCOMPARE(store->state_value("bin")->value_or("-"), binary);
  const State expected = {
      {"a/alice", "90"}, {"bin", binary}, {"d/lamp", "owner"}, {"twice", "second"}};
  QVERIFY(state_of(*store) == expected);
}

void StoreConformance::scanIsInBytewiseKeyOrder() {
  LedgerStore* store = open();
  QVERIFY(store != nullptr);
  // Prefixes, a zero byte, bytes above 0x7f (unsigned order) and non-UTF-8 keys.
  std::vector<std::string> keys = {"b",
                                   "a",
                                   std::string("a\0", 2),
                                   "ab",
                                   "A",
                                   std::string("\xff", 1),
                                   std::string("\x80z", 2),
                                   std::string("\x7f", 1),
                                   std::string("\x01\x02", 2),
                                   "a/" + std::string(32, '\xee')};
  v1::StateDelta delta;
  for (const auto& k : keys) {
    auto* e = delta.add_entries();
    e->set_key(k);
    e->set_value("v:" + k);
  }
  QVERIFY(store->append(make_block(1, kGenesisPrev, 1), delta).ok());
  std::sort(keys.begin(), keys.end());  // std::string compares as unsigned bytes
  State expected;
  for (const auto& k : keys) expected.emplace_back(k, "v:" + k);
  QVERIFY(state_of(*store) == expected);
  QCOMPARE(state_of(*store).front().first, std::string("\x01\x02", 2));
  QCOMPARE(state_of(*store).back().first, std::string("\xff", 1));
}

void StoreConformance::scanStopsAtTheVisitorsError() {
  LedgerStore* store = open();
  QVERIFY(store != nullptr);
  QVERIFY(store
              ->append(make_block(1, kGenesisPrev, 1),
                       delta_of({{"k1", "1"}, {"k2", "2"}, {"k3", "3"}}))
              .ok());
  std::vector<std::string> seen;
  Status s = store->scan_state([&](const std::string& k, const std::string&) {
    seen.push_back(k);
    return seen.size() == 2 ? Status::Aborted("enough") : Status::Ok();
  });
  QCOMPARE(s.code(), Status::Code::kAborted);
  QCOMPARE(s.message(), std::string("enough"));
  QCOMPARE(seen, (std::vector<std::string>{"k1", "k2"}));
}

void StoreConformance::readingsByDeviceFromHeightWithLimit() {
  LedgerStore* store = open();
  QVERIFY(store != nullptr);
  const std::string odd = "lamp\t7/ü";  // a tab and non-ASCII in a device id
  // Block 1: A B A; block 2: B odd; block 3: A A C.
  const std::vector<std::vector<std::string>> devices = {
      {"A", "B", "A"}, {"B", odd}, {"A", "A", "C"}};
  std::map<std::string, std::vector<std::pair<std::uint64_t, std::string>>> by_device;
  std::string prev = kGenesisPrev;
  int n = 0;
  for (std::size_t b = 0; b < devices.size(); ++b) {
    const auto height = static_cast<std::uint64_t>(b + 1);
    v1::Block block = make_block(height, prev, 0);
    for (const auto& d : devices[b]) {
      auto r = make_reading(n++);
      r.set_device_id(d);
      by_device[d].emplace_back(height, r.SerializeAsString());
      *block.add_readings() = r;
    }
    seal(block);
    QVERIFY(store->append(block).ok());
    prev = block.hash();
  }
  auto expect = [&](const std::string& d, std::uint64_t from, std::size_t limit) {
    std::vector<std::string> out;
    for (const auto& [h, bytes] : by_device[d]) {
      if (h >= from && out.size() < limit) out.push_back(bytes);
    }
    return out;
  };
  QCOMPARE(readings_of(*store, "A"), expect("A", 0, 100));
  QCOMPARE(readings_of(*store, "A").size(), std::size_t(4));
  QCOMPARE(readings_of(*store, "A", 2), expect("A", 2, 100));  // block 3's two only
  QCOMPARE(readings_of(*store, "A", 2).size(), std::size_t(2));
  QCOMPARE(readings_of(*store, "A", 0, 3), expect("A", 0, 3));  // the earliest three
  QCOMPARE(readings_of(*store, "B", 1), expect("B", 1, 100));
  QCOMPARE(readings_of(*store, odd), expect(odd, 0, 100));
  QCOMPARE(readings_of(*store, odd).size(), std::size_t(1));
  QVERIFY(readings_of(*store, "B", 3).empty());
  QVERIFY(readings_of(*store, "A", 0, 0).empty());
  QVERIFY(readings_of(*store, "nobody").empty());
  QVERIFY(readings_of(*store, "A", ~std::uint64_t(0)).empty());
}

void StoreConformance::reopenGivesTheSameHeadStateAndReadings() {
  LedgerStore* store = open();
  QVERIFY(store != nullptr);
  auto b1 = full_block(1, kGenesisPrev, 4, 1, false);
  auto b2 = full_block(2, b1.hash(), 6, 2, true);
  QVERIFY(store->append(b1, delta_of({{"a/x", "1"}, {"a/y", "2"}})).ok());
  QVERIFY(store->append(b2, delta_of({{"a/x", ""}, {"a/z", "3"}})).ok());
  const auto head = *store->head();
  const State state = state_of(*store);
  const auto readings = readings_of(*store, b2.readings(0).device_id());
  QVERIFY(!readings.empty());
  close();

  store = open();
  QVERIFY(store != nullptr);
  auto reopened = store->head();
  QVERIFY(reopened.ok() && reopened->has_value());
  QCOMPARE((*reopened)->SerializeAsString(), head->SerializeAsString());  // qc, times too
  QVERIFY(state_of(*store) == state);
  QCOMPARE(readings_of(*store, b2.readings(0).device_id()), readings);
  QCOMPARE(store->block(2)->SerializeAsString(), b2.SerializeAsString());
  QVERIFY(store->append(make_block(3, b2.hash(), 1)).ok());
}

// Two store instances on one ledger (as during a hot swap, the old and the new plugin
// version): the one whose view of the head is stale is refused, never forks the chain.
void StoreConformance::secondWriterOnTheSameLedgerCannotFork() {
  LedgerStore* first = open();
  QVERIFY(first != nullptr);
  PluginHost other("conformance-other");
  auto plugin = other.add(backend_.library(), config_);
  QVERIFY2(plugin.ok(), plugin.status().ToString().c_str());
  LedgerStore* second = other.env().services().find<LedgerStore>();
  QVERIFY(second != nullptr);

  auto b1 = make_block(1, kGenesisPrev, 2);
  QVERIFY(first->append(b1, delta_of({{"k", "first"}})).ok());
  auto fork = make_block(1, kGenesisPrev, 3);  // built by a writer that has not seen b1
  Status s = second->append(fork, delta_of({{"k", "fork"}}));
  QCOMPARE(s.code(), Status::Code::kFailedPrecondition);
  QVERIFY2(s.message().find("block 1: height must be 2") != std::string::npos, s.message().c_str());
  QCOMPARE(first->state_value("k")->value_or("-"), std::string("first"));
  QVERIFY(second->append(make_block(2, b1.hash(), 1)).ok());
  QCOMPARE(first->block(2)->header().prev_hash(), b1.hash());
}

// A writer process SIGKILLed part-way, several times (each writer continues from the head
// the last one left): every height it acknowledged is there, the head verifies, and the
// state is exactly the sum of the deltas up to the head.
void StoreConformance::killedWriterLosesNothingAcknowledged() {
  const QString writer = QCoreApplication::applicationDirPath() + "/store_crash_writer";
  std::uint64_t acked = 0;
  std::vector<v1::Block> chain;  // the workload's blocks, rebuilt here to compare
  for (int round = 0; round < 8; ++round) {
    QProcess process;
    process.start(writer, {QString::fromStdString(backend_.library()),
                           QString::fromStdString(crypto::to_hex(config_))});
    QVERIFY2(process.waitForStarted(), qPrintable(process.errorString()));
    const std::uint64_t target = acked + 10;
    std::uint64_t last = acked;
    auto take_lines = [&] {
      while (process.canReadLine()) last = process.readLine().trimmed().toULongLong();
    };
    // (A hang guard, not a timing criterion: a writer silent for a minute is stuck.)
    while (last < target && process.waitForReadyRead(60000)) take_lines();
    // A random pause of up to a few appends' time spreads the kills over every phase of an
    // append: encoding, the inserts, the commit.
    QThread::usleep(QRandomGenerator::global()->bounded(8000));
    process.kill();  // SIGKILL: no destructor, no rollback, no flush
    process.waitForFinished();
    take_lines();  // heights printed before the kill count as acknowledged
    QVERIFY2(last >= target, qPrintable("the writer stopped early: " +
                                        QString::fromLocal8Bit(process.readAllStandardError())));
    acked = last;

    LedgerStore* store = open();
    QVERIFY(store != nullptr);
    const std::uint64_t head = head_height(*store);
    qInfo("round %d: %llu acknowledged, head %llu", round, static_cast<unsigned long long>(acked),
          static_cast<unsigned long long>(head));
    // At most one block can be committed without its acknowledgement having been printed.
    QVERIFY2(head >= acked && head <= acked + 1,
             qPrintable(QString("head %1, acknowledged %2").arg(head).arg(acked)));
    while (chain.size() < head) {
      const std::string prev = chain.empty() ? kGenesisPrev : chain.back().hash();
      chain.push_back(crash::block(chain.size() + 1, prev));
    }
    for (std::uint64_t h = 1; h <= head; ++h) {
      auto stored = store->block(h);  // block() verifies what it reads
      QVERIFY2(stored.ok(), stored.status().ToString().c_str());
      QCOMPARE(stored->hash(), chain[h - 1].hash());
    }
    QCOMPARE((*store->head())->hash(), chain[head - 1].hash());
    State expected;
    for (const auto& kv : crash::state_after(head)) expected.push_back(kv);
    QVERIFY2(state_of(*store) == expected, "state is not the sum of the deltas up to the head");
    QCOMPARE(store->state_value("counter")->value_or("-"), std::to_string(head));
    const std::string device = chain[0].readings(7).device_id();
    std::vector<std::string> device_readings;
    for (std::uint64_t h = 1; h <= head; ++h) {
      for (const auto& r : chain[h - 1].readings()) {
        if (r.device_id() == device) device_readings.push_back(r.SerializeAsString());
      }
    }
    QCOMPARE(readings_of(*store, device), device_readings);
    acked = head;  // the next writer continues from the head
    close();
  }
}

}  // namespace itc::test
