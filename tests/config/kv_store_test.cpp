// The plugins' durable key-value store: what a plugin puts is there after a restart, and
// one plugin never sees another's keys.
#include "host/kv_store.hpp"

#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <thread>
#include <vector>

using itc::host::KvStore;

namespace {

std::unique_ptr<KvStore> open_or_die(const std::string& path) {
  auto store = KvStore::open(path);
  if (!store.ok()) qFatal("%s", store.status().ToString().c_str());
  return std::move(*store);
}

std::optional<std::string> get_or_die(KvStore& store, std::string_view ns, std::string_view key) {
  auto v = store.get(ns, key);
  if (!v.ok()) qFatal("%s", v.status().ToString().c_str());
  return *v;
}

}  // namespace

class KvStoreTest : public QObject {
  Q_OBJECT

 private slots:
  void init() {
    dir_ = std::make_unique<QTemporaryDir>();
    QVERIFY(dir_->isValid());
    path_ = dir_->path().toStdString() + "/data/node-1/kv.sqlite";
  }

  void put_get_erase() {
    auto store = open_or_die(path_);
    QVERIFY(!get_or_die(*store, "a", "k").has_value());
    QVERIFY(store->put("a", "k", "v1").ok());
    QCOMPARE(get_or_die(*store, "a", "k"), std::optional<std::string>("v1"));
    QVERIFY(store->put("a", "k", "v2").ok());
    QCOMPARE(get_or_die(*store, "a", "k"), std::optional<std::string>("v2"));
    QVERIFY(store->erase("a", "k").ok());
    QVERIFY(!get_or_die(*store, "a", "k").has_value());
    QVERIFY(store->erase("a", "k").ok());  // erasing an absent key is fine
  }

  void values_and_keys_are_bytes_and_empty_is_not_absent() {
    auto store = open_or_die(path_);
    const std::string binary("\x00\x01\xff\x00z", 5);
    QVERIFY(store->put("a", binary, binary).ok());
    QCOMPARE(get_or_die(*store, "a", binary), std::optional<std::string>(binary));
    QVERIFY(!get_or_die(*store, "a", std::string("\x00\x01", 2)).has_value());
    QVERIFY(store->put("a", "empty", "").ok());
    auto empty = get_or_die(*store, "a", "empty");
    QVERIFY(empty.has_value());
    QVERIFY(empty->empty());
  }

  void namespaces_are_isolated() {
    auto store = open_or_die(path_);
    QVERIFY(store->put("sim-lighting", "cursor", "1").ok());
    QVERIFY(store->put("normalize", "cursor", "2").ok());
    QCOMPARE(get_or_die(*store, "sim-lighting", "cursor"), std::optional<std::string>("1"));
    QCOMPARE(get_or_die(*store, "normalize", "cursor"), std::optional<std::string>("2"));
    QVERIFY(store->erase("normalize", "cursor").ok());
    QCOMPARE(get_or_die(*store, "sim-lighting", "cursor"), std::optional<std::string>("1"));

    itc::host::NamespacedStore a(store.get(), "a");
    itc::host::NamespacedStore b(store.get(), "b");
    QVERIFY(a.put("x", "from a").ok());
    QVERIFY(!b.get("x")->has_value());
    QCOMPARE(*a.get("x").value(), std::string("from a"));
    QVERIFY(b.erase("x").ok());
    QVERIFY(a.get("x")->has_value());
  }

  void values_survive_reopening() {
    {
      auto store = open_or_die(path_);
      QVERIFY(store->put("solo", "height", "42").ok());
      QVERIFY(store->put("solo", "gone", "x").ok());
      QVERIFY(store->erase("solo", "gone").ok());
    }
    auto again = open_or_die(path_);
    QCOMPARE(get_or_die(*again, "solo", "height"), std::optional<std::string>("42"));
    QVERIFY(!get_or_die(*again, "solo", "gone").has_value());
  }

  void concurrent_writers_lose_nothing() {
    auto store = open_or_die(path_);
    constexpr int kThreads = 4;
    constexpr int kEach = 200;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&store, t] {
        for (int i = 0; i < kEach; ++i) {
          const std::string key = std::to_string(t) + ":" + std::to_string(i);
          if (!store->put("ns" + std::to_string(t), key, key).ok()) qFatal("put failed");
        }
      });
    }
    for (auto& th : threads) th.join();
    for (int t = 0; t < kThreads; ++t) {
      for (int i = 0; i < kEach; i += 37) {
        const std::string key = std::to_string(t) + ":" + std::to_string(i);
        QCOMPARE(get_or_die(*store, "ns" + std::to_string(t), key),
                 std::optional<std::string>(key));
      }
    }
  }

  void a_file_that_is_not_a_store_is_refused_with_its_path() {
    const std::string junk = dir_->path().toStdString() + "/junk.sqlite";
    std::ofstream(junk) << std::string(4096, 'j');
    auto store = KvStore::open(junk);
    QVERIFY(!store.ok());
    QCOMPARE(store.status().code(), itc::Status::Code::kCorruption);
    QVERIFY(store.status().message().find(junk) != std::string::npos);
  }

  void uses_wal_journal() {
    auto store = open_or_die(path_);
    QVERIFY(store->put("a", "k", "v").ok());
    QVERIFY(QFile::exists(QString::fromStdString(path_ + "-wal")));
  }

 private:
  std::unique_ptr<QTemporaryDir> dir_;
  std::string path_;
};

QTEST_GUILESS_MAIN(KvStoreTest)
#include "kv_store_test.moc"
