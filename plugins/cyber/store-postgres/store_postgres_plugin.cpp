// The store-postgres plugin: connects and opens the ledger in initialise() and provides it
// as itc.ledger-store.v2 until stop().
#include <memory>
#include <string>

#include "itc/abi.hpp"
#include "itc/typed_plugin.hpp"
#include "postgres_ledger_store.hpp"
#include "store_postgres_config.pb.h"

namespace itc::store_postgres {
namespace {

class StorePostgresPlugin final : public TypedPlugin<Config> {
 public:
  Status check_config(const Config& config) const override {
    ITC_RETURN_IF_ERROR(check_connection_string(config.connection()));
    if (!config.schema().empty()) ITC_RETURN_IF_ERROR(check_schema_name(config.schema()));
    return Status::Ok();
  }

  Status configure(HostEnv& env, const Config& config) override {
    PgSettings settings;
    settings.connection = config.connection();
    settings.schema = config.schema().empty() ? std::string(kDefaultSchema) : config.schema();
    if (!config.password_file().empty()) {
      auto password = read_password_file(config.password_file());
      if (!password.ok()) return password.status();
      settings.password = std::move(*password);
    }
    auto store = PostgresLedgerStore::open(std::move(settings), env.clock());
    if (!store.ok()) return store.status();
    store_ = std::move(*store);
    if (Status s = env.services().provide<LedgerStore>(store_.get()); !s.ok()) {
      store_.reset();
      return s.WithContext("store-postgres: providing " + std::string(LedgerStore::kServiceName));
    }
    auto head = store_->head();
    env.log().info("ledger in " + store_->where() + " opened at height " +
                   std::to_string(head.ok() && head->has_value() ? (*head)->header().height() : 0));
    return Status::Ok();
  }

  Status start() noexcept override { return Status::Ok(); }
  Status drain() noexcept override { return Status::Ok(); }
  void stop() noexcept override { store_.reset(); }

 private:
  std::unique_ptr<PostgresLedgerStore> store_;
};

}  // namespace
}  // namespace itc::store_postgres

ITC_PLUGIN(itc::store_postgres::StorePostgresPlugin, "store-postgres", "1.0.0", "cyber",
           "itc.store_postgres.Config", "itc.ledger-store.v2", "")
