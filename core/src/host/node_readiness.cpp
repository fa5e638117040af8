// The node's readiness (GET /readyz): started, plugins running, blocks being committed.
#include <algorithm>

#include "host/node_impl.hpp"
#include "itc/services/ledger_store.hpp"

namespace itc::host {
namespace {

constexpr std::chrono::milliseconds kDefaultCommitWindow{10000};

}  // namespace

Node::Readiness Node::readiness() const {
  const Impl& d = *impl_;
  Readiness r;
  switch (d.phase.load()) {
    case Impl::Phase::kCreated:
      r.not_ready.push_back("the node has not started its plugins");
      break;
    case Impl::Phase::kStarting:
      r.not_ready.push_back("the node is starting its plugins");
      break;
    case Impl::Phase::kStopping:
      r.not_ready.push_back("the node is stopping");
      break;
    case Impl::Phase::kRunning:
      break;
  }
  bool orders_blocks = false;
  d.plugins->visit([&](const PluginSlot& s) {
    if (s.state == v1::UNLOADED) return;  // unloaded on purpose: no longer configured
    if (s.state != v1::RUNNING) {
      r.not_ready.push_back("plugin " + s.name + " is " + v1::LifecycleState_Name(s.state) +
                            (s.reason.empty() ? "" : ": " + s.reason));
      return;
    }
    if (!s.opened.library) return;
    const auto& needs = s.opened.library->info().requires_;
    orders_blocks = orders_blocks ||
                    std::find(needs.begin(), needs.end(), LedgerStore::kServiceName) != needs.end();
  });
  if (orders_blocks) {
    const std::uint32_t ms = d.file.node.admin().readiness_commit_window_ms();
    const std::chrono::milliseconds window =
        ms ? std::chrono::milliseconds(ms) : kDefaultCommitWindow;
    if (std::string stall = d.commits->stall(CommitWatch::Clock::now(), window); !stall.empty()) {
      r.not_ready.push_back(std::move(stall));
    }
  }
  return r;
}

std::shared_ptr<void> Node::transaction_waiting() {
  std::shared_ptr<CommitWatch> watch = impl_->commits;
  const std::uint64_t ticket = watch->transaction_submitted(CommitWatch::Clock::now());
  return std::shared_ptr<void>(nullptr,
                               [watch, ticket](void*) { watch->transaction_settled(ticket); });
}

}  // namespace itc::host
