// The pbft plugin: the PBFT main chain (replica.hpp) as a cyber-layer plugin, behind the
// same interface as solo: readings from topics::kReadings go into blocks, committed
// blocks go to the itc.ledger-store.v2 service and out on topics::kBlocks. It also
// provides the node's TransactionPool, and with `dag: true` its DeviceTransactions (the DAG
// side chain, dag_link.hpp).
#include <memory>
#include <string>

#include "itc/abi.hpp"
#include "itc/bus.hpp"
#include "itc/typed_plugin.hpp"
#include "pbft_config.pb.h"
#include "pbft_node.hpp"

namespace itc::pbft {
namespace {

Result<NodeSettings> parse_settings(const Config& c) {
  NodeSettings s;
  if (c.genesis_file().empty()) return Status::InvalidArgument("genesis_file: required");
  if (c.identity_key_file().empty()) return Status::InvalidArgument("identity_key_file: required");
  s.genesis_file = c.genesis_file();
  s.identity_key_file = c.identity_key_file();
  s.listen_address = c.listen_address();
  s.joining_proposal = c.joining_proposal();
  auto& r = s.replica;
  if (c.has_batch_max_requests()) r.batch_max_requests = c.batch_max_requests();
  if (c.has_batch_delay_ms()) r.batch_delay = std::chrono::milliseconds(c.batch_delay_ms());
  if (c.has_pipeline_window()) r.pipeline_window = c.pipeline_window();
  if (c.has_checkpoint_interval()) r.checkpoint_interval = c.checkpoint_interval();
  if (c.has_view_change_timeout_ms()) {
    r.view_change_timeout = std::chrono::milliseconds(c.view_change_timeout_ms());
  }
  if (c.has_max_block_readings()) r.max_block_readings = c.max_block_readings();
  if (c.has_request_timeout_ms())
    r.request_timeout = std::chrono::milliseconds(c.request_timeout_ms());
  if (c.has_sync_votes()) s.sync_votes = c.sync_votes();
  if (c.has_max_pending_readings()) s.max_pending_readings = c.max_pending_readings();
  if (c.has_max_pending_handshakes()) s.max_pending_handshakes = c.max_pending_handshakes();
  if (c.has_max_pending_handshakes_per_address()) {
    s.max_pending_handshakes_per_address = c.max_pending_handshakes_per_address();
  }
  if (c.has_dag()) s.dag = c.dag();
  if (c.role() == "follower") {
    s.follower = true;
    r.follower = true;
    if (c.listen_address().empty()) {
      return Status::InvalidArgument(
          "listen_address: required with role follower (the validators dial it there)");
    }
    if (!c.joining_proposal().empty()) {
      return Status::InvalidArgument("joining_proposal: a follower joins no validator set");
    }
    if (c.followers_size() > 0) {
      return Status::InvalidArgument("followers: only a validator accepts followers");
    }
  } else if (!c.role().empty() && c.role() != "validator") {
    return Status::InvalidArgument("role: \"" + c.role() +
                                   "\" is not a role; expected validator or follower");
  }
  for (int i = 0; i < c.followers_size(); ++i) {
    const Follower& f = c.followers(i);
    const std::string at = "followers[" + std::to_string(i) + "]";
    if (f.name().empty()) return Status::InvalidArgument(at + ".name: required");
    if (f.public_key().size() != 32) {
      return Status::InvalidArgument(at + ".public_key: " + std::to_string(f.public_key().size()) +
                                     " bytes; an Ed25519 key is 32 (\"hex:<64 hex digits>\")");
    }
    if (f.address().empty()) return Status::InvalidArgument(at + ".address: required");
    for (const auto& other : s.followers) {
      if (other.public_key == f.public_key()) {
        return Status::InvalidArgument(at + ".public_key: listed twice");
      }
    }
    s.followers.push_back({f.name(), f.public_key(), f.address()});
  }
  if (c.has_milestone_interval_ms())
    r.milestone_interval = std::chrono::milliseconds(c.milestone_interval_ms());
  // The value ranges are the proto's (itc.v1.range): the host checked them already.
  if (r.pipeline_window > 2 * r.checkpoint_interval) {
    return Status::InvalidArgument("pipeline_window: must not exceed twice checkpoint_interval (" +
                                   std::to_string(2 * r.checkpoint_interval) + ")");
  }
  return s;
}

class PbftPlugin final : public TypedPlugin<Config> {
 public:
  Status check_config(const Config& config) const override {
    auto s = parse_settings(config);
    return s.ok() ? Status::Ok() : s.status();
  }

  Status configure(HostEnv& env, const Config& config) override {
    auto settings = parse_settings(config);
    if (!settings.ok()) return settings.status();
    env_ = &env;
    auto node = PbftNode::create(env, std::move(*settings));
    if (!node.ok()) return node.status();
    node_ = std::move(*node);
    ITC_RETURN_IF_ERROR(env.services().provide(TransactionPool::kServiceName,
                                               static_cast<TransactionPool*>(node_.get())));
    if (config.dag()) {
      ITC_RETURN_IF_ERROR(env.services().provide(DeviceTransactions::kServiceName,
                                                 static_cast<DeviceTransactions*>(node_.get())));
    }
    return env.bus().subscribe<v1::Reading>(topics::kReadings, [this](const v1::Reading& r) {
      if (node_) node_->add_reading(r);
    });
  }

  Status start() noexcept override {
    return guard("pbft: start",
                 [&]() -> Status { return node_->start(env_->services().find<LedgerStore>()); });
  }

  // Stops ordering; blocks already executed are stored before this returns if the store
  // takes them. Readings accepted here and not in a stored block are saved to the journal
  // and proposed again at the next start; if that fails, the error says how many are lost.
  Status drain() noexcept override {
    return guard("pbft: drain", [&]() -> Status {
      node_->stop();
      return node_->save_backlog();
    });
  }

  void stop() noexcept override {
    if (node_) node_->stop();
  }

 private:
  HostEnv* env_ = nullptr;
  std::unique_ptr<PbftNode> node_;
};

}  // namespace
}  // namespace itc::pbft

ITC_PLUGIN(itc::pbft::PbftPlugin, "pbft", "1.0.0", "cyber", "itc.pbft.Config",
           "itc.transaction-pool.v1,itc.device-transactions.v1", "itc.ledger-store.v2")
