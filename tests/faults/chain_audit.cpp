#include "chain_audit.hpp"

#include <QByteArray>
#include <QJsonObject>
#include <set>

#include "eventually.hpp"
#include "itc/crypto.hpp"
#include "itc/ledger/transactions.hpp"

namespace itc::testing {

namespace {

std::string bytes_of(const QJsonValue& v) {
  return QByteArray::fromBase64(v.toString().toLatin1()).toStdString();
}

std::string short_hex(const std::string& bytes) { return crypto::to_hex(bytes).substr(0, 16); }

}  // namespace

std::optional<ChainHead> chain_head(LocalNetwork& net, int i) {
  if (!net.running(i)) return std::nullopt;
  auto r = net.get(i, "/v1/ledger/head");
  if (r.status != 200 || !r.json["hasBlock"].toBool()) return std::nullopt;
  const QJsonObject header = r.json["header"].toObject();
  return ChainHead{header["height"].toString().toULongLong(), bytes_of(r.json["hash"]),
                   bytes_of(header["stateRoot"])};
}

std::optional<ChainHead> agreed_head(LocalNetwork& net, const std::vector<int>& nodes,
                                     int timeout_ms, std::string* detail) {
  std::vector<std::optional<ChainHead>> heads;
  const bool agreed = eventually(
      [&] {
        heads.clear();
        for (int i : nodes) heads.push_back(chain_head(net, i));
        for (const auto& h : heads) {
          if (!h || !(*h == *heads.front())) return false;
        }
        return true;
      },
      timeout_ms);
  if (agreed) return heads.front();
  if (detail) {
    detail->clear();
    for (std::size_t k = 0; k < heads.size(); ++k) {
      *detail += "validator " + std::to_string(nodes[k]) + ": ";
      *detail += heads[k] ? "height " + std::to_string(heads[k]->height) + " hash " +
                                short_hex(heads[k]->hash) + " state root " +
                                short_hex(heads[k]->state_root)
                          : std::string("no head");
      *detail += "\n";
    }
  }
  return std::nullopt;
}

std::string missing_acknowledged(LocalNetwork& net, int i,
                                 const std::map<std::string, std::uint64_t>& acknowledged) {
  std::map<std::uint64_t, std::vector<std::string>> by_height;
  for (const auto& [id, height] : acknowledged) by_height[height].push_back(id);
  std::string errors;
  for (const auto& [height, ids] : by_height) {
    auto block = net.block(i, height);
    if (!block) {
      errors += "validator " + std::to_string(i) + " serves no block " + std::to_string(height) +
                " (" + std::to_string(ids.size()) + " acknowledged transactions)\n";
      continue;
    }
    std::set<std::string> held;
    for (const auto& tx : block->transactions()) held.insert(ledger::tx_id(tx));
    for (const auto& id : ids) {
      if (!held.count(id)) {
        errors += "validator " + std::to_string(i) + ": transaction " + short_hex(id) +
                  " acknowledged at height " + std::to_string(height) + " is not in that block\n";
      }
    }
  }
  return errors;
}

std::string ordered_twice(LocalNetwork& net, int i, std::uint64_t up_to,
                          std::map<std::string, std::uint64_t>* ids) {
  std::map<std::string, std::uint64_t> seen;
  std::string errors;
  for (std::uint64_t h = 1; h <= up_to; ++h) {
    auto block = net.block(i, h);
    if (!block) {
      errors += "validator " + std::to_string(i) + " serves no block " + std::to_string(h) + "\n";
      continue;
    }
    for (const auto& tx : block->transactions()) {
      auto [it, fresh] = seen.emplace(ledger::tx_id(tx), h);
      if (!fresh) {
        errors += "transaction " + short_hex(it->first) + " in blocks " +
                  std::to_string(it->second) + " and " + std::to_string(h) + "\n";
      }
    }
  }
  if (ids) *ids = std::move(seen);
  return errors;
}

}  // namespace itc::testing
