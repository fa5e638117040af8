// The store-postgres plugin: connects and opens the ledger in initialise() and provides it
// as itc.ledger-store.v2 and itc.ledger-retention.v1 until stop(); prunes on a timer while
// running.
#include <memory>
#include <string>

#include "itc/abi.hpp"
#include "itc/typed_plugin.hpp"
#include "postgres_ledger_store.hpp"
#include "retention_runner.hpp"
#include "store_postgres_config.pb.h"

namespace itc::store_postgres {
namespace {

store_common::RetentionConfig retention_config(const Config& config) {
  const Retention& r = config.retention();
  return {r.keep_everything(), r.keep_hours(), r.budget_mb(), r.interval_ms(), r.batch_blocks()};
}

class StorePostgresPlugin final : public TypedPlugin<Config> {
 public:
  Status check_config(const Config& config) const override {
    ITC_RETURN_IF_ERROR(check_connection_string(config.connection()));
    if (!config.schema().empty()) ITC_RETURN_IF_ERROR(check_schema_name(config.schema()));
    return store_common::check_retention_config(retention_config(config));
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
    const auto policy = store_common::retention_policy(retention_config(config));
    auto store = PostgresLedgerStore::open(std::move(settings), env.clock(), policy);
    if (!store.ok()) return store.status();
    store_ = std::move(*store);
    if (Status s = env.services().provide<LedgerStore>(store_.get()); !s.ok()) {
      store_.reset();
      return s.WithContext("store-postgres: providing " + std::string(LedgerStore::kServiceName));
    }
    if (Status s = env.services().provide<LedgerRetention>(store_.get()); !s.ok()) {
      store_.reset();
      return s.WithContext("store-postgres: providing " +
                           std::string(LedgerRetention::kServiceName));
    }
    PostgresLedgerStore* store_ptr = store_.get();
    runner_ = std::make_unique<store_common::RetentionRunner>(
        env, *store_, policy, [store_ptr] { return store_ptr->kept_bytes(); });
    auto head = store_->head();
    env.log().info("ledger in " + store_->where() + " opened at height " +
                   std::to_string(head.ok() && head->has_value() ? (*head)->header().height() : 0));
    return Status::Ok();
  }

  Status start() noexcept override {
    runner_->start();
    return Status::Ok();
  }
  Status drain() noexcept override { return Status::Ok(); }
  void stop() noexcept override {
    runner_.reset();  // cancels the timer first
    store_.reset();
  }

 private:
  std::unique_ptr<PostgresLedgerStore> store_;
  std::unique_ptr<store_common::RetentionRunner> runner_;
};

}  // namespace
}  // namespace itc::store_postgres

ITC_PLUGIN(itc::store_postgres::StorePostgresPlugin, "store-postgres", "1.1.0", "cyber",
           "itc.store_postgres.Config", "itc.ledger-store.v2,itc.ledger-retention.v1", "")
