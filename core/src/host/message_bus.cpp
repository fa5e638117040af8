#include "host/message_bus.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <thread>

namespace itc::host {

using namespace std::chrono_literals;

struct MessageBus::Subscription {
  std::string owner;
  std::string topic;
  std::size_t capacity = 0;

  std::mutex mu;
  std::condition_variable has_work;   // delivery thread waits here
  std::condition_variable has_space;  // publishers wait here
  std::condition_variable idle;       // pause() waits here for the running handler
  std::deque<MessagePtr> queue;
  MessageHandler handler;
  MessageHandler staged_handler;
  bool staged_only = false;  // created by a successor during a swap; inactive until commit
  bool paused = false;
  bool in_handler = false;
  bool stopping = false;
  int waiting_publishers = 0;
  std::uint64_t delivered = 0;
  std::thread thread;

  void run(const std::function<void(const std::string&)>& warn) {
    std::unique_lock lock(mu);
    for (;;) {
      has_work.wait(lock, [&] { return stopping || (!paused && !queue.empty() && handler); });
      if (stopping) return;
      MessagePtr msg = std::move(queue.front());
      queue.pop_front();
      if (waiting_publishers > 0) has_space.notify_all();
      in_handler = true;
      MessageHandler h = handler;
      lock.unlock();
      try {
        h(msg);
      } catch (const std::exception& e) {
        warn("handler of " + owner + " on " + topic + " threw: " + e.what());
      } catch (...) {
        warn("handler of " + owner + " on " + topic + " threw a non-standard exception");
      }
      lock.lock();
      in_handler = false;
      ++delivered;
      if (paused || stopping) idle.notify_all();
    }
  }
};

struct MessageBus::Topic {
  std::string name;
  std::string type;
  std::vector<std::shared_ptr<Subscription>> subs;  // guarded by MessageBus::mu_
  std::atomic<std::uint64_t> published{0};
  std::atomic<std::uint64_t> blocked{0};
  std::atomic<std::uint64_t> retired_delivered{0};  // from removed subscriptions
};

MessageBus::MessageBus(std::size_t queue_capacity, std::function<void(const std::string&)> warn)
    : capacity_(queue_capacity ? queue_capacity : 8192), warn_(std::move(warn)) {
  if (!warn_) warn_ = [](const std::string&) {};
}

MessageBus::~MessageBus() {
  std::vector<std::shared_ptr<Subscription>> all;
  {
    std::unique_lock lock(mu_);
    for (auto& [name, t] : topics_) all.insert(all.end(), t->subs.begin(), t->subs.end());
    topics_.clear();
  }
  for (auto& s : all) detach(s);
}

Result<std::shared_ptr<MessageBus::Topic>> MessageBus::topic_for(std::string_view name,
                                                                 std::string_view type,
                                                                 bool create) {
  {
    std::shared_lock lock(mu_);
    auto it = topics_.find(name);
    if (it != topics_.end()) {
      if (it->second->type != type) {
        return Status::InvalidArgument("topic '" + std::string(name) + "' carries " +
                                       it->second->type + ", not " + std::string(type));
      }
      return it->second;
    }
  }
  if (!create) return std::shared_ptr<Topic>();
  std::unique_lock lock(mu_);
  auto& slot = topics_[std::string(name)];
  if (!slot) {
    slot = std::make_shared<Topic>();
    slot->name = std::string(name);
    slot->type = std::string(type);
  } else if (slot->type != type) {
    return Status::InvalidArgument("topic '" + std::string(name) + "' carries " + slot->type +
                                   ", not " + std::string(type));
  }
  return slot;
}

Status MessageBus::publish(std::string_view topic, MessagePtr msg) {
  return deliver(topic, std::move(msg), true);
}

Status MessageBus::try_publish(std::string_view topic, MessagePtr msg) {
  return deliver(topic, std::move(msg), false);
}

Status MessageBus::deliver(std::string_view topic, MessagePtr msg, bool wait) {
  if (!msg) return Status::InvalidArgument("publish on '" + std::string(topic) + "': null message");
  auto t = topic_for(topic, msg->GetDescriptor()->full_name(), true);
  if (!t.ok()) return t.status();
  // The host keeps its own copy: the publisher's shared_ptr control block is code of the
  // publishing plugin, which may be unloaded (hot swap) while the message is still queued.
  {
    google::protobuf::Message* copy = msg->New();
    copy->CopyFrom(*msg);
    msg = MessagePtr(copy);
  }
  std::vector<std::shared_ptr<Subscription>> subs;
  {
    std::shared_lock lock(mu_);
    subs = (*t)->subs;
  }
  if (!wait) {
    // All or nothing: lock every queue (in a fixed order), check room, then enqueue.
    std::vector<std::unique_lock<std::mutex>> locks;
    locks.reserve(subs.size());
    for (auto& s : subs) locks.emplace_back(s->mu);
    for (auto& s : subs) {
      if (s->queue.size() >= s->capacity) {
        (*t)->blocked.fetch_add(1);
        return Status::Unavailable("topic '" + std::string(topic) + "': queue of " + s->owner +
                                   " is full");
      }
    }
    for (auto& s : subs) {
      s->queue.push_back(msg);
      s->has_work.notify_one();
    }
    (*t)->published.fetch_add(1);
    return Status::Ok();
  }
  for (auto& s : subs) {
    std::unique_lock lock(s->mu);
    if (s->queue.size() >= s->capacity && !s->stopping) {
      (*t)->blocked.fetch_add(1);
      auto started = std::chrono::steady_clock::now();
      ++s->waiting_publishers;
      while (s->queue.size() >= s->capacity && !s->stopping) {
        if (!s->has_space.wait_for(lock, 1s,
                                   [&] { return s->queue.size() < s->capacity || s->stopping; })) {
          auto secs = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::steady_clock::now() - started)
                          .count();
          warn_("slow subscriber: " + s->owner + " on '" + std::string(topic) + "' has held " +
                std::to_string(s->queue.size()) + " messages for " + std::to_string(secs) +
                " s; its publishers are waiting" + (s->paused ? " (deliveries paused)" : ""));
        }
      }
      --s->waiting_publishers;
    }
    if (s->stopping) continue;  // removed while we waited: it no longer subscribes
    s->queue.push_back(msg);
    s->has_work.notify_one();
  }
  (*t)->published.fetch_add(1);
  return Status::Ok();
}

Status MessageBus::subscribe(std::string_view topic, std::string_view type_name,
                             MessageHandler handler) {
  return subscribe_as("host", false, topic, type_name, std::move(handler));
}

Status MessageBus::subscribe_as(const std::string& owner, bool staged, std::string_view topic,
                                std::string_view type_name, MessageHandler handler) {
  if (!handler)
    return Status::InvalidArgument("subscribe to '" + std::string(topic) + "': no handler");
  auto t = topic_for(topic, type_name, true);
  if (!t.ok()) return t.status().WithContext(owner);
  std::unique_lock lock(mu_);
  for (auto& s : (*t)->subs) {
    if (s->owner != owner) continue;
    std::lock_guard sl(s->mu);
    if (staged) {
      s->staged_handler = std::move(handler);
      return Status::Ok();
    }
    return Status::AlreadyExists(owner + " already subscribes to '" + std::string(topic) + "'");
  }
  auto s = std::make_shared<Subscription>();
  s->owner = owner;
  s->topic = std::string(topic);
  s->capacity = capacity_;
  if (staged) {
    s->staged_handler = std::move(handler);
    s->staged_only = true;
    s->paused = true;
  } else {
    s->handler = std::move(handler);
  }
  s->thread = std::thread([s, warn = warn_] { s->run(warn); });
  (*t)->subs.push_back(s);
  return Status::Ok();
}

std::vector<std::shared_ptr<MessageBus::Subscription>> MessageBus::subscriptions_of(
    const std::string& owner) const {
  std::vector<std::shared_ptr<Subscription>> out;
  std::shared_lock lock(mu_);
  for (auto& [name, t] : topics_)
    for (auto& s : t->subs)
      if (s->owner == owner) out.push_back(s);
  return out;
}

void MessageBus::pause(const std::string& owner) {
  for (auto& s : subscriptions_of(owner)) {
    std::unique_lock lock(s->mu);
    s->paused = true;
    s->idle.wait(lock, [&] { return !s->in_handler; });
  }
}

void MessageBus::resume(const std::string& owner) {
  for (auto& s : subscriptions_of(owner)) {
    std::lock_guard lock(s->mu);
    if (s->staged_only) continue;
    s->paused = false;
    s->has_work.notify_one();
  }
}

void MessageBus::commit_staged(const std::string& owner) {
  std::vector<std::shared_ptr<Subscription>> dropped;
  for (auto& s : subscriptions_of(owner)) {
    std::lock_guard lock(s->mu);
    if (s->staged_handler) {
      s->handler = std::move(s->staged_handler);
      s->staged_handler = nullptr;
      s->staged_only = false;
    } else {
      dropped.push_back(s);
    }
  }
  for (auto& s : dropped) {
    std::size_t held;
    {
      std::lock_guard lock(s->mu);
      held = s->queue.size();
    }
    if (held > 0) {
      warn_("the new version of " + owner + " no longer subscribes to '" + s->topic +
            "': " + std::to_string(held) + " held messages were not delivered");
    }
    detach(s);
  }
}

void MessageBus::abort_staged(const std::string& owner) {
  std::vector<std::shared_ptr<Subscription>> dropped;
  for (auto& s : subscriptions_of(owner)) {
    std::lock_guard lock(s->mu);
    s->staged_handler = nullptr;
    if (s->staged_only) dropped.push_back(s);
  }
  for (auto& s : dropped) detach(s);
}

std::size_t MessageBus::remove_owner(const std::string& owner) {
  std::size_t held = 0;
  for (auto& s : subscriptions_of(owner)) {
    {
      std::lock_guard lock(s->mu);
      held += s->queue.size();
    }
    detach(s);
  }
  return held;
}

void MessageBus::detach(const std::shared_ptr<Subscription>& sub) {
  {
    std::unique_lock lock(mu_);
    auto it = topics_.find(sub->topic);
    if (it != topics_.end()) {
      auto& v = it->second->subs;
      if (std::find(v.begin(), v.end(), sub) != v.end()) {
        it->second->retired_delivered.fetch_add(sub->delivered);
        v.erase(std::remove(v.begin(), v.end(), sub), v.end());
      }
    }
  }
  {
    std::lock_guard lock(sub->mu);
    sub->stopping = true;
    sub->has_work.notify_all();
    sub->has_space.notify_all();
  }
  if (sub->thread.joinable()) {
    if (sub->thread.get_id() == std::this_thread::get_id()) {
      sub->thread.detach();  // removed from its own handler: the thread ends after it returns
    } else {
      sub->thread.join();
    }
  }
  std::lock_guard lock(sub->mu);
  sub->queue.clear();
  sub->handler = nullptr;
  sub->staged_handler = nullptr;
}

bool MessageBus::wait_drained(const std::string& owner, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    bool busy = false;
    for (auto& s : subscriptions_of(owner)) {
      std::lock_guard lock(s->mu);
      busy = busy || !s->queue.empty() || s->in_handler;
    }
    if (!busy) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

std::vector<v1::TopicStats> MessageBus::stats() const {
  std::vector<v1::TopicStats> out;
  std::shared_lock lock(mu_);
  for (auto& [name, t] : topics_) {
    v1::TopicStats s;
    s.set_topic(name);
    s.set_type(t->type);
    s.set_published(t->published.load());
    s.set_blocked_publishes(t->blocked.load());
    std::uint64_t delivered = t->retired_delivered.load();
    std::uint32_t queued = 0;
    for (auto& sub : t->subs) {
      std::lock_guard sl(sub->mu);
      delivered += sub->delivered;
      queued += static_cast<std::uint32_t>(sub->queue.size());
    }
    s.set_delivered(delivered);
    s.set_queued(queued);
    s.set_subscribers(static_cast<std::uint32_t>(t->subs.size()));
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace itc::host
