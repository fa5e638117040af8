#include "modbus_link.hpp"

#include <modbus/modbus.h>
#include <sys/socket.h>

#include <cerrno>

namespace itc::modbus {
namespace {

void set_timeouts(modbus_t* ctx, std::chrono::milliseconds timeout) {
  const auto sec = static_cast<std::uint32_t>(timeout.count() / 1000);
  const auto usec = static_cast<std::uint32_t>(timeout.count() % 1000 * 1000);
  modbus_set_response_timeout(ctx, sec, usec);
  modbus_set_byte_timeout(ctx, sec, usec);
}

}  // namespace

const char* failure_name(Failure f) {
  switch (f) {
    case Failure::kNone:
      return "none";
    case Failure::kException:
      return "exception";
    case Failure::kTimeout:
      return "timeout";
    case Failure::kConnection:
      return "connection";
    case Failure::kProtocol:
      return "protocol";
  }
  return "unknown";
}

std::string exception_name(int code) {
  switch (code) {
    case MODBUS_EXCEPTION_ILLEGAL_FUNCTION:
      return "illegal function";
    case MODBUS_EXCEPTION_ILLEGAL_DATA_ADDRESS:
      return "illegal data address";
    case MODBUS_EXCEPTION_ILLEGAL_DATA_VALUE:
      return "illegal data value";
    case MODBUS_EXCEPTION_SLAVE_OR_SERVER_FAILURE:
      return "server device failure";
    case MODBUS_EXCEPTION_ACKNOWLEDGE:
      return "acknowledge";
    case MODBUS_EXCEPTION_SLAVE_OR_SERVER_BUSY:
      return "server device busy";
    case MODBUS_EXCEPTION_NEGATIVE_ACKNOWLEDGE:
      return "negative acknowledge";
    case MODBUS_EXCEPTION_MEMORY_PARITY:
      return "memory parity error";
    case MODBUS_EXCEPTION_GATEWAY_PATH:
      return "gateway path unavailable";
    case MODBUS_EXCEPTION_GATEWAY_TARGET:
      return "gateway target device failed to respond";
    default:
      return "exception code " + std::to_string(code);
  }
}

ModbusLink::ModbusLink(std::string host, std::uint16_t port)
    : host_(std::move(host)), port_(std::to_string(port)), endpoint_(host_ + ":" + port_) {}

ModbusLink::~ModbusLink() {
  close();
  if (ctx_ != nullptr) modbus_free(ctx_);
}

void ModbusLink::close() {
  std::lock_guard lock(fd_mu_);
  if (connected_) modbus_close(ctx_);
  connected_ = false;
  fd_ = -1;
}

void ModbusLink::interrupt() {
  std::lock_guard lock(fd_mu_);
  interrupted_ = true;
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
}

Outcome ModbusLink::connect(std::chrono::milliseconds timeout) {
  if (ctx_ == nullptr) {
    ctx_ = modbus_new_tcp_pi(host_.c_str(), port_.c_str());
    if (ctx_ == nullptr) {
      return {Failure::kConnection,
              "cannot set up a Modbus TCP client for " + endpoint_ + ": " + modbus_strerror(errno)};
    }
  }
  set_timeouts(ctx_, timeout);
  if (modbus_connect(ctx_) == -1) {
    const int err = errno;
    modbus_close(ctx_);
    return {Failure::kConnection, "cannot connect to " + endpoint_ + ": " + modbus_strerror(err)};
  }
  std::lock_guard lock(fd_mu_);
  connected_ = true;
  fd_ = modbus_get_socket(ctx_);
  if (interrupted_) ::shutdown(fd_, SHUT_RDWR);
  return {};
}

template <typename Op>
Outcome ModbusLink::call(std::uint8_t unit, std::chrono::milliseconds timeout, Op&& op) {
  {
    std::lock_guard lock(fd_mu_);
    if (interrupted_) return {Failure::kConnection, "the modbus plugin is stopping"};
  }
  if (!connected_) {
    Outcome c = connect(timeout);
    if (!c.ok()) return c;
  }
  set_timeouts(ctx_, timeout);
  modbus_set_slave(ctx_, unit);
  if (op(ctx_) != -1) return {};
  const int err = errno;
  if (err > MODBUS_ENOBASE && err <= EMBXGTAR) {
    const int code = err - MODBUS_ENOBASE;
    return {Failure::kException,
            "Modbus exception " + std::to_string(code) + " (" + exception_name(code) + ")", code};
  }
  close();  // whatever arrives late must not be read as the next answer
  if (err == ETIMEDOUT) {
    return {Failure::kTimeout, "no answer from " + endpoint_ + " unit " + std::to_string(unit) +
                                   " within " + std::to_string(timeout.count()) + " ms"};
  }
  if (err > EMBXGTAR && err <= EMBBADSLAVE) {
    return {Failure::kProtocol, std::string("bad answer from ") + endpoint_ + " unit " +
                                    std::to_string(unit) + ": " + modbus_strerror(err)};
  }
  return {Failure::kConnection,
          "connection to " + endpoint_ + " failed: " + std::string(modbus_strerror(err))};
}

Outcome ModbusLink::read(std::uint8_t unit, const ReadRequest& request,
                         std::chrono::milliseconds timeout, std::vector<std::uint16_t>* registers,
                         std::vector<std::uint8_t>* bits) {
  const int addr = request.address;
  const int n = request.count;
  switch (request.table) {
    case MODBUS_FUNCTION_COILS:
      bits->resize(request.count);
      return call(unit, timeout,
                  [&](modbus_t* c) { return modbus_read_bits(c, addr, n, bits->data()); });
    case MODBUS_FUNCTION_DISCRETE_INPUTS:
      bits->resize(request.count);
      return call(unit, timeout,
                  [&](modbus_t* c) { return modbus_read_input_bits(c, addr, n, bits->data()); });
    case MODBUS_FUNCTION_HOLDING_REGISTERS:
      registers->resize(request.count);
      return call(unit, timeout, [&](modbus_t* c) {
        return modbus_read_registers(c, addr, n, registers->data());
      });
    case MODBUS_FUNCTION_INPUT_REGISTERS:
      registers->resize(request.count);
      return call(unit, timeout, [&](modbus_t* c) {
        return modbus_read_input_registers(c, addr, n, registers->data());
      });
    default:
      return {Failure::kProtocol, "no table to read"};
  }
}

Outcome ModbusLink::write_coil(std::uint8_t unit, std::uint16_t address, bool value,
                               std::chrono::milliseconds timeout) {
  return call(unit, timeout,
              [&](modbus_t* c) { return modbus_write_bit(c, address, value ? 1 : 0); });
}

Outcome ModbusLink::write_registers(std::uint8_t unit, std::uint16_t address,
                                    std::span<const std::uint16_t> values,
                                    std::chrono::milliseconds timeout) {
  if (values.size() == 1) {
    return call(unit, timeout,
                [&](modbus_t* c) { return modbus_write_register(c, address, values[0]); });
  }
  return call(unit, timeout, [&](modbus_t* c) {
    return modbus_write_registers(c, address, static_cast<int>(values.size()), values.data());
  });
}

}  // namespace itc::modbus
