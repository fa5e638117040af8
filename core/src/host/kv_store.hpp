// KvStore: the durable key-value store behind HostEnv::storage(). One SQLite file
// (WAL journal, synchronous=FULL) with table kv(ns, key, value, PRIMARY KEY(ns, key));
// each plugin gets its own namespace (its name), so plugins never see each other's keys.
// Keys and values are arbitrary bytes.
//
// Thread safety: all methods may be called from any thread (one mutex serialises them).
// Durability: put() and erase() return after the change is synced to disk.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "itc/host_env.hpp"
#include "itc/status.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace itc::host {

class KvStore {
 public:
  // Opens (creating the file and its parent directories if needed) the store at `path`.
  // Unavailable if the file is locked by another writer for too long; Corruption if the
  // file is not a usable store; Internal for other SQLite failures. Each names the path.
  static Result<std::unique_ptr<KvStore>> open(const std::string& path);
  ~KvStore();
  KvStore(const KvStore&) = delete;
  KvStore& operator=(const KvStore&) = delete;

  // Stores `value` under (ns, key), replacing any previous value. Durable on return.
  Status put(std::string_view ns, std::string_view key, std::string_view value);
  // The value under (ns, key), or nullopt if there is none.
  Result<std::optional<std::string>> get(std::string_view ns, std::string_view key);
  // Removes (ns, key); OK also when it was absent.
  Status erase(std::string_view ns, std::string_view key);

  const std::string& path() const { return path_; }

 private:
  KvStore() = default;
  Status sqlite_error(std::string_view what) const;

  std::mutex mu_;
  std::string path_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* put_ = nullptr;
  sqlite3_stmt* get_ = nullptr;
  sqlite3_stmt* erase_ = nullptr;
};

// A plugin's view of the store: HostEnv::storage() for the plugin named `ns`. The store
// must outlive the view.
class NamespacedStore final : public KeyValueStore {
 public:
  NamespacedStore(KvStore* store, std::string ns) : store_(store), ns_(std::move(ns)) {}
  Status put(std::string_view key, std::string_view value) override {
    return store_->put(ns_, key, value);
  }
  Result<std::optional<std::string>> get(std::string_view key) override {
    return store_->get(ns_, key);
  }
  Status erase(std::string_view key) override { return store_->erase(ns_, key); }

 private:
  KvStore* store_;
  std::string ns_;
};

}  // namespace itc::host
