#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "host/node_impl.hpp"
#include "itc/abi.hpp"
#include "itc/crypto.hpp"
#include "itc/file_io.hpp"
#include "itc/services/command_gateway.hpp"
#include "itc/services/device_profiles.hpp"
#include "itc/services/ledger_store.hpp"

namespace itc::host {
namespace fs = std::filesystem;

namespace {
std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Removes library copies left by node processes that no longer run (a crash, a kill -9).
void remove_stale_copies(const fs::path& run_root) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(run_root, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("plugins-", 0) != 0) continue;
    const pid_t pid = static_cast<pid_t>(std::atoi(name.c_str() + 8));
    if (pid > 0 && pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH) {
      fs::remove_all(e.path(), ec);
    }
  }
}
}  // namespace

Node::Node() : impl_(std::make_unique<Impl>()) {}

Node::~Node() { (void)shutdown(); }  // what was lost is logged

Result<std::unique_ptr<Node>> Node::create(const NodeOptions& options) {
  v1::ConfigReport report;
  auto file = load_node_file(options.config_file, &report);
  if (!file.ok()) return file.status();
  std::unique_ptr<Node> node(new Node());
  Impl& d = *node->impl_;
  d.options = options;
  d.file = std::move(*file);
  if (options.developer_mode) d.file.node.set_developer_mode(true);
  for (int i = 0; i < d.file.node.trusted_vendor_keys_size(); ++i) {
    auto key = crypto::load_public_key(d.file.node.trusted_vendor_keys(i));
    if (!key.ok()) {
      return key.status().WithContext(options.config_file + ": node.trusted_vendor_keys[" +
                                      std::to_string(i) + "]");
    }
    d.trusted_keys.push_back(*key);
  }
  std::error_code ec;
  fs::create_directories(d.file.node.data_dir(), ec);
  if (ec) {
    return Status::Unavailable("cannot create data dir " + d.file.node.data_dir() + ": " +
                               ec.message());
  }
  // Unique copies of loaded libraries live here, one directory per process, so that
  // `--check-config` beside a running node never touches the running node's copies.
  d.run_dir = (fs::path(d.file.node.data_dir()) / "run" / ("plugins-" + std::to_string(::getpid())))
                  .string();
  fs::create_directories(d.run_dir, ec);
  auto kv = KvStore::open((fs::path(d.file.node.data_dir()) / "plugin-kv.sqlite").string());
  if (!kv.ok()) return kv.status().WithContext("node key-value store");
  d.kv = std::move(*kv);
  d.scheduler = std::make_unique<Scheduler>(std::max(4u, std::thread::hardware_concurrency()));
  d.bus = std::make_unique<MessageBus>(d.file.node.bus_queue_capacity(),
                                       [&d](const std::string& m) { d.warn(m); });
  d.plugins = std::make_unique<PluginRuntime>(
      RuntimeContext{d.file, d.trusted_keys, d.run_dir, *d.bus, d.services, d.node_services(),
                     [&d](v1::Event e) { d.emit(std::move(e)); },
                     [&d](const std::string& m) { d.warn(m); }, [&d] { d.bind_profiles(); }});
  d.register_collectors();
  d.bind_profiles();  // no plugin yet: no protocol sections until start()
  d.devices = std::make_unique<DeviceDirectory>(&d.profiles);
  if (Status st = d.services.provide(kHostServiceOwner, false, DeviceProfiles::kServiceName,
                                     static_cast<DeviceProfiles*>(&d.profiles));
      !st.ok()) {
    return st;
  }
  if (Status st = d.services.provide(kHostServiceOwner, false, NodeLifecycle::kServiceName,
                                     static_cast<NodeLifecycle*>(&d.lifecycle));
      !st.ok()) {
    return st;
  }
  d.disk = std::make_unique<DiskWatermark>(d.file.node.data_dir(), d.file.node.disk(),
                                           [&d](DiskWatermark::Level level, const std::string& m) {
                                             if (level == DiskWatermark::Level::kOk) {
                                               spdlog::info("{}", m);
                                             } else {
                                               d.warn(m);
                                             }
                                           });
  if (Status st = d.services.provide(kHostServiceOwner, false, DiskSpace::kServiceName,
                                     static_cast<DiskSpace*>(d.disk.get()));
      !st.ok()) {
    return st;
  }
  if (auto text = read_file(options.config_file); text.ok()) d.config_text = std::move(*text);
  return node;
}

NodeServices Node::Impl::node_services() {
  return NodeServices{bus.get(), scheduler.get(), &metrics, kv.get(), &services, file.node.name()};
}

void Node::Impl::emit(v1::Event event) {
  event.set_at_us(now_us());
  std::vector<EventSink> targets;
  {
    std::lock_guard lock(mu);
    for (auto& [id, sink] : sinks) targets.push_back(sink);
  }
  for (auto& sink : targets) sink(event);
}

void Node::Impl::warn(const std::string& message) {
  spdlog::warn("{}", message);
  v1::Event ev;
  ev.set_warning(message);
  emit(std::move(ev));
}

Status Node::Impl::subscribe_host_taps() {
  ITC_RETURN_IF_ERROR(bus->subscribe_as("host", false, topics::kReadings,
                                        v1::Reading::descriptor()->full_name(),
                                        [this](const MessagePtr& m) {
                                          const auto& reading = static_cast<const v1::Reading&>(*m);
                                          ledger.on_reading(reading);
                                          commits->reading_arrived(&CommitWatch::Clock::now);
                                          note_reading(reading);
                                        }));
  ITC_RETURN_IF_ERROR(
      bus->subscribe_as("host", false, topics::kBlocks,
                        v1::BlockCommitted::descriptor()->full_name(), [this](const MessagePtr& m) {
                          const auto& b = static_cast<const v1::BlockCommitted&>(*m);
                          ledger.on_block(b);
                          commits->block_committed(CommitWatch::Clock::now());
                          v1::Event ev;
                          *ev.mutable_block() = b;
                          emit(std::move(ev));
                        }));
  ITC_RETURN_IF_ERROR(
      bus->subscribe_as("host", false, topics::kCommandResults,
                        v1::CommandResult::descriptor()->full_name(), [this](const MessagePtr& m) {
                          const auto& result = static_cast<const v1::CommandResult&>(*m);
                          v1::Event ev;
                          *ev.mutable_command() = result;
                          emit(std::move(ev));
                          // The device's own verdict, kept as its last_command.
                          note_command_result(result);
                        }));
  return Status::Ok();
}

void Node::Impl::register_collectors() {
  auto per_topic = [this](auto field) {
    return [this, field] {
      std::vector<MetricsRegistry::Sample> out;
      for (const auto& t : bus->stats())
        out.push_back({MetricsRegistry::label("topic", t.topic()), static_cast<double>(field(t))});
      return out;
    };
  };
  metrics.add_collector("itc_bus_published", "Messages published per topic", "counter",
                        per_topic([](const v1::TopicStats& t) { return t.published(); }));
  metrics.add_collector("itc_bus_delivered", "Messages delivered to subscribers per topic",
                        "counter",
                        per_topic([](const v1::TopicStats& t) { return t.delivered(); }));
  metrics.add_collector("itc_bus_blocked_publishes",
                        "Publishes that waited for a full subscriber queue", "counter",
                        per_topic([](const v1::TopicStats& t) { return t.blocked_publishes(); }));
  metrics.add_collector("itc_bus_queued", "Messages waiting in subscriber queues", "gauge",
                        per_topic([](const v1::TopicStats& t) { return t.queued(); }));
  metrics.add_collector(
      "itc_plugin_running", "1 if the plugin is running, else 0", "gauge", [this] {
        std::vector<MetricsRegistry::Sample> out;
        plugins->visit([&](const PluginSlot& s) {
          out.push_back(
              {MetricsRegistry::label("plugin", s.name), s.state == v1::RUNNING ? 1.0 : 0.0});
        });
        return out;
      });
  metrics.add_collector("itc_plugin_swaps", "Hot swaps completed per plugin", "counter", [this] {
    std::vector<MetricsRegistry::Sample> out;
    plugins->visit([&](const PluginSlot& s) {
      out.push_back({MetricsRegistry::label("plugin", s.name), static_cast<double>(s.swaps)});
    });
    return out;
  });
}

Status Node::start() {
  Impl& d = *impl_;
  std::lock_guard ops(d.ops_mu);
  d.phase = Impl::Phase::kStarting;
  d.started_at_us = now_us();
  remove_stale_copies(fs::path(d.run_dir).parent_path());
  ITC_RETURN_IF_ERROR(d.subscribe_host_taps());
  ITC_RETURN_IF_ERROR(d.subscribe_device_taps());
  d.start_stats_timer();
  d.start_disk_timer();
  spdlog::info("node {} starting: {} plugin(s), data dir {}{}", d.file.node.name(),
               d.file.plugins.size(), d.file.node.data_dir(),
               d.file.node.developer_mode() ? " [DEVELOPER MODE: unsigned plugins allowed]" : "");
  Status first = d.plugins->start(d.file.plugins);
  d.phase = Impl::Phase::kRunning;
  return first;
}

Status Node::shutdown() {
  if (!impl_) return Status::Ok();
  Impl& d = *impl_;
  std::lock_guard ops(d.ops_mu);
  if (d.shut_down) return Status::Ok();
  d.shut_down = true;
  d.phase = Impl::Phase::kStopping;
  std::error_code ec;
  if (!d.bus) {  // create() failed before the node was built: no plugin, no thread ran
    if (!d.run_dir.empty()) fs::remove_all(d.run_dir, ec);
    return Status::Ok();
  }
  // Plugins that hold back their sources (a full backlog) let everything through now.
  d.lifecycle.begin_stop();
  // Drain along the data flow, then stop: whatever is lost is named in the status.
  std::vector<std::string> lost = d.plugins->stop();
  if (d.host_timers != 0) d.scheduler->retire(d.host_timers);
  // Let the host's own taps see the last blocks and results the plugins sent on the way out.
  d.bus->wait_drained("host", std::chrono::seconds(2));
  d.bus->remove_owner("host");
  fs::remove_all(d.run_dir, ec);
  if (lost.empty()) {
    // A node that never started (--check-config) did not stop either.
    if (d.started_at_us != 0) spdlog::info("node {} stopped; nothing was lost", d.file.node.name());
    return Status::Ok();
  }
  std::string why;
  for (const auto& l : lost) why += (why.empty() ? "" : "; ") + l;
  spdlog::error("node {} stopped and lost data: {}", d.file.node.name(), why);
  return Status::Aborted("the stop lost data: " + why);
}

v1::NodeInfo Node::info() const {
  v1::NodeInfo n;
  n.set_name(impl_->file.node.name());
  n.set_version(ITC_VERSION);
  n.set_abi_major(kAbiMajor);
  n.set_abi_minor(kAbiMinor);
  n.set_developer_mode(impl_->file.node.developer_mode());
  n.set_started_at_us(impl_->started_at_us);
  n.set_config_file(impl_->file.path);
  return n;
}

v1::NodeConfig Node::config() const { return impl_->file.node; }
std::string Node::data_dir() const { return impl_->file.node.data_dir(); }
MetricsRegistry& Node::metrics() { return impl_->metrics; }
std::vector<v1::TopicStats> Node::topic_stats() const { return impl_->bus->stats(); }

std::vector<v1::PluginStatus> Node::plugins() const { return impl_->plugins->statuses(); }

std::vector<v1::Reading> Node::recent_readings(std::size_t max) const {
  return impl_->ledger.recent(max);
}

void* Node::find_service(std::string_view name) const { return impl_->services.find(name); }

std::optional<v1::BlockCommitted> Node::ledger_head() const {
  if (auto head = impl_->ledger.head()) return head;
  auto* store = static_cast<LedgerStore*>(impl_->services.find(LedgerStore::kServiceName));
  if (!store) return std::nullopt;
  auto head = store->head();
  if (!head.ok() || !head->has_value()) return std::nullopt;
  return **head;
}

v1::CommandResult Node::submit_command(const v1::Command& cmd) {
  auto* gw = static_cast<CommandGateway*>(impl_->services.find(CommandGateway::kServiceName));
  if (!gw) {
    v1::CommandResult r;
    r.set_device_id(cmd.device_id());
    r.set_nonce(cmd.nonce());
    r.set_accepted(false);
    r.set_reason("no running plugin provides " + std::string(CommandGateway::kServiceName) +
                 " (load the configuration-layer `control` plugin)");
    return r;
  }
  return gw->submit(cmd);
}

std::uint64_t Node::subscribe_events(EventSink sink) {
  std::lock_guard lock(impl_->mu);
  std::uint64_t id = impl_->next_sink++;
  impl_->sinks[id] = std::move(sink);
  return id;
}

void Node::unsubscribe_events(std::uint64_t id) {
  std::lock_guard lock(impl_->mu);
  impl_->sinks.erase(id);
}

}  // namespace itc::host
