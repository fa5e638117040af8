// `itc admin token create|list|revoke`: a node's admin API tokens and their roles, through
// the node's /v1/tokens routes (an admin-role token is needed, e.g. the node's admin.token).
// A new token is printed once, on stdout, and never again; nothing else ever shows it.
#include <google/protobuf/util/json_util.h>

#include <iostream>
#include <memory>

#include "admin_client.hpp"
#include "cli.hpp"
#include "host/admin_certificate.hpp"
#include "host/admin_tokens.hpp"
#include "itc/v1/node.pb.h"

namespace itc::cli {
namespace {

namespace pb = google::protobuf;

struct TokenOptions {
  NodeAccess node;
  std::string role;
  std::string name;
};

// POSTs or GETs `target`, expecting `ok_status`; parses the reply into `out`.
Status call(const NodeAccess& node, const std::string& target, const std::string* body,
            unsigned ok_status, pb::Message* out) {
  auto client = AdminClient::connect_to(node);
  if (!client.ok()) return client.status();
  auto reply = body ? client->post(target, *body) : client->get(target);
  if (!reply.ok()) return reply.status();
  if (reply->status != ok_status) return reply_error(target, *reply);
  return parse_message(reply->body, client->url() + target, out);
}

int create(const TokenOptions& opt) {
  v1::AdminTokenRequest req;
  req.set_name(opt.name);
  req.set_role(host::admin_role_from_name(opt.role).value_or(v1::ADMIN_ROLE_UNSPECIFIED));
  std::string body;
  if (!pb::util::MessageToJsonString(req, &body).ok()) {
    return fail(Status::Internal("cannot encode the request"));
  }
  v1::AdminTokenCreated created;
  if (Status st = call(opt.node, "/v1/tokens", &body, 201, &created); !st.ok()) return fail(st);
  std::cerr << "token '" << created.record().name() << "' (role "
            << host::admin_role_name(created.record().role())
            << ") created; it is shown only now: keep it in a file of mode 0600\n";
  std::cout << created.token() << "\n";
  return kExitOk;
}

void print_list(const v1::AdminTokenList& list) {
  std::printf("%-24s %-8s %s\n", "NAME", "ROLE", "CREATED");
  for (const v1::AdminTokenRecord& r : list.tokens()) {
    std::printf(
        "%-24s %-8s %s\n", r.name().c_str(), std::string(host::admin_role_name(r.role())).c_str(),
        r.created_at_us() == 0 ? "-" : host::format_utc(r.created_at_us() / 1000000).c_str());
  }
}

int list(const TokenOptions& opt) {
  v1::AdminTokenList tokens;
  if (Status st = call(opt.node, "/v1/tokens", nullptr, 200, &tokens); !st.ok()) return fail(st);
  print_list(tokens);
  return kExitOk;
}

int revoke(const TokenOptions& opt) {
  v1::AdminTokenList tokens;
  const std::string empty;
  if (Status st = call(opt.node, "/v1/tokens/" + opt.name + "/revoke", &empty, 200, &tokens);
      !st.ok()) {
    return fail(st);
  }
  std::cerr << "token '" << opt.name << "' revoked; it is refused from now on\n";
  print_list(tokens);
  return kExitOk;
}

}  // namespace

void add_admin_commands(CLI::App& app, Action& action) {
  auto opt = std::make_shared<TokenOptions>();
  CLI::App* admin = app.add_subcommand("admin", "A node's admin API: tokens and their roles");
  admin->require_subcommand(1);
  CLI::App* token = admin->add_subcommand(
      "token",
      "Tokens with roles: read (dashboards, Prometheus), operate (commands, transactions), "
      "admin (plugins, config, tokens); needs an admin-role --token-file");
  token->require_subcommand(1);

  CLI::App* c = token->add_subcommand("create", "Create a token and print it (only this once)");
  c->add_option("--role", opt->role, "read, operate or admin")
      ->required()
      ->check(CLI::IsMember({"read", "operate", "admin"}));
  c->add_option("--name", opt->name, "Its name (a-z 0-9 - _ .; default: <role>-<n>)");
  add_node_options(c, opt->node);
  c->callback([&action, opt] { action = [opt] { return create(*opt); }; });

  CLI::App* l = token->add_subcommand("list", "Names, roles and creation times (never secrets)");
  add_node_options(l, opt->node);
  l->callback([&action, opt] { action = [opt] { return list(*opt); }; });

  CLI::App* r = token->add_subcommand("revoke", "Revoke the token NAME: refused from now on");
  r->add_option("name", opt->name, "The token's name")->required();
  add_node_options(r, opt->node);
  r->callback([&action, opt] { action = [opt] { return revoke(*opt); }; });
}

}  // namespace itc::cli
