// Seeds of the operator-facing targets: the example node configs and device profiles
// shipped in deploy/ (as they are), the mqtt plugin's section of the factory example, and
// plugin packages made and signed with host/package.hpp's own functions.
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <iterator>

#include "fixed_keys.hpp"
#include "host/package.hpp"
#include "itc/abi.hpp"
#include "itc/canonical_bytes.hpp"
#include "seeds/corpus.hpp"

namespace itc::fuzz {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_packages(Corpus& corpus) {
  v1::PackageManifest manifest;
  manifest.set_name("acme-lux-meter");
  manifest.set_version("1.2.0");
  manifest.set_layer("connection");
  manifest.set_abi_major(kAbiMajor);
  manifest.set_abi_minor(kAbiMinor);
  manifest.set_config_type("acme.lux.Config");
  manifest.add_provides("acme.lux.v1");
  manifest.add_requires_services("itc.device-profiles.v1");
  manifest.set_library_file("libacme-lux-meter.so");
  manifest.set_vendor("ACME");
  v1::SignedPackage pkg;
  pkg.set_library(
      "\x7f"
      "ELF not really a library");
  manifest.set_library_sha256(crypto::sha256(pkg.library()));
  pkg.set_manifest(deterministic_bytes(manifest));
  // As the target signs it (byte 0 = 3: sign, digest fixed first) ...
  corpus.add("package_manifest", "to-sign", std::string(1, '\3') + pkg.SerializeAsString());
  // ... and signed here, presented as it is (byte 0 = 0).
  if (!host::sign_package(&pkg, key_from_name("vendor-0")).ok()) {
    throw std::runtime_error("sign_package");
  }
  corpus.add("package_manifest", "signed", std::string(1, '\0') + pkg.SerializeAsString());
}

void write_admin_requests(Corpus& corpus, const std::string& node_yaml) {
  const std::string owner(64, 'a');
  const std::pair<const char*, std::string> requests[] = {
      {"node", "GET\n/v1/node\n"},
      {"readyz", "GET\n/readyz\n"},
      {"metrics", "GET\n/metrics\n"},
      {"plugins", "GET\n/v1/plugins\n"},
      {"plugin-config", "GET\n/v1/plugins/mqtt/config\n"},
      {"load", "POST\n/v1/plugins/load\n{\"package\": \"/nonexistent/mqtt.itcpkg\"}"},
      {"swap", "POST\n/v1/plugins/mqtt/swap\n{\"package\": \"/nonexistent/mqtt.itcpkg\"}"},
      {"unload", "POST\n/v1/plugins/sim%2Dlighting/unload\n"},
      {"config", "GET\n/v1/config\n"},
      {"validate", "POST\n/v1/config/validate\n" + node_yaml},
      {"profiles", "GET\n/v1/profiles\n"},
      {"devices", "GET\n/v1/devices?state=offline&offset=0&limit=5\n"},
      {"device", "GET\n/v1/devices/lamp%2D1\n"},
      {"record", "GET\n/v1/devices/lamp-1/record\n"},
      {"recent", "GET\n/v1/readings/recent?max=10\n"},
      {"head", "GET\n/v1/ledger/head\n"},
      {"block", "GET\n/v1/ledger/blocks/1\n"},
      {"account", "GET\n/v1/accounts/" + owner + "\n"},
      {"bus", "GET\n/v1/bus\n"},
      {"tx",
       "POST\n/v1/tx\n{\"nonce\": \"1\", \"fee\": \"0\", \"transfer\": {\"to\": "
       "\"AAAA\", \"amount\": \"5\"}}"},
      {"command",
       "POST\n/v1/commands\n{\"deviceId\": \"lamp-1\", \"action\": \"ACTION_DIM\", "
       "\"dimLevel\": 50}"},
  };
  for (const auto& [name, request] : requests) corpus.add("admin_request", name, request);
}

}  // namespace

void write_operator_seeds(Corpus& corpus) {
  const auto deploy = corpus.source_dir() / "deploy";
  for (const auto& name : {"single-node.yaml", "factory-site.yaml"}) {
    corpus.add("node_config", name, read_file(deploy / "examples" / name));
  }
  for (const auto& entry : std::filesystem::directory_iterator(deploy / "profiles")) {
    corpus.add("device_profile", entry.path().filename().string(), read_file(entry.path()));
  }
  const YAML::Node factory = YAML::LoadFile((deploy / "examples" / "factory-site.yaml").string());
  for (const auto& plugin : factory["plugins"]) {
    if (plugin["name"].as<std::string>() != "mqtt") continue;
    YAML::Emitter out;
    out << plugin["config"];
    corpus.add("plugin_config", "factory-site-mqtt", out.c_str());
  }
  write_packages(corpus);
  write_admin_requests(corpus, "node: {name: fuzz-2, data_dir: /nonexistent/data}\n");
}

}  // namespace itc::fuzz
