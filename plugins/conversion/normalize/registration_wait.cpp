#include "registration_wait.hpp"

#include <utility>

namespace itc::normalize {

bool RegistrationWait::park(const std::string& device, MessagePtr frame,
                            std::chrono::nanoseconds now) {
  if (size_ >= capacity_) return false;
  by_device_[device].push_back(Parked{std::move(frame), now});
  ++size_;
  return true;
}

std::vector<MessagePtr> RegistrationWait::release(const std::string& device) {
  std::vector<MessagePtr> out;
  auto it = by_device_.find(device);
  if (it == by_device_.end()) return out;
  for (Parked& p : it->second) out.push_back(std::move(p.frame));
  size_ -= it->second.size();
  by_device_.erase(it);
  return out;
}

std::vector<MessagePtr> RegistrationWait::expired(std::chrono::nanoseconds now, bool all) {
  std::vector<MessagePtr> out;
  for (auto it = by_device_.begin(); it != by_device_.end();) {
    auto& frames = it->second;
    // A device's frames leave from the front only, so its order is kept.
    while (!frames.empty() && (all || now - frames.front().since > grace_)) {
      out.push_back(std::move(frames.front().frame));
      frames.pop_front();
      --size_;
    }
    it = frames.empty() ? by_device_.erase(it) : std::next(it);
  }
  return out;
}

}  // namespace itc::normalize
