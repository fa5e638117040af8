// itc-node: runs one IoT Chain node from its YAML config file.
//
// Exit status: 0 after a clean shutdown (or a config that checks clean), 1 if the node
// cannot start (bad config, admin address unavailable), 2 for bad command-line usage,
// 3 if some plugin failed to start (the node ran what it could), 4 if the stop lost data
// (the log and the last line say what and how much).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <csignal>
#include <cstdio>

#include "backup_commands.hpp"
#include "host/admin_routes.hpp"
#include "host/admin_server.hpp"
#include "host/config_check.hpp"
#include "host/config_schema.hpp"
#include "host/metrics_registry.hpp"
#include "host/node.hpp"
#include "itc/abi.hpp"
#include "progress.hpp"

namespace {

using itc::host::Node;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kDefaultAdminListen = "127.0.0.1:8740";

struct Options {
  std::string config;
  std::string check_config;
  bool dev = false;
  std::string log_level = "info";
  bool progress = false;
  double run_for = 0;
  bool version = false;
  bool print_routes = false;
};

void print_dev_banner() {
  std::fputs(
      "\n"
      "  ************************************************************************\n"
      "  *  DEVELOPER MODE (--dev): UNSIGNED plugin libraries WILL BE LOADED.   *\n"
      "  *  Any .so named in the config runs with this node's full privileges.  *\n"
      "  *  Never run a production node like this.                              *\n"
      "  ************************************************************************\n\n",
      stderr);
}

// --check-config: what start would refuse, with file:line; starts nothing.
int check_config(const Options& opt) {
  const itc::v1::ConfigReport report = itc::host::check_config_file(opt.check_config, opt.dev);
  if (report.ok()) {
    std::printf("%s: ok\n", opt.check_config.c_str());
    return 0;
  }
  std::fputs(itc::host::format_report(report).c_str(), stdout);
  return 1;
}

// "http://127.0.0.1:8740" (https:// with a certificate) from the configured listen address
// and the bound port.
std::string admin_url(const std::string& listen, std::uint16_t port, bool https) {
  std::string host = listen.substr(0, listen.rfind(':'));
  return (https ? "https://" : "http://") + host + ":" + std::to_string(port);
}

// Waits for SIGINT/SIGTERM (blocked in every thread) for up to `timeout`; returns the
// signal number, or 0 on timeout.
int wait_for_signal(const sigset_t& signals, std::chrono::milliseconds timeout) {
  timespec ts{};
  ts.tv_sec = timeout.count() / 1000;
  ts.tv_nsec = (timeout.count() % 1000) * 1000000L;
  int sig = sigtimedwait(&signals, nullptr, &ts);
  return sig > 0 ? sig : 0;
}

int run(const Options& opt, const sigset_t& signals) {
  if (opt.dev) print_dev_banner();
  auto created = Node::create({opt.config, opt.dev});
  if (!created.ok()) {
    spdlog::error("cannot start node from {}:\n{}", opt.config, created.status().ToString());
    return 1;
  }
  std::unique_ptr<Node> node = std::move(*created);
  const std::string name = node->info().name();

  std::unique_ptr<itc::host::AdminServer> admin;
  itc::v1::AdminConfig admin_config;
  std::string listen = node->config().admin().listen();
  if (listen.empty()) listen = kDefaultAdminListen;
  if (listen == "off") {
    spdlog::info("admin API disabled (node.admin.listen: off)");
  } else {
    auto token = itc::host::load_or_create_admin_token(node->data_dir());
    if (!token.ok()) {
      spdlog::error("admin API: {}", token.status().ToString());
      return 1;
    }
    admin_config = node->config().admin();
    admin = std::make_unique<itc::host::AdminServer>(
        *node, itc::host::AdminServerOptions{listen, *token, node->data_dir(), admin_config.tls(),
                                             admin_config.insecure_plain_http()});
    if (itc::Status st = admin->start(); !st.ok()) {
      spdlog::error("{}", st.ToString());
      return 1;
    }
    spdlog::info("admin API: {} (bearer token in {}/admin.token)",
                 admin_url(listen, admin->port(), !admin_config.tls().cert_file().empty()),
                 node->data_dir());
  }

  const auto started = SteadyClock::now();
  itc::Status start_status = node->start();
  if (!start_status.ok()) {
    spdlog::error("node {} started with failures: {}", name, start_status.ToString());
  } else {
    spdlog::info("node {} running", name);
  }

  itc::node::ProgressLine progress(name, node->metrics());
  itc::node::StatusWriter status_writer;
  const auto deadline = opt.run_for > 0
                            ? started + std::chrono::duration_cast<SteadyClock::duration>(
                                            std::chrono::duration<double>(opt.run_for))
                            : SteadyClock::time_point::max();
  std::string why = "run-for elapsed";
  auto next_line = SteadyClock::now() + std::chrono::seconds(1);
  for (;;) {
    const auto now = SteadyClock::now();
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    if (left.count() <= 0) break;  // (a sub-millisecond rest would spin sigtimedwait)
    const auto until_line = std::chrono::duration_cast<std::chrono::milliseconds>(next_line - now);
    const auto wait = std::clamp(std::min(left, until_line), std::chrono::milliseconds(1),
                                 std::chrono::milliseconds(1000));
    if (int sig = wait_for_signal(signals, wait); sig != 0) {
      why = sig == SIGINT ? "SIGINT" : "SIGTERM";
      break;
    }
    if (SteadyClock::now() < next_line) continue;
    next_line += std::chrono::seconds(1);
    if (opt.progress) status_writer.show(progress.sample(SteadyClock::now()));
  }
  status_writer.finish();
  spdlog::info("shutting down ({})", why);

  if (admin) admin->stop();
  const itc::Status stopped = node->shutdown();
  const double secs = std::chrono::duration<double>(SteadyClock::now() - started).count();
  int failed = 0;
  for (const auto& p : node->plugins()) failed += p.state() == itc::v1::FAILED ? 1 : 0;
  const auto& m = node->metrics();
  const char* ledger = m.value_of("pbft", "height") ? "pbft" : "solo";
  std::printf(
      "itc-node: %s stopped after %.1f s (%s) | readings %s | blocks %s (height %s) | "
      "failed plugins %d | %s\n",
      name.c_str(), secs, why.c_str(),
      itc::node::group_thousands(m.value_of(ledger, "readings_committed")).c_str(),
      itc::node::group_thousands(m.value_of(ledger, "blocks_committed")).c_str(),
      itc::node::group_thousands(m.value_of(ledger, "height")).c_str(), failed,
      stopped.ok() ? "nothing lost" : stopped.message().c_str());
  std::fflush(stdout);
  if (!stopped.ok()) return 4;
  return start_status.ok() ? 0 : 3;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  CLI::App app{
      "itc-node: runs one IoT Chain node (host + plugins for the five CPS layers) "
      "from its YAML config file."};
  app.footer(
      "Examples:\n"
      "  itc-node --config deploy/examples/single-node.yaml\n"
      "  itc-node --check-config deploy/examples/single-node.yaml\n"
      "  itc-node --config node.yaml --dev --progress --run-for 30\n"
      "  itc-node --print-routes     (the admin API's endpoints)\n"
      "  itc-node backup --config node.yaml --to /var/backups/itc/node-2026-12-03\n"
      "  itc-node restore --config node.yaml --from /var/backups/itc/node-2026-12-03\n\n"
      "The admin API listens on node.admin.listen (default 127.0.0.1:8740, \"off\" disables);\n"
      "its bearer token is in <data_dir>/admin.token (created on first start, mode 0600),\n"
      "an admin-role token; `itc admin token create --role read|operate|admin` makes others.\n"
      "Off loopback it needs node.admin.tls (cert_file, key_file[, client_ca_file]): HTTPS,\n"
      "TLS 1.3, the pair reloaded when its files change.\n"
      "Probes need no token: GET /healthz (liveness), GET /readyz (readiness: 503 naming\n"
      "what is not ready: not started, a plugin not RUNNING, blocks not being committed).\n"
      "Exit status: 0 clean shutdown, 1 cannot start or config invalid, 2 usage error,\n"
      "3 a plugin failed to start (the node ran the rest), 4 the stop lost data (it says\n"
      "what and how much). backup, restore: 0 done, 1 refused or failed (it says why).");
  app.add_option("--config", opt.config, "The node's YAML config file")->check(CLI::ExistingFile);
  app.add_option("--check-config", opt.check_config,
                 "Validate FILE (plugin sections included), print each issue as "
                 "file:line:col: field: message, exit 0 if valid, 1 if not")
      ->check(CLI::ExistingFile);
  app.add_flag("--dev", opt.dev,
               "Developer mode: also load unsigned plugin libraries (never in production)");
  app.add_option("--log-level", opt.log_level, "Log level")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
  app.add_flag("--progress", opt.progress,
               "Print a live one-line status (lamps, readings/s, blocks, height, block latency) "
               "on stderr every second");
  app.add_option("--run-for", opt.run_for, "Stop cleanly after SECONDS (for scripts and tests)")
      ->check(CLI::PositiveNumber);
  app.add_flag("--version", opt.version, "Print the version and plugin ABI, then exit");
  app.add_flag("--print-routes", opt.print_routes,
               "Print the admin API's endpoints (method, path, token, what) as a Markdown "
               "table, then exit");
  const itc::node::BackupCommands backup(app);
  CLI11_PARSE(app, argc, argv);
  if (backup.chosen()) return backup.run();

  if (opt.version) {
    std::printf("itc-node %s (plugin ABI %u.%u)\n", ITC_VERSION, itc::kAbiMajor, itc::kAbiMinor);
    return 0;
  }
  if (opt.print_routes) {
    std::fputs(itc::host::admin_route_list().c_str(), stdout);
    return 0;
  }

  auto logger = spdlog::stderr_color_mt("itc-node");
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(opt.log_level));

  // Block SIGINT/SIGTERM before any thread starts, so every thread inherits the mask and
  // only the main loop's sigtimedwait() receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  if (!opt.check_config.empty()) return check_config(opt);
  if (opt.config.empty()) {
    std::fputs(
        "itc-node: --config FILE is required (or --check-config FILE, --version)\n"
        "Run with --help for more information.\n",
        stderr);
    return 2;
  }
  return run(opt, signals);
}
