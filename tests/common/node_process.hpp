// NodeProcess: one real itc-node process started by a test, out of process as an operator
// runs it: from a config file (NodeConfig) in a directory, its output appended to a log
// beside it, reached through its admin API; stopped cleanly, killed, frozen or thawed.
// Not thread-safe: use it from the test's thread (which runs Qt events while it waits).
#pragma once

#include <QProcess>
#include <QTemporaryDir>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "admin_client.hpp"
#include "node_config.hpp"

namespace itc::testing {

class NodeProcess {
 public:
  // A node whose files are `dir`/`stem`.yaml (config) and `dir`/`stem`.log (output); the
  // caller owns `dir`.
  NodeProcess(std::string dir, std::string stem);
  // A node in a temporary directory of its own (node.yaml, node.log), kept when
  // ITC_TEST_KEEP is set.
  NodeProcess();
  ~NodeProcess();  // stop()
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  // Writes the config file (the next start() uses it).
  void write_config(const NodeConfig& config);
  // Writes a whole config text; `admin_port` and `data_dir` are where it says the node
  // listens and keeps its data (the admin token is read from there).
  void write_config(const std::string& yaml, std::uint16_t admin_port,
                    const std::string& data_dir = "data");
  // Starts itc-node on the config file with extra `args`; false if the process did not start.
  bool start(const QStringList& args = {});
  // Waits until every plugin runs (and, with `plugins` >= 0, that many are listed); false
  // after `timeout_ms`, or as soon as the process exits or a plugin is FAILED.
  bool wait_running(int timeout_ms = 30000, int plugins = -1);
  // start() and wait_running() for the plugin count of the last NodeConfig written.
  bool start_running(int timeout_ms = 30000);
  // `itc-node --check-config` on the config file: its exit code (-1 if it did not finish
  // in `timeout_ms`) and its output.
  std::pair<int, QString> check_config(int timeout_ms = 30000) const;

  // Clean stop (SIGCONT first, for a frozen node; then SIGTERM), killed after 20 s.
  void stop();
  // SIGKILL: no clean shutdown at all.
  void kill();
  // SIGTERM and wait: the exit code, or -1 if it crashed or did not exit in `timeout_ms`.
  int terminate(int timeout_ms = 60000);
  void freeze();  // SIGSTOP
  void thaw();    // SIGCONT
  bool running() const { return process_.state() != QProcess::NotRunning; }
  qint64 pid() const { return process_.processId(); }

  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  std::string config_path() const { return path(stem_ + ".yaml"); }
  std::string log_path() const { return path(stem_ + ".log"); }
  QString log() const;        // everything every run wrote
  QString run_log() const;    // what the current (or last) run wrote
  std::string token() const;  // empty until the node first started
  std::uint16_t admin_port() const { return admin_port_; }
  const std::string& data_dir() const { return data_dir_; }  // relative to the directory
  std::string admin_url() const { return "http://127.0.0.1:" + std::to_string(admin_port_); }

  // An admin request with the node's token (no answer, status 0, before it has one).
  HttpReply request(const QString& method, const QString& path_and_query,
                    const QByteArray& body = {}, int timeout_ms = 20000);
  HttpReply get(const QString& path_and_query) { return request("GET", path_and_query); }
  // A metric of `plugin` on /metrics (counters are exported with a _total suffix).
  std::optional<double> metric(const std::string& plugin, const std::string& name);

 private:
  void signal(int sig);

  std::unique_ptr<QTemporaryDir> own_dir_;
  std::string dir_;
  std::string stem_;
  std::uint16_t admin_port_ = 0;
  std::string data_dir_ = "data";
  int plugins_ = -1;
  std::size_t log_offset_ = 0;  // the log's size when the current run started
  QProcess process_;
  std::optional<AdminClient> admin_;
};

}  // namespace itc::testing
