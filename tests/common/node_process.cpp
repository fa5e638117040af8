#include "node_process.hpp"

#include <signal.h>
#include <sys/prctl.h>

#include <QJsonArray>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "eventually.hpp"
#include "itc/file_io.hpp"

namespace itc::testing {

NodeProcess::NodeProcess(std::string dir, std::string stem)
    : dir_(std::move(dir)), stem_(std::move(stem)) {}

NodeProcess::NodeProcess() : own_dir_(std::make_unique<QTemporaryDir>()), stem_("node") {
  if (!own_dir_->isValid()) qFatal("cannot create a temporary directory");
  if (std::getenv("ITC_TEST_KEEP")) {
    own_dir_->setAutoRemove(false);
    qInfo("node directory kept: %s", qPrintable(own_dir_->path()));
  }
  dir_ = own_dir_->path().toStdString();
}

NodeProcess::~NodeProcess() { stop(); }

void NodeProcess::write_config(const NodeConfig& config) {
  write_config(config.yaml(), config.admin_port(), config.data_dir());
  plugins_ = config.plugin_count();
}

void NodeProcess::write_config(const std::string& yaml, std::uint16_t admin_port,
                               const std::string& data_dir) {
  std::ofstream(config_path()) << yaml;
  admin_port_ = admin_port;
  data_dir_ = data_dir;
  plugins_ = -1;
  admin_.reset();
}

bool NodeProcess::start(const QStringList& args) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(log_path(), ec);
  log_offset_ = ec ? 0 : static_cast<std::size_t>(size);
  process_.setProcessChannelMode(QProcess::MergedChannels);
  process_.setStandardOutputFile(QString::fromStdString(log_path()), QIODevice::Append);
  // The node dies with the test: a test killed by ctest's timeout (or crashing) must not
  // leave validators running (seen: three orphans of a killed Studio test, stalled in view
  // changes, grew to 3.5 GB each and starved the machine).
  process_.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
  process_.start(ITC_NODE_BIN,
                 QStringList{"--config", QString::fromStdString(config_path())} + args);
  return process_.waitForStarted(10000);
}

bool NodeProcess::wait_running(int timeout_ms, int plugins) {
  bool all_running = false;
  eventually(
      [&] {
        if (!running()) return true;  // refused to run
        const auto r = get("/v1/plugins");
        if (r.status != 200) return false;
        const auto list = r.json["plugins"].toArray();
        if (list.isEmpty() || (plugins >= 0 && list.size() != plugins)) return false;
        for (const auto& p : list) {
          const QString state = p.toObject()["state"].toString();
          if (state == "FAILED") return true;  // the node runs on without it
          if (state != "RUNNING") return false;
        }
        return all_running = true;
      },
      timeout_ms);
  return all_running;
}

bool NodeProcess::start_running(int timeout_ms) {
  return start() && wait_running(timeout_ms, plugins_);
}

std::pair<int, QString> NodeProcess::check_config(int timeout_ms) const {
  QProcess check;
  check.setProcessChannelMode(QProcess::MergedChannels);
  check.start(ITC_NODE_BIN, {"--check-config", QString::fromStdString(config_path())});
  if (!check.waitForFinished(timeout_ms)) return {-1, "itc-node --check-config did not finish"};
  return {check.exitCode(), QString::fromUtf8(check.readAll())};
}

void NodeProcess::signal(int sig) {
  if (running()) ::kill(static_cast<pid_t>(process_.processId()), sig);
}

void NodeProcess::stop() {
  if (!running()) return;
  signal(SIGCONT);
  process_.terminate();
  if (!process_.waitForFinished(20000)) process_.kill();
  process_.waitForFinished(5000);
}

void NodeProcess::kill() {
  if (!running()) return;
  signal(SIGKILL);
  process_.waitForFinished(10000);
}

int NodeProcess::terminate(int timeout_ms) {
  if (!running()) return -1;
  process_.terminate();
  if (!process_.waitForFinished(timeout_ms)) return -1;
  return process_.exitStatus() == QProcess::NormalExit ? process_.exitCode() : -1;
}

void NodeProcess::freeze() { signal(SIGSTOP); }
void NodeProcess::thaw() { signal(SIGCONT); }

QString NodeProcess::log() const {
  auto t = read_file(log_path(), kMaxDataFileBytes);  // logs may outgrow a config
  return t.ok() ? QString::fromStdString(*t) : QString();
}

QString NodeProcess::run_log() const {
  auto t = read_file(log_path(), kMaxDataFileBytes);
  return t.ok() && t->size() >= log_offset_ ? QString::fromStdString(t->substr(log_offset_))
                                            : QString();
}

std::string NodeProcess::token() const {
  auto t = read_file(path(data_dir_ + "/admin.token"));
  return t.ok() ? QByteArray::fromStdString(*t).trimmed().toStdString() : "";
}

HttpReply NodeProcess::request(const QString& method, const QString& path_and_query,
                               const QByteArray& body, int timeout_ms) {
  if (!admin_) {  // the token file appears when the node first starts
    const std::string t = token();
    if (t.empty()) return {};
    admin_.emplace(QString::fromStdString(admin_url()), QByteArray::fromStdString(t));
  }
  return admin_->call(method.toUtf8(), path_and_query, body, timeout_ms);
}

std::optional<double> NodeProcess::metric(const std::string& plugin, const std::string& name) {
  const auto r = get("/metrics");
  if (r.status != 200) return std::nullopt;
  std::istringstream lines(r.body.toStdString());
  std::string line;
  while (std::getline(lines, line)) {
    const bool named =
        line.rfind("itc_" + name + "{", 0) == 0 || line.rfind("itc_" + name + "_total{", 0) == 0;
    if (named && line.find("plugin=\"" + plugin + "\"") != std::string::npos) {
      return std::stod(line.substr(line.rfind(' ') + 1));
    }
  }
  return std::nullopt;
}

}  // namespace itc::testing
