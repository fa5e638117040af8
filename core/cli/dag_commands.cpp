// `itc dag ...`: device transactions of the DAG side chain through a node's admin API —
// issue one as a device would (tips from the node, proof of work, the device's signature),
// submit one signed elsewhere, show one's state, list tips. That one is final is proven to
// a light client by `itc-light dag ID`.
#include <google/protobuf/util/json_util.h>

#include <chrono>
#include <iostream>
#include <memory>

#include "admin_client.hpp"
#include "cli.hpp"
#include "issuer.hpp"
#include "itc/crypto.hpp"
#include "itc/file_io.hpp"
#include "itc/v1/dag.pb.h"
#include "transaction.hpp"

namespace itc::cli {
namespace {

namespace pb = google::protobuf;

struct DagOptions {
  NodeAccess node;
  std::string argument;  // ID or FILE
  bool json = false;
  // issue
  std::string key_file;
  std::string device_id;
  std::string metric = "power";
  double value = 0;
  std::string unit = "W";
  std::string to;
  std::uint64_t amount = 0;
  int pow_bits = 12;
  std::string out;
};

std::string hex(const std::string& raw) { return raw.empty() ? "-" : crypto::to_hex(raw); }

std::int64_t unix_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

template <typename Message>
Result<Message> get_message(const NodeAccess& node, const std::string& target,
                            bool not_found_is_answer = false) {
  auto client = AdminClient::connect_to(node);
  if (!client.ok()) return client.status();
  auto reply = client->get(target);
  if (!reply.ok()) return reply.status();
  if (reply->status != 200 && !(not_found_is_answer && reply->status == 404))
    return reply_error(target, *reply);
  Message m;
  ITC_RETURN_IF_ERROR(parse_message(reply->body, client->url() + target, &m));
  return m;
}

// POSTs `tx` and prints what admission made of it: 0 admitted or waiting, 1 refused.
int submit(const NodeAccess& node, const v1::DeviceTransaction& tx) {
  std::string json;
  if (!pb::util::MessageToJsonString(tx, &json).ok())
    return fail(Status::Internal("cannot encode the transaction as JSON"));
  auto client = AdminClient::connect_to(node);
  if (!client.ok()) return fail(client.status());
  auto reply = client->post("/v1/dag/tx", json);
  if (!reply.ok()) return fail(reply.status());
  v1::DagSubmitResult r;
  if (!pb::util::JsonStringToMessage(reply->body, &r).ok())
    return fail(reply_error("/v1/dag/tx", *reply));
  const std::string id = hex(dag::transaction_id(tx));
  if (r.outcome() == "admitted") {
    std::cout << "dag tx " << id << " admitted; final once a milestone names it (itc dag show)\n";
    return kExitOk;
  }
  if (r.outcome() == "waiting") {
    std::cout << "dag tx " << id << " waits for " << r.missing_size()
              << " parents the node is fetching from its peers\n";
    return kExitOk;
  }
  std::cout << "dag tx " << id << " refused (" << r.reason() << "): " << r.message() << "\n";
  return kExitFailed;
}

int run_issue(const DagOptions& o) {
  auto key = crypto::Ed25519PrivateKey::load_pem_file(o.key_file);
  if (!key.ok()) return fail(key.status().WithContext("--key"));
  auto tips = get_message<v1::DagTips>(o.node, "/v1/dag/tips?count=2");
  if (!tips.ok()) return fail(tips.status());
  const std::vector<std::string> parents(tips->tips().begin(), tips->tips().end());
  // The sequence only keeps equal contents apart: the issue time in µs is unique enough for
  // a command line.
  const std::int64_t now = unix_micros();
  dag::TransactionIssuer issuer(*key, o.pow_bits, static_cast<std::uint64_t>(now));
  v1::DeviceTransaction tx;
  if (!o.to.empty()) {
    auto to = crypto::load_public_key(o.to);
    if (!to.ok()) return fail(to.status().WithContext("--to"));
    tx = issuer.issue_transfer(*to, o.amount, parents, now);
  } else {
    v1::Reading r;
    r.set_device_id(o.device_id);
    r.set_metric(o.metric);
    r.set_value(o.value);
    r.set_unit(o.unit);
    r.set_quality(v1::QUALITY_GOOD);
    r.set_sampled_at_us(now);
    tx = issuer.issue_readings({r}, parents, now);
  }
  if (!o.out.empty()) {
    std::string json;
    if (!pb::util::MessageToJsonString(tx, &json).ok())
      return fail(Status::Internal("cannot encode the transaction as JSON"));
    if (Status s = write_output(o.out, json + "\n"); !s.ok()) return fail(s);
    std::cerr << "dag tx " << hex(dag::transaction_id(tx)) << " issued, not sent\n";
    return kExitOk;
  }
  return submit(o.node, tx);
}

int run_submit(const DagOptions& o) {
  auto text = read_file(o.argument);
  if (!text.ok()) return fail(text.status());
  v1::DeviceTransaction tx;
  if (Status s = parse_message(*text, o.argument, &tx); !s.ok()) return fail(s);
  return submit(o.node, tx);
}

int run_show(const DagOptions& o) {
  auto id = crypto::from_hex(o.argument);
  if (!id.ok() || id->size() != crypto::kSha256Size)
    return fail(Status::InvalidArgument("ID must be 64 hex digits, got '" + o.argument + "'"));
  auto s = get_message<v1::DagTxStatus>(o.node, "/v1/dag/tx/" + o.argument, true);
  if (!s.ok()) return fail(s.status());
  if (o.json) {
    std::string json;
    (void)pb::util::MessageToJsonString(*s, &json);
    std::cout << json << "\n";
  } else {
    std::cout << "dag tx " << o.argument << ": " << s->state();
    if (s->state() == "pending") std::cout << ", weight " << s->weight();
    if (s->state() == "final" || s->state() == "conflicting")
      std::cout << " at milestone " << s->milestone() << " (block " << s->height() << ")";
    if (!s->reason().empty()) std::cout << ": " << s->reason();
    std::cout << "\n";
  }
  return s->state() == "unknown" ? kExitFailed : kExitOk;
}

int run_tips(const DagOptions& o) {
  auto t = get_message<v1::DagTips>(o.node, "/v1/dag/tips?count=8");
  if (!t.ok()) return fail(t.status());
  std::cout << "latest milestone " << t->latest_milestone() << " (block "
            << t->latest_milestone_height() << "), " << t->held() << " transactions held, "
            << t->admitted() << " admitted since the node started\n";
  for (const auto& tip : t->tips()) std::cout << "tip " << hex(tip) << "\n";
  return kExitOk;
}

}  // namespace

void add_dag_commands(CLI::App& app, Action& action) {
  auto* group = app.add_subcommand("dag", "Device transactions of the DAG side chain");
  group->require_subcommand(1);
  group->footer(
      "The node must run pbft with `dag: true`. That a transaction is final is proven to a "
      "light client by `itc-light dag ID`.\n"
      "Examples:\n"
      "  itc dag issue --key lamp-0007.pem --device-id lamp-0007 --value 41.5\n"
      "  itc dag issue --key lamp-0007.pem --to lamp-0008.pem --amount 5\n"
      "  itc dag show 3fa0...e1 (64 hex digits)");
  auto o = std::make_shared<DagOptions>();

  auto* issue = group->add_subcommand(
      "issue", "Issue a device transaction (readings, or --to: a micro-transfer) and submit it");
  issue->add_option("--key", o->key_file, "The device's Ed25519 private key (PEM)")->required();
  issue->add_option("--device-id", o->device_id, "The device the reading is of");
  issue->add_option("--metric", o->metric, "Metric (default power)");
  issue->add_option("--value", o->value, "Reading value");
  issue->add_option("--unit", o->unit, "Unit (default W)");
  issue->add_option("--to", o->to, "Micro-transfer to this account: 64 hex digits or a PEM file");
  issue->add_option("--amount", o->amount, "Micro-transfer amount")->check(CLI::PositiveNumber);
  issue->add_option("--pow-bits", o->pow_bits, "Proof of work: the device class's level")
      ->check(CLI::Range(0, 32));
  issue->add_option("--out", o->out, "Write the signed JSON here instead of sending it");
  add_node_options(issue, o->node);
  issue->callback([&action, o] {
    if (o->to.empty() && o->device_id.empty())
      throw CLI::ValidationError("issue", "--device-id (a reading) or --to (a transfer) needed");
    if (!o->to.empty() && o->amount == 0)
      throw CLI::ValidationError("issue", "--to needs --amount");
    action = [o] { return run_issue(*o); };
  });

  auto* submit_cmd = group->add_subcommand("submit", "Submit a signed device transaction (JSON)");
  submit_cmd->add_option("FILE", o->argument, "v1.DeviceTransaction as JSON")->required();
  add_node_options(submit_cmd, o->node);
  submit_cmd->callback([&action, o] { action = [o] { return run_submit(*o); }; });

  auto* show = group->add_subcommand("show", "A device transaction's state on the node");
  show->add_option("ID", o->argument, "Transaction id (64 hex digits)")->required();
  show->add_flag("--json", o->json, "Print v1.DagTxStatus as JSON");
  add_node_options(show, o->node);
  show->callback([&action, o] { action = [o] { return run_show(*o); }; });

  auto* tips = group->add_subcommand("tips", "The latest milestone and tips to approve");
  add_node_options(tips, o->node);
  tips->callback([&action, o] { action = [o] { return run_tips(*o); }; });
}

}  // namespace itc::cli
