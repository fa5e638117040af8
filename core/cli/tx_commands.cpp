// `itc tx ...`: sign a main-chain transaction with an account key and submit it to a
// node's POST /v1/tx, which answers once the transaction is committed or refused.
#include <google/protobuf/util/json_util.h>

#include <cctype>
#include <functional>
#include <iostream>
#include <memory>

#include "admin_client.hpp"
#include "cli.hpp"
#include "itc/crypto.hpp"
#include "itc/file_io.hpp"
#include "itc/ledger/transactions.hpp"
#include "itc/ledger/validators.hpp"

namespace itc::cli {
namespace {

namespace pb = google::protobuf;

// The node waits up to 30 s for a commit; allow for the round trip on top.
constexpr std::chrono::seconds kSubmitTimeout{40};

struct TxOptions {
  NodeAccess node;
  std::string key_file;
  std::string genesis_file;
  std::string chain_id;
  std::uint64_t fee = 0;
  std::uint64_t nonce = 0;
  std::string out;
  CLI::Option* fee_option = nullptr;
  CLI::Option* nonce_option = nullptr;
  // Body fields; each subcommand uses its own.
  std::string to;
  std::uint64_t amount = 0;
  std::string device_id;
  std::string device_key;
  std::string profile;
  std::string new_owner;
  std::string proposal;
  std::string site;
  // An analytics job (`itc analytics submit`).
  std::vector<std::string> profiles;
  std::vector<std::string> owners;
  std::vector<std::string> sites;
  std::string metric;
  std::int64_t window_from_us = 0;
  std::int64_t window_to_us = 0;
  std::vector<std::string> aggregates;
  std::uint32_t k = 0;
  double epsilon = 0;
  std::string template_name;
  std::uint64_t escrow = 0;
};

// Fills the transaction's body from the options; fails naming a bad option.
using BodyBuilder = std::function<Status(const TxOptions&, v1::Transaction*)>;

Result<std::string> public_key_option(std::string_view option, const std::string& value) {
  auto key = crypto::load_public_key(value);
  if (!key.ok())
    return Status::InvalidArgument(std::string(option) + ": " + key.status().message());
  return key;
}

// `sum` -> AGGREGATE_SUM, `distinct-count` -> AGGREGATE_DISTINCT_COUNT.
Result<v1::Aggregate> aggregate_option(const std::string& name) {
  std::string upper = "AGGREGATE_";
  for (char c : name) upper.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(c)));
  v1::Aggregate a = v1::AGGREGATE_UNSPECIFIED;
  if (!v1::Aggregate_Parse(upper, &a) || a == v1::AGGREGATE_UNSPECIFIED) {
    return Status::InvalidArgument("--aggregate: unknown aggregate '" + name +
                                   "' (count, sum, mean, min-max-bucket, histogram, "
                                   "distinct-count, membership, heavy-hitters)");
  }
  return a;
}

Status build_analytics_job(const TxOptions& o, v1::Transaction* tx) {
  v1::AnalyticsJob* job = tx->mutable_analytics_job();
  for (const auto& p : o.profiles) job->mutable_selection()->add_profiles(p);
  for (const auto& owner : o.owners) {
    auto key = public_key_option("--owner", owner);
    if (!key.ok()) return key.status();
    job->mutable_selection()->add_owners(*key);
  }
  for (const auto& site : o.sites) job->mutable_selection()->add_sites(site);
  job->set_metric(o.metric);
  job->set_window_start_us(o.window_from_us);
  job->set_window_end_us(o.window_to_us);
  for (const auto& name : o.aggregates) {
    auto a = aggregate_option(name);
    if (!a.ok()) return a.status();
    job->add_aggregates(*a);
  }
  job->set_min_devices(o.k);
  job->set_epsilon(o.epsilon);
  job->set_template_name(o.template_name);
  job->set_escrow(o.escrow);
  return Status::Ok();
}

// The sender's next nonce: one more than the last its account used (1 for a new one).
Result<std::uint64_t> next_nonce(const AdminClient& client, const std::string& sender) {
  const std::string target = "/v1/accounts/" + crypto::to_hex(sender);
  auto reply = client.get(target);
  if (!reply.ok()) return reply.status();
  if (reply->status == 404) return std::uint64_t{1};
  if (reply->status != 200) return reply_error(target, *reply);
  v1::Account account;
  if (!pb::util::JsonStringToMessage(reply->body, &account).ok()) {
    return Status::Corruption(target + ": the node's answer is not an Account: " + reply->body);
  }
  return account.nonce() + 1;
}

int submit(const AdminClient& client, const v1::Transaction& tx) {
  std::string json;
  if (!pb::util::MessageToJsonString(tx, &json).ok()) {
    return fail(Status::Internal("cannot encode the transaction as JSON"));
  }
  const std::string id = crypto::to_hex(ledger::tx_id(tx));
  std::cout << "tx " << id << "\n" << std::flush;
  auto reply = client.post("/v1/tx", json, kSubmitTimeout);
  if (!reply.ok()) return fail(reply.status());
  if (reply->status != 200 && reply->status != 422) return fail(reply_error("/v1/tx", *reply));
  v1::TxResult result;
  if (!pb::util::JsonStringToMessage(reply->body, &result).ok()) {
    return fail(Status::Corruption("/v1/tx: the node's answer is not a TxResult: " + reply->body));
  }
  if (!result.committed()) {
    std::cout << "refused: " << result.reason() << "\n";
    return kExitFailed;
  }
  std::cout << "committed in block " << result.height() << "\n";
  return kExitOk;
}

int run_tx(const TxOptions& o, const BodyBuilder& build_body) {
  auto key = crypto::Ed25519PrivateKey::load_pem_file(o.key_file);
  if (!key.ok()) return fail(key.status());
  std::string chain_id = o.chain_id;
  std::uint64_t min_fee = 0;
  if (!o.genesis_file.empty()) {
    auto genesis = ledger::load_genesis(o.genesis_file);
    if (!genesis.ok()) return fail(genesis.status());
    if (!chain_id.empty() && chain_id != genesis->chain_id()) {
      return fail(Status::InvalidArgument("--chain-id " + chain_id + " differs from " +
                                          o.genesis_file + "'s chain_id " + genesis->chain_id()));
    }
    chain_id = genesis->chain_id();
    min_fee = genesis->min_fee();
  }
  if (chain_id.empty()) {
    return fail(Status::InvalidArgument(
        "which chain? pass --genesis FILE (preferred: it also gives the minimum fee) or "
        "--chain-id ID"));
  }

  v1::Transaction tx;
  if (Status s = build_body(o, &tx); !s.ok()) return fail(s);
  tx.set_fee(o.fee_option->count() > 0 ? o.fee : min_fee);

  const bool sending = o.out.empty();
  std::optional<AdminClient> client;
  if (sending || o.nonce_option->count() == 0) {
    auto c = AdminClient::connect_to(o.node);
    if (!c.ok()) return fail(c.status());
    client = std::move(c).value();
  }
  if (o.nonce_option->count() > 0) {
    tx.set_nonce(o.nonce);
  } else {
    auto nonce = next_nonce(*client, key->public_key());
    if (!nonce.ok()) return fail(nonce.status());
    tx.set_nonce(*nonce);
  }
  ledger::sign_tx(chain_id, &tx, *key);
  if (sending) return submit(*client, tx);

  std::string json;
  if (!pb::util::MessageToJsonString(tx, &json).ok()) {
    return fail(Status::Internal("cannot encode the transaction as JSON"));
  }
  json.push_back('\n');
  if (Status s = write_output(o.out, json); !s.ok()) return fail(s);
  std::cerr << "tx " << crypto::to_hex(ledger::tx_id(tx)) << " signed for chain " << chain_id
            << ", not sent\n";
  return kExitOk;
}

CLI::App* add_tx_command(CLI::App* group, Action& action, const std::string& name,
                         const std::string& description, std::shared_ptr<TxOptions> o,
                         BodyBuilder build_body) {
  auto* cmd = group->add_subcommand(name, description);
  cmd->add_option("--key", o->key_file, "Sender's Ed25519 private key (PEM)")->required();
  cmd->add_option("--genesis", o->genesis_file,
                  "The network's genesis.json: chain id and minimum fee (preferred)");
  cmd->add_option("--chain-id", o->chain_id, "Chain id to sign for, without --genesis");
  o->fee_option = cmd->add_option("--fee", o->fee,
                                  "Fee. Default: the genesis minimum fee (0 with only --chain-id)");
  o->nonce_option = cmd->add_option(
      "--nonce", o->nonce, "Replay guard. Default: the account's last nonce + 1, from the node");
  cmd->add_option("--out", o->out,
                  "Write the signed transaction as JSON to this file ('-': stdout) instead of "
                  "sending it");
  add_node_options(cmd, o->node);
  cmd->callback([&action, o, build_body = std::move(build_body)] {
    action = [o, build_body] { return run_tx(*o, build_body); };
  });
  return cmd;
}

}  // namespace

void add_tx_commands(CLI::App& app, Action& action) {
  auto* group = app.add_subcommand("tx", "Sign and submit main-chain transactions");
  group->require_subcommand(1);
  group->footer(
      "Each command prints the transaction id, then 'committed in block H' (exit 0) or "
      "'refused: <reason>' (exit 1).\n"
      "Examples:\n"
      "  itc tx transfer --genesis net/genesis.json --key net/account-0.pem \\\n"
      "      --to net/account-1.pem --amount 250 --token-file node0/data/admin.token\n"
      "  itc tx register-device --genesis net/genesis.json --key owner.pem \\\n"
      "      --device-id lamp-0007 --device-key lamp-0007.pem --profile acme-lamp-v2\n"
      "  itc tx transfer-device --genesis net/genesis.json --key owner.pem \\\n"
      "      --device-id lamp-0007 --new-owner 5f3a...e9 (64 hex digits)");

  auto transfer = std::make_shared<TxOptions>();
  auto* t = add_tx_command(group, action, "transfer", "Send tokens to another account", transfer,
                           [](const TxOptions& o, v1::Transaction* tx) {
                             auto to = public_key_option("--to", o.to);
                             if (!to.ok()) return to.status();
                             tx->mutable_transfer()->set_to(*to);
                             tx->mutable_transfer()->set_amount(o.amount);
                             return Status::Ok();
                           });
  t->add_option("--to", transfer->to, "Recipient: 64 hex digits or a PEM key file")->required();
  t->add_option("--amount", transfer->amount, "Amount in base units")
      ->required()
      ->check(CLI::PositiveNumber);

  auto reg = std::make_shared<TxOptions>();
  auto* r = add_tx_command(group, action, "register-device",
                           "Register a device with the sender as its owner", reg,
                           [](const TxOptions& o, v1::Transaction* tx) {
                             auto key = public_key_option("--device-key", o.device_key);
                             if (!key.ok()) return key.status();
                             auto* body = tx->mutable_register_device();
                             body->set_device_id(o.device_id);
                             body->set_profile(o.profile);
                             body->set_device_public_key(*key);
                             body->set_site(o.site);
                             return Status::Ok();
                           });
  r->add_option("--device-id", reg->device_id, "Device id, e.g. lamp-0007")->required();
  r->add_option("--device-key", reg->device_key,
                "The device's public key: 64 hex digits or a PEM key file")
      ->required();
  r->add_option("--profile", reg->profile, "Device profile, e.g. acme-lamp-v2");
  r->add_option("--site", reg->site, "Site tag analytics jobs select by, e.g. plant-north");

  auto move = std::make_shared<TxOptions>();
  auto* m = add_tx_command(group, action, "transfer-device",
                           "Hand a device the sender owns to a new owner", move,
                           [](const TxOptions& o, v1::Transaction* tx) {
                             auto owner = public_key_option("--new-owner", o.new_owner);
                             if (!owner.ok()) return owner.status();
                             tx->mutable_transfer_device()->set_device_id(o.device_id);
                             tx->mutable_transfer_device()->set_new_owner(*owner);
                             return Status::Ok();
                           });
  m->add_option("--device-id", move->device_id, "Device id")->required();
  m->add_option("--new-owner", move->new_owner,
                "New owner's public key: 64 hex digits or a PEM key file")
      ->required();

  auto change = std::make_shared<TxOptions>();
  auto* c = add_tx_command(group, action, "reconfigure",
                           "Submit a validator-set change approved with 'itc validators approve'",
                           change, [](const TxOptions& o, v1::Transaction* tx) {
                             auto text = read_file(o.proposal);
                             if (!text.ok()) return text.status();
                             return parse_message(*text, o.proposal, tx->mutable_reconfigure());
                           });
  c->add_option("--proposal", change->proposal, "The approved proposal (Reconfigure JSON)")
      ->required();
}

void add_analytics_commands(CLI::App& app, Action& action) {
  auto* group = app.add_subcommand("analytics", "ChainCode analytics jobs on the main chain");
  group->require_subcommand(1);
  group->footer(
      "Example: energy of two owners' lamps over one hour, from at least 10 devices:\n"
      "  itc analytics submit --genesis net/genesis.json --key buyer.pem --profile dimmable-lamp "
      "\\\n"
      "      --metric power --from-us 1767225600000000 --to-us 1767229200000000 \\\n"
      "      --aggregate sum --aggregate mean --k 10 --template energy-sum --escrow 500\n"
      "  itc analytics status <job id printed as 'tx ...'>");

  auto job = std::make_shared<TxOptions>();
  auto* submit = add_tx_command(
      group, action, "submit",
      "Submit an AnalyticsJob: its escrow leaves the sender's account; refused with the reason "
      "when fewer than --k registered devices match",
      job, build_analytics_job);
  submit->add_option("--profile", job->profiles, "Select devices of this profile (repeatable)");
  submit->add_option("--owner", job->owners,
                     "Select devices of this owner: 64 hex digits or a PEM key (repeatable)");
  submit->add_option("--site", job->sites, "Select devices of this site tag (repeatable)");
  submit->add_option("--metric", job->metric, "The metric, e.g. power")->required();
  submit->add_option("--from-us", job->window_from_us, "Window start, Unix µs")->required();
  submit->add_option("--to-us", job->window_to_us, "Window end (exclusive), Unix µs")->required();
  submit
      ->add_option("--aggregate", job->aggregates,
                   "count, sum, mean, min-max-bucket, histogram, distinct-count, membership, "
                   "heavy-hitters (repeatable)")
      ->required();
  submit->add_option("--k", job->k, "Minimum number of contributing devices")->required();
  submit->add_option("--epsilon", job->epsilon,
                     "Differential privacy for sketch aggregates. Default: 0 (none)");
  submit->add_option("--template", job->template_name, "ChainCode template, e.g. energy-sum")
      ->required();
  submit->add_option("--escrow", job->escrow, "Fee for the data owners, held by the job")
      ->required();

  struct StatusOptions {
    NodeAccess node;
    std::string id;
  };
  auto status = std::make_shared<StatusOptions>();
  auto* st =
      group->add_subcommand("status", "A job's record on the chain (AnalyticsJobRecord JSON)");
  st->add_option("ID", status->id, "Job id: its transaction id (64 hex digits)")->required();
  add_node_options(st, status->node);
  st->callback([&action, status] {
    action = [status] {
      auto client = AdminClient::connect_to(status->node);
      if (!client.ok()) return fail(client.status());
      const std::string target = "/v1/analytics/jobs/" + status->id;
      auto reply = client->get(target);
      if (!reply.ok()) return fail(reply.status());
      if (reply->status != 200) return fail(reply_error(target, *reply));
      std::cout << reply->body << "\n";
      return kExitOk;
    };
  });
}

}  // namespace itc::cli
