#include "host/plugin_library.hpp"

#include <unistd.h>

#include <atomic>
#include <boost/dll/shared_library.hpp>
#include <cstddef>
#include <filesystem>
#include <random>
#include <system_error>

#include "host/plugin_name.hpp"

namespace itc::host {
namespace fs = std::filesystem;

namespace {

// The record's fields up to and including config_descriptor_size: what ABI 1.0 defines.
constexpr std::size_t kAbi1RecordSize =
    offsetof(itc_plugin_info, config_descriptor_size) + sizeof(std::size_t);
// ... and up to and including schemas_version: what ABI 1.1 adds.
constexpr std::size_t kAbi11RecordSize =
    offsetof(itc_plugin_info, schemas_version) + sizeof(const char*);

// 3021012 -> "3.21.12"
std::string protobuf_version_text(std::uint32_t v) {
  return std::to_string(v / 1000000) + "." + std::to_string(v / 1000 % 1000) + "." +
         std::to_string(v % 1000);
}

std::string unique_copy_name(const std::string& path) {
  static std::atomic<std::uint64_t> counter{0};
  std::random_device rd;
  return fs::path(path).stem().string() + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(counter.fetch_add(1)) + "-" + std::to_string(rd() % 100000) + ".so";
}

std::string str_or_empty(const char* s) { return s ? std::string(s) : std::string(); }

}  // namespace

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find(',', start);
    if (end == std::string_view::npos) end = s.size();
    std::string item(s.substr(start, end - start));
    auto first = item.find_first_not_of(" \t");
    auto last = item.find_last_not_of(" \t");
    if (first != std::string::npos) out.push_back(item.substr(first, last - first + 1));
    start = end + 1;
  }
  return out;
}

Status check_abi_version(std::uint32_t major, std::uint32_t minor, const std::string& who) {
  if (major != kAbiMajor) {
    return Status::Incompatible(who + ": plugin ABI " + std::to_string(major) + "." +
                                std::to_string(minor) + " does not match the host's ABI " +
                                std::to_string(kAbiMajor) + "." + std::to_string(kAbiMinor) +
                                " (major versions must be equal); rebuild it against this SDK");
  }
  if (minor > kAbiMinor) {
    return Status::Incompatible(who + ": plugin needs ABI " + std::to_string(major) + "." +
                                std::to_string(minor) + " but this host provides only " +
                                std::to_string(kAbiMajor) + "." + std::to_string(kAbiMinor) +
                                "; upgrade the node");
  }
  return Status::Ok();
}

Status check_identity(std::string_view name, std::string_view version, std::string_view layer,
                      const std::string& who) {
  ITC_RETURN_IF_ERROR(check_plugin_name(name, who));
  bool known = false;
  for (const char* l : kLayers) known = known || layer == l;
  if (!known) {
    return Status::InvalidArgument(who + ": plugin '" + std::string(name) +
                                   "' names unknown layer '" + clipped(layer) +
                                   "' (connection, conversion, cyber, cognition, configuration)");
  }
  if (version.empty()) {
    return Status::InvalidArgument(who + ": plugin '" + std::string(name) + "' has no version");
  }
  return Status::Ok();
}

Status check_abi(const itc_plugin_info& info, const std::string& path) {
  ITC_RETURN_IF_ERROR(check_abi_version(info.abi_major, info.abi_minor, path));
  if (info.struct_size < kAbi1RecordSize) {
    return Status::Incompatible(path + ": plugin info record is " +
                                std::to_string(info.struct_size) + " bytes, ABI 1 needs at least " +
                                std::to_string(kAbi1RecordSize));
  }
  ITC_RETURN_IF_ERROR(check_build(info, path));
  return check_identity(str_or_empty(info.name), str_or_empty(info.version),
                        str_or_empty(info.layer), path);
}

Status check_build(const itc_plugin_info& info, const std::string& path) {
  if (info.abi_minor < 1) return Status::Ok();  // an ABI 1.0 record states no build facts
  if (info.struct_size < kAbi11RecordSize) {
    return Status::Incompatible(
        path + ": plugin info record is " + std::to_string(info.struct_size) +
        " bytes, ABI 1.1 needs at least " + std::to_string(kAbi11RecordSize));
  }
  if (info.protobuf_version != GOOGLE_PROTOBUF_VERSION) {
    const std::string host = protobuf_version_text(GOOGLE_PROTOBUF_VERSION);
    return Status::Incompatible(path + ": plugin was compiled against protobuf " +
                                protobuf_version_text(info.protobuf_version) +
                                " but this node uses protobuf " + host +
                                " (protobuf messages cross the plugin boundary); rebuild it "
                                "with protobuf " +
                                host);
  }
  const std::string toolchain = str_or_empty(info.toolchain);
  if (toolchain != ITC_ABI_TOOLCHAIN) {
    return Status::Incompatible(path + ": plugin was built with '" + clipped(toolchain) +
                                "' but this node with '" ITC_ABI_TOOLCHAIN
                                "' (C++ objects cross the plugin boundary); rebuild it with "
                                "the node's compiler and C++ library");
  }
  const std::string schemas = str_or_empty(info.schemas_version);
  if (schemas != kSchemasVersion) {
    return Status::Incompatible(path + ": plugin was compiled against libitc-schemas " +
                                clipped(schemas) + " but this node has libitc-schemas " +
                                kSchemasVersion + "; rebuild it against this node's SDK");
  }
  return Status::Ok();
}

struct PluginLibrary::Impl {
  boost::dll::shared_library lib;
  std::string copy_path;
  Plugin* (*create)() noexcept = nullptr;
  void (*destroy)(Plugin*) noexcept = nullptr;
};

Result<std::shared_ptr<PluginLibrary>> PluginLibrary::open(const std::string& path,
                                                           const std::string& run_dir) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return Status::NotFound("plugin library " + path + " does not exist");
  fs::create_directories(run_dir, ec);
  std::string copy = (fs::path(run_dir) / unique_copy_name(path)).string();
  fs::copy_file(path, copy, fs::copy_options::overwrite_existing, ec);
  if (ec) return Status::Unavailable("cannot copy " + path + " to " + copy + ": " + ec.message());

  std::shared_ptr<PluginLibrary> self(new PluginLibrary());
  self->impl_ = std::make_unique<Impl>();
  self->impl_->copy_path = copy;
  self->source_path_ = path;
  try {
    self->impl_->lib.load(copy,
                          boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    fs::remove(copy, ec);
    return Status::InvalidArgument(path + ": cannot load library: " + e.what());
  }
  auto& lib = self->impl_->lib;
  if (!lib.has("itc_plugin_info")) {
    return Status::InvalidArgument(path +
                                   ": not an IoT Chain plugin (no itc_plugin_info symbol; "
                                   "declare it with ITC_PLUGIN(...))");
  }
  const auto& rec = lib.get<const itc_plugin_info>("itc_plugin_info");
  // The ABI check reads only the record; nothing in the plugin is called before it passes.
  ITC_RETURN_IF_ERROR(check_abi(rec, path));
  PluginInfo& info = self->info_;
  info.abi_major = rec.abi_major;
  info.abi_minor = rec.abi_minor;
  info.name = str_or_empty(rec.name);
  info.version = str_or_empty(rec.version);
  info.layer = str_or_empty(rec.layer);
  info.config_type = str_or_empty(rec.config_type);
  info.provides = split_list(str_or_empty(rec.provides));
  info.requires_ = split_list(str_or_empty(rec.requires_));
  if (rec.config_descriptor && rec.config_descriptor_size > 0) {
    info.config_descriptor.assign(reinterpret_cast<const char*>(rec.config_descriptor),
                                  rec.config_descriptor_size);
  }
  if (!lib.has("itc_plugin_create") || !lib.has("itc_plugin_destroy")) {
    return Status::InvalidArgument(path + ": plugin '" + info.name +
                                   "' lacks itc_plugin_create/itc_plugin_destroy");
  }
  self->impl_->create = &lib.get<Plugin*() noexcept>("itc_plugin_create");
  self->impl_->destroy = &lib.get<void(Plugin*) noexcept>("itc_plugin_destroy");
  return self;
}

PluginLibrary::~PluginLibrary() {
  if (!impl_) return;
  // Every plugin object holds a reference to this library, so none is alive here.
  impl_->create = nullptr;
  impl_->destroy = nullptr;
  if (impl_->lib.is_loaded()) impl_->lib.unload();
  std::error_code ec;
  fs::remove(impl_->copy_path, ec);
}

Result<std::shared_ptr<Plugin>> PluginLibrary::create() {
  Plugin* raw = impl_->create();
  if (!raw) return Status::Internal("plugin '" + info_.name + "' failed to construct");
  live_.fetch_add(1);
  auto self = shared_from_this();
  auto destroy = impl_->destroy;
  return std::shared_ptr<Plugin>(raw, [self, destroy](Plugin* p) {
    destroy(p);
    self->live_.fetch_sub(1);
  });
}

Result<PluginInfo> inspect_library(const std::string& path, const std::string& run_dir) {
  auto lib = PluginLibrary::open(path, run_dir);
  if (!lib.ok()) return lib.status();
  return (*lib)->info();
}

}  // namespace itc::host
