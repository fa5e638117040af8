// The admin API's route table (see admin_routes.hpp) and what each endpoint does,
// independent of HTTP framing and sockets (admin_server.cpp) and matching (admin_router.cpp).
#include "host/admin_routes.hpp"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <charconv>
#include <exception>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "host/admin_proofs.hpp"
#include "host/admin_retention.hpp"
#include "host/admin_server.hpp"
#include "host/admin_tokens.hpp"
#include "host/metrics_registry.hpp"
#include "host/node.hpp"
#include "itc/canonical_bytes.hpp"
#include "itc/chain/state.hpp"
#include "itc/crypto.hpp"
#include "itc/ledger/transactions.hpp"
#include "itc/services/device_transactions.hpp"
#include "itc/services/disk_space.hpp"
#include "itc/services/ledger_store.hpp"
#include "itc/services/transaction_pool.hpp"

namespace itc::host {
namespace {

namespace pb = google::protobuf;

constexpr std::size_t kDefaultRecentReadings = 100;
constexpr std::size_t kMaxRecentReadings = 10000;
constexpr std::size_t kMaxDevicePage = 1000;
constexpr std::size_t kMaxDeviceOffset = 10'000'000;
constexpr std::chrono::seconds kTxVerdictWait{30};

unsigned http_status_for(Status::Code code) {
  switch (code) {
    case Status::Code::kOk:
      return 200;
    case Status::Code::kInvalidArgument:
      return 400;
    case Status::Code::kNotFound:
      return 404;
    case Status::Code::kAlreadyExists:
      return 409;
    case Status::Code::kFailedPrecondition:
      return 409;
    case Status::Code::kPermissionDenied:
      return 403;
    case Status::Code::kUnavailable:
      return 503;
    case Status::Code::kAborted:
      return 409;
    case Status::Code::kIncompatible:
      return 422;
    case Status::Code::kCorruption:
      return 500;
    case Status::Code::kInternal:
      return 500;
  }
  return 500;
}

std::string to_json(const pb::Message& msg) {
  pb::util::JsonPrintOptions opts;
  opts.always_print_primitive_fields = true;
  std::string out;
  auto st = pb::util::MessageToJsonString(msg, &out, opts);
  if (!st.ok()) return "{}";  // only fails for malformed Any, which we never send
  return out;
}

AdminResponse json_ok(const pb::Message& msg, unsigned status = 200) {
  return AdminResponse{status, "application/json", to_json(msg)};
}

// Parses `body` as the JSON of `msg`'s type; the error names the type and the problem.
Status parse_json(const std::string& body, pb::Message& msg) {
  const std::string type = msg.GetDescriptor()->name();
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status::InvalidArgument("request body is empty; expected a " + type + " JSON object");
  }
  pb::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = false;
  auto st = pb::util::JsonStringToMessage(body, &msg, opts);
  if (!st.ok()) {
    return Status::InvalidArgument("malformed " + type + " JSON: " + std::string(st.message()));
  }
  return Status::Ok();
}

// The plugin's status after a lifecycle call, or {} if the node no longer lists it.
AdminResponse plugin_status_of(Node& node, const std::string& name) {
  for (const v1::PluginStatus& p : node.plugins()) {
    if (p.name() == name) return json_ok(p);
  }
  return AdminResponse{200, "application/json", "{}"};
}

AdminResponse recent_readings(Node& node, std::string_view query) {
  std::size_t max = kDefaultRecentReadings;
  if (auto v = query_param(query, "max")) {
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), max);
    if (ec != std::errc() || end != v->data() + v->size() || max < 1 || max > kMaxRecentReadings) {
      return admin_error(Status::InvalidArgument("query parameter max must be an integer in 1.." +
                                                 std::to_string(kMaxRecentReadings) + ", got '" +
                                                 *v + "'"));
    }
  }
  v1::RecentReadings out;
  for (v1::Reading& r : node.recent_readings(max)) *out.add_readings() = std::move(r);
  return json_ok(out);
}

AdminResponse ledger_head(Node& node) {
  v1::LedgerHead head;
  if (auto block = node.ledger_head()) {
    head.set_has_block(true);
    *head.mutable_header() = block->header();
    head.set_hash(block->hash());
  }
  return json_ok(head);
}

AdminResponse bus_topics(Node& node) {
  std::string body = "{\"topics\":[";
  bool first = true;
  for (const v1::TopicStats& t : node.topic_stats()) {
    if (!first) body += ',';
    first = false;
    body += to_json(t);
  }
  body += "]}";
  return AdminResponse{200, "application/json", std::move(body)};
}

AdminResponse submit_command(Node& node, const std::string& body) {
  v1::Command cmd;
  if (Status st = parse_json(body, cmd); !st.ok()) return admin_error(st);
  v1::CommandResult result = node.submit_command(cmd);
  return json_ok(result, result.accepted() ? 200 : 403);
}

// ---- Main chain: transactions, blocks, accounts, devices -------------------------------

AdminResponse no_provider(std::string_view service, std::string_view hint) {
  return admin_error(
      503, "Unavailable",
      "no running plugin provides " + std::string(service) + " (" + std::string(hint) + ")");
}

// 507 while the data dir is below its refuse watermark (node.disk), naming why; nullopt
// while new work is taken.
std::optional<AdminResponse> disk_refusal(Node& node) {
  auto* disk = static_cast<DiskSpace*>(node.find_service(DiskSpace::kServiceName));
  if (disk == nullptr) return std::nullopt;
  std::string why = disk->refusal();
  if (why.empty()) return std::nullopt;
  return admin_error(507, "InsufficientStorage", "not taking new work: " + why);
}

AdminOutcome submit_tx(Node& node, const std::string& body) {
  v1::Transaction tx;
  if (Status st = parse_json(body, tx); !st.ok()) return admin_error(st);
  if (auto refused = disk_refusal(node)) return *refused;
  auto* pool = static_cast<TransactionPool*>(node.find_service(TransactionPool::kServiceName));
  if (!pool) {
    return no_provider(TransactionPool::kServiceName,
                       "load the cyber-layer ordering plugin `pbft`");
  }
  const std::string id = ledger::tx_id(tx);
  // Work waiting for a commit (readiness) until the verdict, whoever holds `answer`.
  auto waiting = std::make_shared<std::shared_ptr<void>>(node.transaction_waiting());
  DeferredAdminResponse deferred;
  deferred.timeout = kTxVerdictWait;
  deferred.on_timeout = admin_error(
      504, "Unavailable",
      "transaction " + crypto::to_hex(id) + " was neither committed nor refused within " +
          std::to_string(kTxVerdictWait.count()) +
          " s; it may still commit: look for its id before sending it again");
  deferred.start = [pool, tx = std::move(tx), id, waiting](DeferredAdminResponse::Reply reply) {
    auto answer = [reply, id, waiting](v1::TxResult result) {
      waiting->reset();
      if (result.tx_id().empty()) result.set_tx_id(id);
      const bool undecided =
          !result.committed() && result.reason().starts_with(TransactionPool::kUndecided);
      reply(json_ok(result, result.committed() ? 200 : undecided ? 504 : 422));
    };
    // The pool is plugin code: a throw must not reach the server's threads.
    Status st = guard("TransactionPool::submit", [&] {
      pool->submit(tx, answer);
      return Status::Ok();
    });
    if (!st.ok()) {
      waiting->reset();
      reply(admin_error(st));
    }
  };
  return deferred;
}

// ---- DAG side chain: device transactions ----------------------------------------------

DeviceTransactions* device_transactions(Node& node) {
  return static_cast<DeviceTransactions*>(node.find_service(DeviceTransactions::kServiceName));
}

AdminResponse no_dag() {
  return no_provider(DeviceTransactions::kServiceName,
                     "load the ordering plugin `pbft` with `dag: true`");
}

AdminResponse submit_dag_tx(Node& node, const std::string& body) {
  v1::DeviceTransaction tx;
  if (Status st = parse_json(body, tx); !st.ok()) return admin_error(st);
  if (auto refused = disk_refusal(node)) return *refused;
  DeviceTransactions* dag = device_transactions(node);
  if (!dag) return no_dag();
  v1::DagSubmitResult r;
  Status st = guard("DeviceTransactions::submit", [&] {
    r = dag->submit(deterministic_bytes(tx));
    return Status::Ok();
  });
  if (!st.ok()) return admin_error(st);
  if (r.outcome() == "admitted") return json_ok(r, 200);
  if (r.outcome() == "waiting") return json_ok(r, 202);
  return json_ok(r, r.reason() == "unavailable" ? 503 : 422);
}

AdminResponse dag_tx_status(Node& node, const std::string& hex) {
  Result<std::string> id = crypto::from_hex(hex);
  if (!id.ok() || id->size() != 32) {
    return admin_error(
        Status::InvalidArgument("a DAG transaction id is 64 hex digits, got '" + hex + "'"));
  }
  DeviceTransactions* dag = device_transactions(node);
  if (!dag) return no_dag();
  v1::DagTxStatus status;
  Status st = guard("DeviceTransactions::status", [&] {
    status = dag->status(*id);
    return Status::Ok();
  });
  if (!st.ok()) return admin_error(st);
  return json_ok(status, status.state() == "unknown" ? 404 : 200);
}

AdminResponse dag_tips(Node& node, std::string_view query) {
  std::uint32_t count = 2;
  if (auto text = query_param(query, "count")) {
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), count);
    if (text->empty() || ec != std::errc() || end != text->data() + text->size() || count < 1 ||
        count > 8) {
      return admin_error(Status::InvalidArgument("count must be 1..8, got '" + *text + "'"));
    }
  }
  DeviceTransactions* dag = device_transactions(node);
  if (!dag) return no_dag();
  v1::DagTips tips;
  Status st = guard("DeviceTransactions::tips", [&] {
    tips = dag->tips(count);
    return Status::Ok();
  });
  if (!st.ok()) return admin_error(st);
  return json_ok(tips);
}

LedgerStore* ledger_store(Node& node) {
  return static_cast<LedgerStore*>(node.find_service(LedgerStore::kServiceName));
}

AdminResponse store_missing() {
  return no_provider(LedgerStore::kServiceName, "load a store plugin, e.g. store-sqlite");
}

AdminResponse ledger_block(Node& node, const std::string& height_text) {
  std::uint64_t height = 0;
  auto [end, ec] =
      std::from_chars(height_text.data(), height_text.data() + height_text.size(), height);
  if (ec != std::errc() || end != height_text.data() + height_text.size()) {
    return admin_error(Status::InvalidArgument("block height must be a decimal number, got '" +
                                               height_text + "'"));
  }
  LedgerStore* store = ledger_store(node);
  if (!store) return store_missing();
  Result<v1::Block> block = store->block(height);
  if (!block.ok()) return block_error(node, height, block.status());
  return json_ok(*block);
}

// The committed state value of `key` parsed as `Message`, or 404 naming `what`.
template <typename Message>
AdminResponse state_record(Node& node, const std::string& key, const std::string& what) {
  LedgerStore* store = ledger_store(node);
  if (!store) return store_missing();
  Result<std::optional<std::string>> value = store->state_value(key);
  if (!value.ok()) return admin_error(value.status());
  if (!value->has_value()) return admin_error(Status::NotFound("no " + what + " in the ledger"));
  Message m;
  if (!m.ParseFromString(**value)) {
    return admin_error(Status::Corruption("the stored state of " + what + " does not parse"));
  }
  return json_ok(m);
}

AdminResponse account(Node& node, const std::string& hex) {
  Result<std::string> raw = crypto::from_hex(hex);
  if (!raw.ok() || raw->size() != crypto::kEd25519PublicKeySize) {
    return admin_error(Status::InvalidArgument(
        "account must be 64 hex digits (an Ed25519 public key), got '" + hex + "'"));
  }
  return state_record<v1::Account>(node, ledger::account_key(*raw), "account " + hex);
}

AdminResponse analytics_job(Node& node, const std::string& hex) {
  Result<std::string> raw = crypto::from_hex(hex);
  if (!raw.ok() || raw->size() != crypto::kSha256Size) {
    return admin_error(Status::InvalidArgument(
        "job id must be 64 hex digits (its AnalyticsJob transaction's id), got '" + hex + "'"));
  }
  return state_record<v1::AnalyticsJobRecord>(node, ledger::job_key(*raw), "analytics job " + hex);
}

AdminResponse device_record(Node& node, const std::string& device_id) {
  return state_record<v1::DeviceRecord>(node, ledger::device_key(device_id), "device " + device_id);
}

// ---- Devices (the host's directory) and their profiles ----------------------------------

// GET /v1/devices?state=online|stale|offline|unknown|fault&q=<substring>&offset=&limit=
AdminResponse device_list(Node& node, std::string_view query) {
  DeviceFilter filter;
  if (auto state = query_param(query, "state"); state && !state->empty()) {
    static const std::map<std::string, v1::DeviceState> kStates = {
        {"online", v1::DEVICE_STATE_ONLINE},
        {"stale", v1::DEVICE_STATE_STALE},
        {"offline", v1::DEVICE_STATE_OFFLINE},
        {"unknown", v1::DEVICE_STATE_UNSPECIFIED}};
    if (*state == "fault") {
      filter.fault_only = true;
    } else if (auto it = kStates.find(*state); it != kStates.end()) {
      filter.state = it->second;
    } else {
      return admin_error(Status::InvalidArgument(
          "query parameter state must be online, stale, offline, unknown or fault, got '" + *state +
          "'"));
    }
  }
  if (auto q = query_param(query, "q")) filter.query = *q;
  for (auto [key, target, most] : {std::tuple{"offset", &filter.offset, kMaxDeviceOffset},
                                   std::tuple{"limit", &filter.limit, kMaxDevicePage}}) {
    auto v = query_param(query, key);
    if (!v) continue;
    std::size_t n = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || end != v->data() + v->size() || n > most) {
      return admin_error(Status::InvalidArgument("query parameter " + std::string(key) +
                                                 " must be an integer in 0.." +
                                                 std::to_string(most) + ", got '" + *v + "'"));
    }
    *target = n;
  }
  return json_ok(node.devices(filter));
}

AdminResponse device_status(Node& node, const std::string& device_id) {
  auto status = node.device(device_id);
  if (!status) {
    return admin_error(404, "NotFound", "no device \"" + device_id + "\" is known to this node");
  }
  return json_ok(*status);
}

// GET /readyz: 200 {"ready": true, "notReady": []}, or 503 listing what is not ready.
AdminResponse readiness(Node& node) {
  const Node::Readiness r = node.readiness();
  pb::Struct obj;
  (*obj.mutable_fields())["ready"].set_bool_value(r.ready());
  pb::ListValue* list = (*obj.mutable_fields())["notReady"].mutable_list_value();
  for (const std::string& why : r.not_ready) list->add_values()->set_string_value(why);
  return AdminResponse{r.ready() ? 200u : 503u, "application/json", to_json(obj)};
}

// ---- Plugins and config ------------------------------------------------------------------

AdminResponse plugin_list(Node& node) {
  v1::PluginList list;
  for (v1::PluginStatus& p : node.plugins()) *list.add_plugins() = std::move(p);
  return json_ok(list);
}

AdminResponse load_plugin(Node& node, const std::string& body) {
  v1::LoadRequest req;
  if (Status st = parse_json(body, req); !st.ok()) return admin_error(st);
  if (Status st = node.load(req); !st.ok()) return admin_error(st);
  return plugin_status_of(node, req.name());
}

AdminResponse plugin_config(Node& node, const std::string& name) {
  auto config = node.plugin_config(name);
  if (!config.ok()) return admin_error(config.status());
  return json_ok(*config);
}

AdminResponse swap_plugin(Node& node, const std::string& name, const std::string& body) {
  v1::SwapRequest req;
  if (Status st = parse_json(body, req); !st.ok()) return admin_error(st);
  if (Status st = node.swap(name, req); !st.ok()) return admin_error(st);
  return plugin_status_of(node, name);
}

AdminResponse unload_plugin(Node& node, const std::string& name) {
  if (Status st = node.unload(name); !st.ok()) return admin_error(st);
  return plugin_status_of(node, name);
}

AdminResponse apply_config(Node& node, const std::string& body) {
  v1::ApplyResult applied = node.apply_config(body, "<admin request>");
  AdminResponse r = json_ok(applied);
  if (!applied.ok()) r.status = applied.report().ok() ? 409 : 422;
  return r;
}

// The /v1/tokens routes: named tokens and their roles (admin_tokens.hpp).
AdminResponse token_list(AdminTokens* tokens) {
  if (!tokens) return admin_error(Status::Unavailable("this server keeps no tokens"));
  return json_ok(tokens->list());
}

AdminResponse token_create(AdminTokens* tokens, const std::string& body) {
  if (!tokens) return admin_error(Status::Unavailable("this server keeps no tokens"));
  v1::AdminTokenRequest req;
  if (Status st = parse_json(body, req); !st.ok()) return admin_error(st);
  auto created = tokens->create(req.name(), req.role());
  if (!created.ok()) return admin_error(created.status());
  return json_ok(*created, 201);
}

AdminResponse token_revoke(AdminTokens* tokens, const std::string& name) {
  if (!tokens) return admin_error(Status::Unavailable("this server keeps no tokens"));
  if (Status st = tokens->revoke(name); !st.ok()) return admin_error(st);
  return json_ok(tokens->list());
}

using Req = const AdminRequest&;
constexpr AdminAccess kPublic = AdminAccess::kPublic;
constexpr AdminAccess kToken = AdminAccess::kRead;  // any token
constexpr AdminAccess kOperate = AdminAccess::kOperate;
constexpr AdminAccess kAdmin = AdminAccess::kAdmin;

// The table. A handler adapts the request to the endpoint's function above; the docs
// column is what README.md's endpoint list shows.
const AdminRoute kRoutes[] = {
    {"GET", "/healthz", kPublic, "liveness: `ok` while the server answers", nullptr},
    {"GET", "/readyz", kPublic,
     "readiness (`Node::readiness`): 200 `{\"ready\": true, \"notReady\": []}`, or 503 "
     "with `notReady` naming what is not ready",
     [](Node& n, Req) -> AdminOutcome { return readiness(n); }},
    {"GET", "/metrics", kToken, "Prometheus text format 0.0.4",
     [](Node& n, Req) -> AdminOutcome {
       return AdminResponse{200, "text/plain; version=0.0.4; charset=utf-8",
                            n.metrics().render_prometheus()};
     }},
    {"GET", "/v1/events", kToken,
     "Server-Sent Events, one `data: <v1.Event JSON>` each (plugin states, blocks, command "
     "results, device changes, node stats once a second)",
     nullptr},
    {"GET", "/v1/node", kToken, "v1.NodeInfo",
     [](Node& n, Req) -> AdminOutcome { return json_ok(n.info()); }},
    {"GET", "/v1/plugins", kToken, "v1.PluginList",
     [](Node& n, Req) -> AdminOutcome { return plugin_list(n); }},
    {"POST", "/v1/plugins/load", kAdmin, "body v1.LoadRequest → v1.PluginStatus",
     [](Node& n, Req r) -> AdminOutcome { return load_plugin(n, r.body); }},
    {"POST", "/v1/plugins/{name}/swap", kAdmin,
     "body v1.SwapRequest → v1.PluginStatus (hot swap, state carried over)",
     [](Node& n, Req r) -> AdminOutcome { return swap_plugin(n, r.params[0], r.body); }},
    {"POST", "/v1/plugins/{name}/unload", kAdmin, "→ v1.PluginStatus, or {} once gone",
     [](Node& n, Req r) -> AdminOutcome { return unload_plugin(n, r.params[0]); }},
    {"GET", "/v1/plugins/{name}/config", kAdmin,
     "v1.PluginConfig: the section plus its protobuf descriptor (for generated forms)",
     [](Node& n, Req r) -> AdminOutcome { return plugin_config(n, r.params[0]); }},
    {"GET", "/v1/config", kAdmin, "v1.ConfigText: the config as started or last applied",
     [](Node& n, Req) -> AdminOutcome { return json_ok(n.config_text()); }},
    {"POST", "/v1/config/validate", kAdmin, "body YAML text → v1.ConfigReport",
     [](Node& n, Req r) -> AdminOutcome {
       return json_ok(n.validate_config(r.body, "<admin request>"));
     }},
    {"POST", "/v1/config/apply", kAdmin,
     "body YAML text → v1.ApplyResult (hot-swaps what changed; 422 invalid, 409 failed)",
     [](Node& n, Req r) -> AdminOutcome { return apply_config(n, r.body); }},
    {"GET", "/v1/profiles", kToken, "v1.DeviceProfileList",
     [](Node& n, Req) -> AdminOutcome { return json_ok(n.device_profiles()); }},
    {"GET", "/v1/devices", kToken,
     "v1.DeviceList; `?state=online|stale|offline|unknown|fault&q=&offset=&limit=`",
     [](Node& n, Req r) -> AdminOutcome { return device_list(n, r.query); }},
    {"GET", "/v1/devices/{id}", kToken, "v1.DeviceStatus (404 if unknown)",
     [](Node& n, Req r) -> AdminOutcome { return device_status(n, r.params[0]); }},
    {"GET", "/v1/devices/{id}/record", kToken, "v1.DeviceRecord, committed state (404 if none)",
     [](Node& n, Req r) -> AdminOutcome { return device_record(n, r.params[0]); }},
    {"GET", "/v1/readings/recent", kToken, "v1.RecentReadings; `?max=N` (1..10000, default 100)",
     [](Node& n, Req r) -> AdminOutcome { return recent_readings(n, r.query); }},
    {"GET", "/v1/ledger/head", kToken, "v1.LedgerHead",
     [](Node& n, Req) -> AdminOutcome { return ledger_head(n); }},
    {"GET", "/v1/ledger/blocks/{height}", kToken,
     "v1.Block with its transactions and qc (404 if none; 410 \"pruned at height N\" once "
     "retention pruned its readings and transactions)",
     [](Node& n, Req r) -> AdminOutcome { return ledger_block(n, r.params[0]); }},
    {"POST", "/v1/tx", kOperate,
     "body v1.Transaction → v1.TxResult once committed (200) or refused (422); 504 after "
     "30 s without a verdict, or when the pool stops waiting without one (reason "
     "`undecided: …`: it may still commit); 503 without a TransactionPool; 507 below the "
     "disk's refuse watermark (node.disk)",
     [](Node& n, Req r) -> AdminOutcome { return submit_tx(n, r.body); }},
    {"POST", "/v1/dag/tx", kOperate,
     "body v1.DeviceTransaction → v1.DagSubmitResult: admitted (200), waiting for parents "
     "(202), refused with the rule (422); 503 without a DAG; 507 below the disk's refuse "
     "watermark",
     [](Node& n, Req r) -> AdminOutcome { return submit_dag_tx(n, r.body); }},
    {"GET", "/v1/dag/tx/{hex id}", kToken,
     "v1.DagTxStatus: waiting, pending (weight), final or conflicting at a milestone (404 "
     "unknown)",
     [](Node& n, Req r) -> AdminOutcome { return dag_tx_status(n, r.params[0]); }},
    {"GET", "/v1/dag/tx/{hex id}/proof", kToken,
     "light-client proof that a device transaction is final: its milestone's certified block "
     "and audit path (binary, kind 5; 409 \"pruned at milestone N\", 404 not final)",
     [](Node& n, Req r) -> AdminOutcome { return proof_of_dag_tx(n, r.params[0]); }},
    {"GET", "/v1/dag/tips", kToken, "v1.DagTips: `?count=N` (1..8, default 2) tips to approve",
     [](Node& n, Req r) -> AdminOutcome { return dag_tips(n, r.query); }},
    {"GET", "/v1/accounts/{hex key}", kToken, "v1.Account, committed state (404 if none)",
     [](Node& n, Req r) -> AdminOutcome { return account(n, r.params[0]); }},
    {"GET", "/v1/analytics/jobs/{hex id}", kToken,
     "v1.AnalyticsJobRecord: the job, its buyer, escrow and matched devices, committed state "
     "(404 if none)",
     [](Node& n, Req r) -> AdminOutcome { return analytics_job(n, r.params[0]); }},
    {"GET", "/v1/proofs/header", kToken,
     "light-client header update: the newest header and its qc, or block H's with "
     "`?height=H`, pruned or not (binary, schemas/light-proof-format.md)",
     [](Node& n, Req r) -> AdminOutcome { return proof_of_head(n, r.query); }},
    {"GET", "/v1/proofs/state/{key}", kToken,
     "light-client state proof of a key (raw bytes, percent-encoded: `a%2F<32 bytes>`, "
     "`d%2F<device id>`) against the newest header: value or absence (binary)",
     [](Node& n, Req r) -> AdminOutcome { return proof_of_state(n, r.params[0]); }},
    {"GET", "/v1/proofs/tx/{hex id}", kToken,
     "light-client inclusion proof of a transaction; `?height=H` (default: the newest 1024 "
     "blocks) (binary; 410 once the search reaches a pruned block)",
     [](Node& n, Req r) -> AdminOutcome { return proof_of_tx(n, r.params[0], r.query); }},
    {"GET", "/v1/proofs/reading/{height}/{index}", kToken,
     "light-client inclusion proof of reading `index` of block `height` (binary; 410 "
     "\"pruned at height N\" once retention pruned the block)",
     [](Node& n, Req r) -> AdminOutcome { return proof_of_reading(n, r.params[0], r.params[1]); }},
    {"GET", "/v1/light/updates", kToken,
     "light-client epoch updates into the epochs after `?from_epoch=N` (up to 64, each the "
     "epoch's last header, its qc and the next validator set; binary list, kind 6)",
     [](Node& n, Req r) -> AdminOutcome { return light_updates(n, r.query); }},
    {"GET", "/v1/bus", kToken, "`{\"topics\": [v1.TopicStats...]}`",
     [](Node& n, Req) -> AdminOutcome { return bus_topics(n); }},
    {"POST", "/v1/commands", kOperate, "body v1.Command → v1.CommandResult (403 if refused)",
     [](Node& n, Req r) -> AdminOutcome { return submit_command(n, r.body); }},
    {"GET", "/v1/tokens", kAdmin, "v1.AdminTokenList: names, roles, creation times (no secrets)",
     [](Node&, Req r) -> AdminOutcome { return token_list(r.tokens); }},
    {"POST", "/v1/tokens", kAdmin,
     "body v1.AdminTokenRequest → v1.AdminTokenCreated (201; the only time the token is shown)",
     [](Node&, Req r) -> AdminOutcome { return token_create(r.tokens, r.body); }},
    {"POST", "/v1/tokens/{name}/revoke", kAdmin, "→ v1.AdminTokenList (404 unknown name)",
     [](Node&, Req r) -> AdminOutcome { return token_revoke(r.tokens, r.params[0]); }},
};

}  // namespace

std::optional<std::string> query_param(std::string_view query, std::string_view key) {
  std::size_t pos = 0;
  while (pos <= query.size()) {
    std::size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view pair = query.substr(pos, amp - pos);
    std::size_t eq = pair.find('=');
    if (pair.substr(0, eq) == key) {
      return eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1));
    }
    pos = amp + 1;
  }
  return std::nullopt;
}

std::span<const AdminRoute> admin_routes() { return kRoutes; }

AdminResponse admin_error(unsigned http_status, std::string_view code, std::string_view message) {
  pb::Struct obj;
  (*obj.mutable_fields())["error"].set_string_value(std::string(message));
  (*obj.mutable_fields())["code"].set_string_value(std::string(code));
  return AdminResponse{http_status, "application/json", to_json(obj)};
}

AdminResponse admin_error(const Status& status) {
  return admin_error(http_status_for(status.code()), Status::CodeName(status.code()),
                     status.message());
}

AdminResponse admin_error_for_exception() {
  try {
    throw;
  } catch (const std::exception& e) {
    return admin_error(Status::Internal(std::string("admin request failed: ") + e.what()));
  } catch (...) {
    return admin_error(Status::Internal("admin request failed with an unknown exception"));
  }
}

}  // namespace itc::host
