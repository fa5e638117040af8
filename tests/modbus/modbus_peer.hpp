// ModbusPeer: a real Modbus TCP server (peers/modbus_server.js on npm modbus-serial) in a
// child process, driven from the test through its stdin and watched through its stdout
// (see the script's header for the protocol). No event loop needed: every call reads what
// the server printed so far.
#pragma once

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtGlobal>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lamp_profile.hpp"

namespace itc::testing {

class ModbusPeer {
 public:
  // Starts the server on `ports` (127.0.0.1) with `presets` ("energy-meter:1-100") and
  // waits until every port listens; qFatal with the server's output if it cannot.
  explicit ModbusPeer(std::vector<std::uint16_t> ports, std::vector<std::string> presets = {})
      : ports_(std::move(ports)) {
    QStringList args{QString::fromStdString(source_dir() + "/tests/modbus/peers/modbus_server.js")};
    for (auto p : ports_) args << "--port" << QString::number(p);
    for (auto& p : presets) args << "--preset" << QString::fromStdString(p);
    proc_.setProcessChannelMode(QProcess::SeparateChannels);
    proc_.start("node", args);
    if (!proc_.waitForStarted(10000))
      qFatal("cannot start node (Node.js): %s", qPrintable(proc_.errorString()));
    if (!wait_listening(0)) qFatal("the Modbus server did not listen:\n%s", qPrintable(output_));
  }
  ~ModbusPeer() {
    proc_.closeWriteChannel();  // the script closes its ports and exits
    if (!proc_.waitForFinished(5000)) {
      proc_.kill();
      proc_.waitForFinished(5000);
    }
  }
  ModbusPeer(const ModbusPeer&) = delete;
  ModbusPeer& operator=(const ModbusPeer&) = delete;

  // Sends one stdin command and waits until the server applied it.
  bool command(QJsonObject cmd) {
    const int seq = ++sent_;
    proc_.write(QJsonDocument(cmd).toJson(QJsonDocument::Compact) + "\n");
    return wait_event([&](const QJsonObject& e) {
             return (e["event"] == "ok" || e["event"] == "error") && e["seq"].toInt() == seq;
           }) &&
           last_error_seq_ != seq;
  }
  // A typed value: type uint16|int16|uint32|int32|float32|uint64|int64|float64|bool.
  bool set(int unit, const char* table, int address, const char* type, double value,
           const char* word_order = "high_first") {
    QJsonObject c{{"op", "set"},  {"unit", unit},   {"table", table},          {"address", address},
                  {"type", type}, {"value", value}, {"word_order", word_order}};
    return command(c);
  }
  bool raw(int unit, const char* table, int address, std::vector<int> registers) {
    QJsonArray regs;
    for (int r : registers) regs.append(r);
    return command({{"op", "raw"},
                    {"unit", unit},
                    {"table", table},
                    {"address", address},
                    {"registers", regs}});
  }
  bool exception(int unit, const char* table, int address, int code) {
    return command({{"op", "exception"},
                    {"unit", unit},
                    {"table", table},
                    {"address", address},
                    {"code", code}});
  }
  bool mute(int unit, bool on) { return command({{"op", "mute"}, {"unit", unit}, {"on", on}}); }
  // Closes every port and the connections on it / listens again.
  bool stop() { return command({{"op", "stop"}}); }
  bool start() {
    const std::size_t from = events_.size();
    return command({{"op", "start"}}) && wait_listening(from);
  }

  // Writes the server received: {"unit","table","address","values":[...]}.
  std::vector<QJsonObject> writes() {
    read_available(0);
    std::vector<QJsonObject> out;
    for (auto& e : events_) {
      if (e["event"] == "write") out.push_back(e);
    }
    return out;
  }
  // Waits for a write of `values` at `address` of `table` of `unit`.
  bool wait_write(int unit, const char* table, int address, std::vector<int> values,
                  int ms = 10000) {
    QJsonArray want;
    for (int v : values) want.append(v);
    return wait_event(
        [&](const QJsonObject& e) {
          return e["event"] == "write" && e["unit"].toInt() == unit && e["table"] == table &&
                 e["address"].toInt() == address && e["values"].toArray() == want;
        },
        ms);
  }
  const QString& output() const { return output_; }

 private:
  // Every port printed "listening" since event `from`.
  bool wait_listening(std::size_t from) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
      std::size_t listening = 0;
      for (std::size_t i = from; i < events_.size(); ++i) {
        if (events_[i]["event"] == "listening") ++listening;
      }
      if (listening >= ports_.size()) return true;
      if (!read_available(100) && proc_.state() != QProcess::Running) return false;
    }
    return false;
  }
  // Waits for an event (from the ones not yet matched by an earlier wait_event).
  bool wait_event(const std::function<bool(const QJsonObject&)>& pred, int ms = 15000) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    std::size_t i = 0;
    for (;;) {
      for (; i < events_.size(); ++i) {
        if (pred(events_[i])) return true;
      }
      if (std::chrono::steady_clock::now() >= deadline) return false;
      read_available(50);
    }
  }
  // Reads what the server printed; true if anything arrived.
  bool read_available(int wait_ms) {
    if (wait_ms > 0 && proc_.bytesAvailable() == 0) proc_.waitForReadyRead(wait_ms);
    const QByteArray err = proc_.readAllStandardError();
    if (!err.isEmpty()) output_ += QString::fromUtf8(err);
    bool any = false;
    while (proc_.canReadLine()) {
      const QByteArray line = proc_.readLine();
      output_ += QString::fromUtf8(line);
      const QJsonObject e = QJsonDocument::fromJson(line).object();
      if (e.isEmpty()) continue;
      if (e["event"] == "error") last_error_seq_ = e["seq"].toInt(-1);
      events_.push_back(e);
      any = true;
    }
    return any;
  }

  std::vector<std::uint16_t> ports_;
  QProcess proc_;
  std::vector<QJsonObject> events_;
  QString output_;
  int sent_ = 0;
  int last_error_seq_ = -1;
};

}  // namespace itc::testing
