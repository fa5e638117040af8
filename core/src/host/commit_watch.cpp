#include "host/commit_watch.hpp"

#include <cstdio>

namespace itc::host {
namespace {

std::string seconds(CommitWatch::Clock::duration d) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", std::chrono::duration<double>(d).count());
  return text;
}

}  // namespace

void CommitWatch::block_committed(Clock::time_point now) {
  last_commit_.store(ticks(now));
  readings_waiting_since_.store(0);
}

std::uint64_t CommitWatch::transaction_submitted(Clock::time_point now) {
  std::lock_guard lock(mu_);
  const std::uint64_t ticket = next_ticket_++;
  transactions_.emplace(ticket, now);
  return ticket;
}

void CommitWatch::transaction_settled(std::uint64_t ticket) {
  std::lock_guard lock(mu_);
  transactions_.erase(ticket);
}

std::string CommitWatch::stall(Clock::time_point now, std::chrono::milliseconds window) const {
  std::string waiting;
  if (const std::int64_t since = readings_waiting_since_.load(); since != 0) {
    const auto waited = now - Clock::time_point(Clock::duration(since));
    if (waited > window) {
      waiting = "readings have waited " + seconds(waited);
    }
  }
  {
    std::lock_guard lock(mu_);
    std::size_t late = 0;
    Clock::duration oldest{0};
    for (const auto& [ticket, at] : transactions_) {
      if (now - at <= window) continue;
      ++late;
      if (now - at > oldest) oldest = now - at;
    }
    if (late > 0) {
      if (!waiting.empty()) waiting += " and ";
      waiting += std::to_string(late) + " transaction(s) have waited up to " + seconds(oldest);
    }
  }
  if (waiting.empty()) return {};
  const std::int64_t last = last_commit_.load();
  const std::string last_block =
      last == 0 ? "no block committed since the node started"
                : "last block committed " +
                      seconds(now - Clock::time_point(Clock::duration(last))) + " ago";
  return "not committing: " + waiting + " for a block (allowed: " + seconds(window) + "); " +
         last_block;
}

}  // namespace itc::host
