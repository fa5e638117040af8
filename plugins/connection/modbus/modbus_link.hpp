// ModbusLink: one Modbus TCP connection (libmodbus) to a host:port, shared by the devices
// (unit ids) behind it. It connects on first use and after a failure; a request that
// times out or breaks the connection closes it, so a late answer can never be taken for
// the next request's.
//
// Thread safety: read/write/close from one thread (the endpoint's poller); interrupt()
// from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "read_plan.hpp"

struct _modbus;

namespace itc::modbus {

enum class Failure {
  kNone,
  kException,   // the device answered with a Modbus exception (it is alive)
  kTimeout,     // no answer within the response timeout
  kConnection,  // cannot connect, or the connection broke
  kProtocol,    // the answer was malformed (bad length, wrong unit, unknown exception)
};

// Metric-name suffix of a failure kind: "exception", "timeout", "connection", "protocol".
const char* failure_name(Failure f);

struct Outcome {
  Failure failure = Failure::kNone;
  std::string reason;      // e.g. "Modbus exception 2 (illegal data address)"
  int exception_code = 0;  // for kException
  bool ok() const { return failure == Failure::kNone; }
};

inline constexpr int kIllegalDataAddress = 2;

// "illegal data address" for exception code 2; "exception code N" when unknown.
std::string exception_name(int code);

class ModbusLink {
 public:
  ModbusLink(std::string host, std::uint16_t port);
  ~ModbusLink();
  ModbusLink(const ModbusLink&) = delete;
  ModbusLink& operator=(const ModbusLink&) = delete;

  const std::string& endpoint() const { return endpoint_; }  // "host:port"

  // Reads `request` from `unit`: registers into `registers`, bits into `bits`.
  Outcome read(std::uint8_t unit, const ReadRequest& request, std::chrono::milliseconds timeout,
               std::vector<std::uint16_t>* registers, std::vector<std::uint8_t>* bits);
  // Write single coil (05).
  Outcome write_coil(std::uint8_t unit, std::uint16_t address, bool value,
                     std::chrono::milliseconds timeout);
  // Write single register (06) for one register, write multiple registers (16) for more.
  Outcome write_registers(std::uint8_t unit, std::uint16_t address,
                          std::span<const std::uint16_t> values, std::chrono::milliseconds timeout);

  void close();
  // Wakes a call blocked on the socket and makes every later call fail at once.
  void interrupt();

 private:
  template <typename Op>
  Outcome call(std::uint8_t unit, std::chrono::milliseconds timeout, Op&& op);
  Outcome connect(std::chrono::milliseconds timeout);

  std::string host_;
  std::string port_;
  std::string endpoint_;
  _modbus* ctx_ = nullptr;
  bool connected_ = false;
  std::mutex fd_mu_;  // guards fd_ and interrupted_ against interrupt()
  int fd_ = -1;
  bool interrupted_ = false;
};

}  // namespace itc::modbus
