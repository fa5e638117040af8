// Turning libpqxx exceptions into itc::Status, so none crosses the plugin boundary and each
// failure says what was being done: a lost connection is Unavailable, a refused login or
// privilege PermissionDenied, a rolled-back transaction Aborted, the rest Internal.
// Thread safety: pure functions.
#pragma once

#include <exception>
#include <string>
#include <string_view>

#include "itc/status.hpp"

namespace itc::store_postgres {

// The Status for an exception thrown while doing `what`. Any occurrence of `secret` (the
// password, when there is one) in the server's message is masked.
Status pg_status(const std::exception& e, std::string_view what, std::string_view secret = {});

// Runs `fn` (returning Status or Result<T>) and maps whatever it throws with pg_status().
template <typename Fn>
auto pg_call(std::string_view what, Fn&& fn) noexcept -> decltype(fn()) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return pg_status(e, what);
  } catch (...) {
    return Status::Internal(std::string(what) + ": unknown exception");
  }
}

}  // namespace itc::store_postgres
