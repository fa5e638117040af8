// HotSwap: one hot swap of a running plugin, as explicit steps. Node::swap runs them under
// the node's lifecycle lock:
//
//   prepare()          open, check and initialise the successor beside the running version
//                      (its subscriptions and services staged); nothing held yet
//   quiesce()          hold the plugin's messages, drain the old version
//   transfer_state()   old.export_state → successor.import_state (a versioned message)
//   start_successor()  successor.start()
//   commit()           the successor takes over the same queues in order; the old
//                      version is stopped and its library closed
//   roll_back(why)     after a failed quiesce/transfer/start: the old version resumes,
//                      the successor is discarded; returns `why`
//
// A failed prepare() changes nothing. Not thread-safe: one HotSwap, on one thread, under
// Node::Impl::ops_mu; it must not outlive the node.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "host/node_impl.hpp"

namespace itc::host {

class HotSwap {
 public:
  HotSwap(Node::Impl& node, std::string name, const v1::SwapRequest& request);
  ~HotSwap();  // discards a successor that was neither committed nor rolled back
  HotSwap(const HotSwap&) = delete;
  HotSwap& operator=(const HotSwap&) = delete;

  Status prepare();
  Status quiesce();
  Status transfer_state();
  Status start_successor();
  void commit();
  Status roll_back(Status why);

 private:
  void discard_successor();

  Node::Impl& d_;
  const std::string name_;
  const v1::SwapRequest& request_;
  PluginSlot* slot_ = nullptr;
  PluginEntry next_;     // the successor's entry: same name, new source and config
  std::string config_;   // its parsed config
  OpenedPlugin opened_;  // its library
  std::unique_ptr<PluginEnv> env_;
  std::shared_ptr<Plugin> successor_;
  std::chrono::steady_clock::time_point paused_at_{};
  std::string old_version_;
};

}  // namespace itc::host
