// Reading, checking and hashing the network genesis (see itc/ledger/validators.hpp).
#include <google/protobuf/util/json_util.h>

#include <map>

#include "itc/canonical_bytes.hpp"
#include "itc/file_io.hpp"
#include "itc/ledger/validators.hpp"

namespace itc::ledger {
namespace {

std::string at(std::string_view list, int index, std::string_view field) {
  return std::string(list) + "[" + std::to_string(index) + "]." + std::string(field);
}

Status bad(const std::string& field, const std::string& why) {
  return Status::InvalidArgument(field + ": " + why);
}

Status check_key(const std::string& field, const std::string& raw) {
  if (raw.empty()) return bad(field, "missing (an Ed25519 public key, 32 bytes in base64)");
  if (raw.size() != crypto::kEd25519PublicKeySize) {
    return bad(field, std::to_string(raw.size()) + " bytes, expected a 32-byte Ed25519 key");
  }
  return Status::Ok();
}

// Remembers the first index a value was seen at, to name both places of a duplicate.
class FirstSeen {
 public:
  explicit FirstSeen(std::string list, std::string field)
      : list_(std::move(list)), field_(std::move(field)) {}
  Status add(const std::string& value, int index, std::string_view shown) {
    auto [it, fresh] = seen_.emplace(value, index);
    if (fresh) return Status::Ok();
    return bad(
        at(list_, index, field_),
        std::string(shown) + " is also " + at(list_, it->second, field_) + "; each must be unique");
  }

 private:
  std::string list_;
  std::string field_;
  std::map<std::string, int> seen_;
};

Status check_validators(const v1::Genesis& g) {
  if (g.validators_size() == 0) return bad("validators", "at least one validator is needed");
  FirstSeen names("validators", "name");
  FirstSeen keys("validators", "public_key");
  FirstSeen addresses("validators", "address");
  for (int i = 0; i < g.validators_size(); ++i) {
    const v1::Validator& v = g.validators(i);
    if (v.name().empty()) return bad(at("validators", i, "name"), "missing");
    ITC_RETURN_IF_ERROR(names.add(v.name(), i, "'" + v.name() + "'"));
    ITC_RETURN_IF_ERROR(check_key(at("validators", i, "public_key"), v.public_key()));
    if (!crypto::Ed25519PublicKey::from_raw(v.public_key()).ok()) {
      return bad(at("validators", i, "public_key"), "not a valid Ed25519 public key");
    }
    ITC_RETURN_IF_ERROR(keys.add(v.public_key(), i, "the key"));
    const std::string& addr = v.address();
    std::size_t colon = addr.rfind(':');
    if (addr.empty() || colon == std::string::npos || colon == 0 || colon + 1 == addr.size()) {
      return bad(at("validators", i, "address"), "'" + addr + "' is not host:port");
    }
    ITC_RETURN_IF_ERROR(addresses.add(addr, i, "'" + addr + "'"));
  }
  return Status::Ok();
}

Status check_allocations(const v1::Genesis& g) {
  FirstSeen accounts("allocations", "account");
  std::uint64_t total = 0;
  for (int i = 0; i < g.allocations_size(); ++i) {
    const v1::Allocation& a = g.allocations(i);
    ITC_RETURN_IF_ERROR(check_key(at("allocations", i, "account"), a.account()));
    ITC_RETURN_IF_ERROR(accounts.add(a.account(), i, "the account"));
    if (__builtin_add_overflow(total, a.balance(), &total)) {
      return bad(at("allocations", i, "balance"), "the total of all balances exceeds 2^64-1");
    }
  }
  return Status::Ok();
}

Status check_devices(const v1::Genesis& g) {
  FirstSeen ids("devices", "device_id");
  for (int i = 0; i < g.devices_size(); ++i) {
    const v1::DeviceRecord& d = g.devices(i);
    if (d.device_id().empty()) return bad(at("devices", i, "device_id"), "missing");
    ITC_RETURN_IF_ERROR(ids.add(d.device_id(), i, "'" + d.device_id() + "'"));
    ITC_RETURN_IF_ERROR(check_key(at("devices", i, "device_public_key"), d.device_public_key()));
    ITC_RETURN_IF_ERROR(check_key(at("devices", i, "owner"), d.owner()));
    if (d.registered_height() != 0) {
      return bad(at("devices", i, "registered_height"), "must be 0 (absent) in genesis");
    }
  }
  return Status::Ok();
}

Status check_genesis(const v1::Genesis& g) {
  if (g.chain_id().empty()) return bad("chain_id", "missing; every network needs its own id");
  ITC_RETURN_IF_ERROR(check_validators(g));
  ITC_RETURN_IF_ERROR(check_allocations(g));
  if (g.commitment_period_s() != 0 && g.commitment_period_s() < 30) {
    return bad("commitment_period_s",
               std::to_string(g.commitment_period_s()) +
                   " is below 30 (one commitment per device and metric per period must cost "
                   "at most 20% of the pipeline; 0 means 60)");
  }
  return check_devices(g);
}

}  // namespace

Result<v1::Genesis> parse_genesis(std::string_view json, std::string_view source_name) {
  v1::Genesis genesis;
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = false;
  auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &genesis, opts);
  if (!parsed.ok()) {
    return Status::InvalidArgument(std::string(source_name) +
                                   ": not a valid genesis JSON: " + std::string(parsed.message()));
  }
  if (Status s = check_genesis(genesis); !s.ok()) return s.WithContext(source_name);
  return genesis;
}

Result<v1::Genesis> load_genesis(const std::string& path) {
  Result<std::string> text = read_file(path);
  if (!text.ok()) return text.status();
  return parse_genesis(*text, path);
}

std::string genesis_to_json(const v1::Genesis& genesis) {
  google::protobuf::util::JsonPrintOptions opts;
  opts.add_whitespace = true;
  opts.preserve_proto_field_names = true;  // the names check_genesis() reports
  opts.always_print_primitive_fields = true;
  std::string out;
  // Only a malformed Any can fail to print, and a Genesis holds none.
  (void)google::protobuf::util::MessageToJsonString(genesis, &out, opts);
  return out;
}

std::string genesis_hash(const v1::Genesis& genesis) {
  return crypto::sha256(deterministic_bytes(genesis));
}

}  // namespace itc::ledger
