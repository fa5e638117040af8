// `itc chain ...`: read the main chain from a node, and check a block's quorum
// certificate locally against the genesis validator set (what a light client does).
#include <google/protobuf/util/json_util.h>

#include <iostream>
#include <memory>

#include "admin_client.hpp"
#include "cli.hpp"
#include "itc/crypto.hpp"
#include "itc/file_io.hpp"
#include "itc/ledger/block_commitments.hpp"
#include "itc/ledger/transactions.hpp"
#include "itc/ledger/validators.hpp"
#include "itc/v1/node.pb.h"

namespace itc::cli {
namespace {

namespace pb = google::protobuf;

struct ChainOptions {
  NodeAccess node;
  std::uint64_t height = 0;
  bool json = false;
  std::string genesis_file;
  std::string block_file;
  CLI::Option* height_option = nullptr;
};

Result<v1::Block> fetch_block(const NodeAccess& node, std::uint64_t height) {
  auto client = AdminClient::connect_to(node);
  if (!client.ok()) return client.status();
  const std::string target = "/v1/ledger/blocks/" + std::to_string(height);
  auto reply = client->get(target);
  if (!reply.ok()) return reply.status();
  if (reply->status != 200) return reply_error(target, *reply);
  v1::Block block;
  ITC_RETURN_IF_ERROR(parse_message(reply->body, client->url() + target, &block));
  return block;
}

std::string hex(const std::string& raw) { return raw.empty() ? "-" : crypto::to_hex(raw); }

std::string describe_tx(const v1::Transaction& tx) {
  std::string what;
  switch (tx.body_case()) {
    case v1::Transaction::kTransfer:
      what =
          "transfer " + std::to_string(tx.transfer().amount()) + " to " + hex(tx.transfer().to());
      break;
    case v1::Transaction::kRegisterDevice:
      what = "register-device " + tx.register_device().device_id();
      break;
    case v1::Transaction::kTransferDevice:
      what = "transfer-device " + tx.transfer_device().device_id() + " to " +
             hex(tx.transfer_device().new_owner());
      break;
    case v1::Transaction::kAnchor:
      what = std::string(tx.signature().empty() ? "unsigned " : "") + "anchor " +
             hex(tx.anchor().data());
      break;
    case v1::Transaction::kReconfigure:
      what = "reconfigure to epoch " + std::to_string(tx.reconfigure().epoch()) + " (" +
             std::to_string(tx.reconfigure().validators_size()) + " validators, " +
             std::to_string(tx.reconfigure().approvals_size()) + " approvals)";
      break;
    case v1::Transaction::kCommitReadings:
      what = "commit-readings (" + std::to_string(tx.commit_readings().commitments_size()) +
             " commitments)";
      break;
    case v1::Transaction::kAnalyticsJob:
      what = "analytics-job " + tx.analytics_job().template_name() + " on " +
             tx.analytics_job().metric() + ", k " +
             std::to_string(tx.analytics_job().min_devices()) + ", escrow " +
             std::to_string(tx.analytics_job().escrow());
      break;
    case v1::Transaction::BODY_NOT_SET:
      what = "(no body)";
      break;
  }
  return crypto::to_hex(ledger::tx_id(tx)) + "  from " + hex(tx.sender()) + " nonce " +
         std::to_string(tx.nonce()) + " fee " + std::to_string(tx.fee()) + ": " + what;
}

void print_header(const v1::BlockHeader& h, const std::string& hash) {
  std::cout << "height      " << h.height() << "\n"
            << "hash        " << hex(hash) << "\n"
            << "prev_hash   " << hex(h.prev_hash()) << "\n"
            << "producer    " << h.producer() << " (view " << h.view() << ")\n"
            << "time        " << h.timestamp_us() << " us\n"
            << "readings    " << h.reading_count() << "  root " << hex(h.merkle_root()) << "\n"
            << "txs         " << h.tx_count() << "  root " << hex(h.tx_root()) << "\n"
            << "state_root  " << hex(h.state_root()) << "\n";
  if (h.milestone_size() > 0) std::cout << "milestone   " << h.milestone_size() << " tips\n";
}

int run_head(const ChainOptions& o) {
  auto client = AdminClient::connect_to(o.node);
  if (!client.ok()) return fail(client.status());
  auto reply = client->get("/v1/ledger/head");
  if (!reply.ok()) return fail(reply.status());
  if (reply->status != 200) return fail(reply_error("/v1/ledger/head", *reply));
  v1::LedgerHead head;
  if (Status s = parse_message(reply->body, client->url() + "/v1/ledger/head", &head); !s.ok()) {
    return fail(s);
  }
  if (!head.has_block()) {
    std::cout << "the ledger is empty\n";
    return kExitOk;
  }
  print_header(head.header(), head.hash());
  return kExitOk;
}

int run_block(const ChainOptions& o) {
  auto block = fetch_block(o.node, o.height);
  if (!block.ok()) return fail(block.status());
  if (o.json) {
    pb::util::JsonPrintOptions opts;
    opts.add_whitespace = true;
    std::string json;
    (void)pb::util::MessageToJsonString(*block, &json, opts);
    std::cout << json;
    return kExitOk;
  }
  print_header(block->header(), block->hash());
  for (const v1::Transaction& tx : block->transactions())
    std::cout << "  tx " << describe_tx(tx) << "\n";
  if (block->has_qc()) {
    std::cout << "qc          view " << block->qc().view() << ", " << block->qc().signatures_size()
              << " signatures\n";
  } else {
    std::cout << "qc          none (a solo block)\n";
  }
  return kExitOk;
}

// The verdict a light client reaches about one block, from the genesis alone.
int run_verify_qc(const ChainOptions& o) {
  auto genesis = ledger::load_genesis(o.genesis_file);
  if (!genesis.ok()) return fail(genesis.status());
  auto set = ledger::ValidatorSet::from_genesis(*genesis);
  if (!set.ok()) return fail(set.status().WithContext(o.genesis_file));
  v1::Block block;
  if (!o.block_file.empty()) {
    auto text = read_file(o.block_file, kMaxDataFileBytes);
    if (!text.ok()) return fail(text.status());
    if (Status s = parse_message(*text, o.block_file, &block); !s.ok()) return fail(s);
  } else {
    auto fetched = fetch_block(o.node, o.height);
    if (!fetched.ok()) return fail(fetched.status());
    block = std::move(fetched).value();
  }
  const std::string which =
      "block " + std::to_string(block.header().height()) + " (" + hex(block.hash()) + ")";
  auto invalid = [&](const Status& why) {
    std::cout << "INVALID: " << which << ": " << why.message() << "\n";
    return kExitFailed;
  };
  if (Status s = verify_block(block); !s.ok()) return invalid(s);
  if (!block.has_qc()) return invalid(Status::InvalidArgument("it has no quorum certificate"));
  if (Status s = set->verify_qc(block.header(), block.hash(), block.qc()); !s.ok()) {
    return invalid(s);
  }
  std::cout << "VALID: " << which << " of chain " << set->chain_id() << ": hash, roots and a "
            << "quorum certificate of " << block.qc().signatures_size() << " signatures (quorum "
            << set->quorum() << " of " << set->size() << " validators) check out\n";
  return kExitOk;
}

}  // namespace

void add_chain_commands(CLI::App& app, Action& action) {
  auto* group = app.add_subcommand("chain", "Read and verify the main chain");
  group->require_subcommand(1);

  auto head = std::make_shared<ChainOptions>();
  auto* h = group->add_subcommand("head", "Print the newest block's header");
  add_node_options(h, head->node);
  h->callback([&action, head] { action = [head] { return run_head(*head); }; });

  auto block = std::make_shared<ChainOptions>();
  auto* b = group->add_subcommand("block", "Print one block: header, transactions, certificate");
  b->add_option("HEIGHT", block->height, "Block height")->required();
  b->add_flag("--json", block->json, "Print the whole block as protobuf JSON");
  add_node_options(b, block->node);
  b->callback([&action, block] { action = [block] { return run_block(*block); }; });

  auto verify = std::make_shared<ChainOptions>();
  auto* v = group->add_subcommand(
      "verify-qc",
      "Check a block locally: its hash, Merkle roots and quorum certificate against the "
      "genesis validators. Prints VALID or INVALID with the reason; exit 1 when invalid");
  v->add_option("--genesis", verify->genesis_file, "The network's genesis.json")->required();
  auto* height = v->add_option("--height", verify->height, "Fetch this block from the node");
  auto* file = v->add_option("--block", verify->block_file,
                             "Read the block from this JSON file (as 'itc chain block --json' "
                             "prints it)");
  height->excludes(file);
  file->excludes(height);
  add_node_options(v, verify->node);
  v->callback([&action, verify, height, file] {
    if (height->count() == 0 && file->count() == 0) {
      throw CLI::RequiredError("--height or --block");
    }
    action = [verify] { return run_verify_qc(*verify); };
  });
  v->footer(
      "Examples:\n"
      "  itc chain verify-qc --genesis net/genesis.json --height 42 --token-file n0/admin.token\n"
      "  itc chain block 42 --json > b42.json && itc chain verify-qc --genesis "
      "net/genesis.json --block b42.json");
}

}  // namespace itc::cli
