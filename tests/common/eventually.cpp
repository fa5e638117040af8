#include "eventually.hpp"

#include <QEventLoop>
#include <QTimer>
#include <chrono>

namespace itc::testing {

bool eventually(const std::function<bool()>& pred, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    QEventLoop loop;
    QTimer::singleShot(50, &loop, &QEventLoop::quit);
    loop.exec();
  }
  return pred();
}

}  // namespace itc::testing
