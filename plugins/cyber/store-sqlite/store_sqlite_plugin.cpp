// The store-sqlite plugin: opens the ledger in initialise() and provides it as
// itc.ledger-store.v2 until stop().
#include <memory>
#include <string>

#include "itc/abi.hpp"
#include "itc/plugin.hpp"
#include "sqlite_ledger_store.hpp"
#include "store_sqlite_config.pb.h"

namespace itc::store_sqlite {
namespace {

Result<Config> parse_config(std::string_view bytes) {
  Config config;
  if (!config.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::InvalidArgument("config: not a valid itc.store_sqlite.Config message");
  }
  return config;
}

class StoreSqlitePlugin final : public Plugin {
 public:
  Status validate_config(std::string_view config) const noexcept override {
    try {
      auto parsed = parse_config(config);
      return parsed.ok() ? Status::Ok() : parsed.status();
    } catch (const std::exception& e) {
      return Status::Internal(std::string("store-sqlite: ") + e.what());
    }
  }

  Status initialise(HostEnv& env, std::string_view config_bytes) noexcept override {
    try {
      auto config = parse_config(config_bytes);
      if (!config.ok()) return config.status();
      std::string path =
          config->path().empty() ? env.data_dir() + "/ledger.sqlite" : config->path();
      auto store = SqliteLedgerStore::open(path, env.clock());
      if (!store.ok()) return store.status();
      store_ = std::move(*store);
      if (Status s = env.services().provide<LedgerStore>(store_.get()); !s.ok()) {
        store_.reset();
        return s.WithContext("store-sqlite: providing " + std::string(LedgerStore::kServiceName));
      }
      auto head = store_->head();
      env.log().info(
          "ledger " + path + " opened at height " +
          std::to_string(head.ok() && head->has_value() ? (*head)->header().height() : 0));
      return Status::Ok();
    } catch (const std::exception& e) {
      return Status::Internal(std::string("store-sqlite: initialise: ") + e.what());
    }
  }

  Status start() noexcept override { return Status::Ok(); }
  Status drain() noexcept override { return Status::Ok(); }
  void stop() noexcept override { store_.reset(); }

 private:
  std::unique_ptr<SqliteLedgerStore> store_;
};

}  // namespace
}  // namespace itc::store_sqlite

ITC_PLUGIN(itc::store_sqlite::StoreSqlitePlugin, "store-sqlite", "2.0.0", "cyber",
           "itc.store_sqlite.Config", "itc.ledger-store.v2", "")
