// The store-sqlite plugin: opens the ledger in initialise() and provides it as
// itc.ledger-store.v2 until stop().
#include <memory>
#include <string>

#include "itc/abi.hpp"
#include "itc/typed_plugin.hpp"
#include "sqlite_ledger_store.hpp"
#include "store_sqlite_config.pb.h"

namespace itc::store_sqlite {
namespace {

class StoreSqlitePlugin final : public TypedPlugin<Config> {
 public:
  Status configure(HostEnv& env, const Config& config) override {
    std::string path = config.path().empty() ? env.data_dir() + "/ledger.sqlite" : config.path();
    auto store = SqliteLedgerStore::open(path, env.clock());
    if (!store.ok()) return store.status();
    store_ = std::move(*store);
    if (Status s = env.services().provide<LedgerStore>(store_.get()); !s.ok()) {
      store_.reset();
      return s.WithContext("store-sqlite: providing " + std::string(LedgerStore::kServiceName));
    }
    auto head = store_->head();
    env.log().info("ledger " + path + " opened at height " +
                   std::to_string(head.ok() && head->has_value() ? (*head)->header().height() : 0));
    return Status::Ok();
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
