// eventually(): the one way tests wait for something another thread or process does.
#pragma once

#include <functional>

namespace itc::testing {

// Polls `pred` every 50 ms, running the calling thread's Qt events in between (replies of
// admin clients, process output), until it holds or `timeout_ms` pass; then whether it
// holds. Call it from a thread with a QCoreApplication (every QtTest main has one).
bool eventually(const std::function<bool()>& pred, int timeout_ms = 20000);

}  // namespace itc::testing
