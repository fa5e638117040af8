// Status: the error value that crosses the plugin boundary instead of an exception.
// Both Status and Result are [[nodiscard]]: a call whose error may be ignored says so with
// a (void) cast.
// Thread safety: a Status is a value; copies are independent.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace itc {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,  // the caller's input is wrong (bad config, malformed frame)
    kNotFound,
    kAlreadyExists,
    kFailedPrecondition,  // the call is wrong in the current state
    kPermissionDenied,    // bad signature, untrusted key, missing token
    kUnavailable,         // try again later (full queue, peer away)
    kAborted,             // gave up part-way; nothing was changed
    kCorruption,          // stored or received data fails its own checks
    kIncompatible,        // ABI or state version mismatch
    kInternal,
  };

  Status() = default;
  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {Code::kFailedPrecondition, std::move(m)};
  }
  static Status PermissionDenied(std::string m) { return {Code::kPermissionDenied, std::move(m)}; }
  static Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
  static Status Aborted(std::string m) { return {Code::kAborted, std::move(m)}; }
  static Status Corruption(std::string m) { return {Code::kCorruption, std::move(m)}; }
  static Status Incompatible(std::string m) { return {Code::kIncompatible, std::move(m)}; }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // "PermissionDenied: command signature does not verify against owner key"
  std::string ToString() const;
  static std::string_view CodeName(Code c);

  // Returns a copy with "context: " in front of the message.
  Status WithContext(std::string_view context) const {
    if (ok()) return *this;
    return {code_, std::string(context) + ": " + message_};
  }

 private:
  Status(Code c, std::string m) : code_(c), message_(std::move(m)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

inline std::string_view Status::CodeName(Code c) {
  switch (c) {
    case Code::kOk:
      return "OK";
    case Code::kInvalidArgument:
      return "InvalidArgument";
    case Code::kNotFound:
      return "NotFound";
    case Code::kAlreadyExists:
      return "AlreadyExists";
    case Code::kFailedPrecondition:
      return "FailedPrecondition";
    case Code::kPermissionDenied:
      return "PermissionDenied";
    case Code::kUnavailable:
      return "Unavailable";
    case Code::kAborted:
      return "Aborted";
    case Code::kCorruption:
      return "Corruption";
    case Code::kIncompatible:
      return "Incompatible";
    case Code::kInternal:
      return "Internal";
  }
  return "Unknown";
}

inline std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(CodeName(code_)) + ": " + message_;
}

// A value or the Status that explains its absence. T need not be default-constructible.
// status() is OK when there is a value. value(), * and -> on a Result without a value throw
// std::bad_optional_access (a bug; guard() turns it into Status::Internal).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    if (status_.ok())
      status_ = Status::Internal("a Result was made from an OK status and no value");
  }
  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return value_.value(); }
  const T& value() const& { return value_.value(); }
  T&& value() && { return std::move(value_.value()); }
  T* operator->() { return &value_.value(); }
  const T* operator->() const { return &value_.value(); }
  T& operator*() { return value_.value(); }
  const T& operator*() const { return value_.value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

// Runs `fn` (which returns a Status) and turns any exception it throws into
// Status::Internal naming `what`: how a plugin method keeps exceptions from crossing the
// plugin boundary.
//   Status initialise(HostEnv& env, std::string_view c) noexcept override {
//     return guard("initialise", [&] { ...; return Status::Ok(); });
//   }
template <typename Fn>
Status guard(std::string_view what, Fn&& fn) noexcept {
  try {
    return fn();
  } catch (const std::exception& e) {
    return Status::Internal(std::string(what) + ": " + e.what());
  } catch (...) {
    return Status::Internal(std::string(what) + ": unknown exception");
  }
}

}  // namespace itc

// Returns early from the enclosing function if `expr` yields a failed Status.
#define ITC_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::itc::Status itc_status_ = (expr);        \
    if (!itc_status_.ok()) return itc_status_; \
  } while (0)
