// MessageBus: the host's implementation of itc::Bus, plus what only the host may do:
// pause a plugin's deliveries (messages are held, not dropped), stage a successor's
// handlers during a hot swap and commit or abort them, and remove a plugin's
// subscriptions before its library closes.
//
// Each subscription belongs to an owner (the plugin's slot name), has a bounded FIFO
// queue and one delivery thread. Thread safety: every method may be called from any
// thread; handlers run on their subscription's thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "itc/bus.hpp"
#include "itc/v1/node.pb.h"

namespace itc::host {

class MessageBus final : public Bus {
 public:
  // `warn` receives reports of slow subscribers and failing handlers.
  MessageBus(std::size_t queue_capacity, std::function<void(const std::string&)> warn);
  ~MessageBus() override;

  Status publish(std::string_view topic, MessagePtr msg) override;
  Status try_publish(std::string_view topic, MessagePtr msg) override;
  Status subscribe(std::string_view topic, std::string_view type_name,
                   MessageHandler handler) override;

  // Subscribes on behalf of `owner`. With `staged`, the handler is kept aside until
  // commit_staged(owner): an existing subscription of the owner to the topic keeps its
  // queue (and what it holds); a new one starts paused.
  Status subscribe_as(const std::string& owner, bool staged, std::string_view topic,
                      std::string_view type_name, MessageHandler handler);

  // Stops delivering to `owner` and waits until none of its handlers is running.
  // Messages keep queueing (publishers feel back-pressure when a queue fills).
  void pause(const std::string& owner);
  void resume(const std::string& owner);

  // Swap commit: staged handlers replace the current ones; subscriptions the successor
  // did not renew are removed (a warning reports any message they still held).
  void commit_staged(const std::string& owner);
  // Swap abort: staged handlers and staged-only subscriptions are discarded.
  void abort_staged(const std::string& owner);

  // Removes every subscription of `owner`, waiting for running handlers. Returns the
  // number of messages that were still queued for it.
  std::size_t remove_owner(const std::string& owner);

  // Waits until every queue of `owner` is empty and no handler of it runs, or `timeout`
  // passes. True if drained.
  bool wait_drained(const std::string& owner, std::chrono::milliseconds timeout);

  std::vector<v1::TopicStats> stats() const;

 private:
  struct Subscription;
  struct Topic;
  Result<std::shared_ptr<Topic>> topic_for(std::string_view name, std::string_view type,
                                           bool create);
  Status deliver(std::string_view topic, MessagePtr msg, bool wait);
  std::vector<std::shared_ptr<Subscription>> subscriptions_of(const std::string& owner) const;
  void detach(const std::shared_ptr<Subscription>& sub);

  const std::size_t capacity_;
  std::function<void(const std::string&)> warn_;
  mutable std::shared_mutex mu_;  // guards topics_ and each topic's subscriber list
  std::map<std::string, std::shared_ptr<Topic>, std::less<>> topics_;
};

}  // namespace itc::host
