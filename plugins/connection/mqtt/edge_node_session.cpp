#include "edge_node_session.hpp"

namespace itc::mqtt {
namespace {

std::string where(const std::string& device) {
  return device.empty() ? "the edge node" : "device " + device;
}

std::optional<std::uint64_t> bd_seq_of(const SparkplugPayload& p) {
  for (const SparkplugMetric& m : p.metrics) {
    if (m.name && *m.name == kBdSeqMetric) {
      if (const auto* v = std::get_if<std::int64_t>(&m.value)) {
        return static_cast<std::uint64_t>(*v);
      }
    }
  }
  return std::nullopt;
}

}  // namespace

void EdgeNodeSession::error(SessionOutcome* out, std::string device, std::string kind,
                            std::string reason, bool ask_rebirth, std::int64_t now_ms) {
  SessionEvent e;
  e.kind = SessionEvent::Kind::kError;
  e.device = std::move(device);
  e.error_kind = std::move(kind);
  e.reason = std::move(reason);
  out->events.push_back(std::move(e));
  if (ask_rebirth && (!last_rebirth_ms_ || now_ms - *last_rebirth_ms_ >= rebirth_interval_ms_)) {
    last_rebirth_ms_ = now_ms;
    out->rebirth = true;
  }
}

SessionOutcome EdgeNodeSession::on_message(SparkplugVerb verb, const std::string& device,
                                           const SparkplugPayload& p, std::int64_t now_ms) {
  SessionOutcome out;
  switch (verb) {
    case SparkplugVerb::kNBirth: {
      if (!p.seq) {
        error(&out, "", "malformed", "NBIRTH without seq", true, now_ms);
        return out;
      }
      born_ = true;
      bd_seq_ = bd_seq_of(p);
      if (!bd_seq_) error(&out, "", "malformed", "NBIRTH without a bdSeq metric", false, now_ms);
      next_seq_ = static_cast<std::uint32_t>((*p.seq + 1) % 256);
      last_rebirth_ms_.reset();
      births_.clear();  // every device owes a new DBIRTH
      record_birth("", p, &out, now_ms);
      return out;
    }
    case SparkplugVerb::kNDeath:
      on_death(p, &out, now_ms);
      return out;
    case SparkplugVerb::kNCmd:
    case SparkplugVerb::kDCmd:
      return out;  // commands to the edge node (ours or another host's): not data
    default:
      break;
  }
  const std::string_view verb_text = verb_name(verb);
  if (!born_) {
    error(&out, device, "before_birth", std::string(verb_text) + " before the edge node's NBIRTH",
          true, now_ms);
    return out;
  }
  if (!check_seq(device, p, &out, now_ms)) return out;
  switch (verb) {
    case SparkplugVerb::kDBirth:
      record_birth(device, p, &out, now_ms);
      break;
    case SparkplugVerb::kDDeath: {
      births_.erase(device);
      SessionEvent e;
      e.kind = SessionEvent::Kind::kDown;
      e.device = device;
      e.reason = "DDEATH from the edge node";
      out.events.push_back(std::move(e));
      break;
    }
    default:  // NDATA, DDATA
      if (births_.count(device) == 0) {
        error(&out, device, "before_birth",
              std::string(verb_text) + " before the DBIRTH of " + where(device), true, now_ms);
        break;
      }
      data(device, p, &out, now_ms);
      break;
  }
  return out;
}

bool EdgeNodeSession::check_seq(const std::string& device, const SparkplugPayload& p,
                                SessionOutcome* out, std::int64_t now_ms) {
  if (!p.seq || *p.seq > 255) {
    error(out, device, "malformed",
          p.seq ? "seq " + std::to_string(*p.seq) + " is not 0..255" : "message without seq", true,
          now_ms);
    return false;
  }
  const auto seq = static_cast<std::uint32_t>(*p.seq);
  if (seq != next_seq_) {
    error(out, device, "seq_gap",
          "seq gap: expected " + std::to_string(next_seq_) + ", got " + std::to_string(seq), true,
          now_ms);
  }
  next_seq_ = (seq + 1) % 256;
  return true;  // the message itself is intact: its data still counts
}

void EdgeNodeSession::record_birth(const std::string& device, const SparkplugPayload& p,
                                   SessionOutcome* out, std::int64_t now_ms) {
  Birth birth;
  SessionEvent data;
  data.device = device;
  data.timestamp_ms = p.timestamp_ms;
  for (const SparkplugMetric& m : p.metrics) {
    if (!m.name || m.name->empty()) {
      error(out, device, "malformed", "a birth metric without a name", false, now_ms);
      continue;
    }
    BirthMetricInfo info{*m.name, m.alias, m.datatype};
    const std::size_t index = birth.metrics.size();
    if (m.alias && !birth.by_alias.emplace(*m.alias, index).second) {
      error(out, device, "malformed", "alias " + std::to_string(*m.alias) + " is used twice", false,
            now_ms);
    }
    birth.by_name[*m.name] = index;
    birth.metrics.push_back(std::move(info));
    if (!std::holds_alternative<std::monostate>(m.value)) data.values.push_back({*m.name, m.value});
  }
  births_[device] = std::move(birth);
  SessionEvent up;
  up.kind = SessionEvent::Kind::kUp;
  up.device = device;
  out->events.push_back(std::move(up));
  if (!data.values.empty()) out->events.push_back(std::move(data));
}

void EdgeNodeSession::data(const std::string& device, const SparkplugPayload& p,
                           SessionOutcome* out, std::int64_t now_ms) {
  const Birth& birth = births_.at(device);
  SessionEvent data;
  data.device = device;
  data.timestamp_ms = p.timestamp_ms;
  for (const SparkplugMetric& m : p.metrics) {
    const std::string* name = nullptr;
    if (m.alias) {
      auto it = birth.by_alias.find(*m.alias);
      if (it == birth.by_alias.end()) {
        error(out, device, "unknown_alias",
              "alias " + std::to_string(*m.alias) + " is not in the birth of " + where(device),
              true, now_ms);
        continue;
      }
      name = &birth.metrics[it->second].name;
    } else if (m.name) {
      name = &*m.name;
    } else {
      error(out, device, "malformed", "a metric with neither name nor alias", false, now_ms);
      continue;
    }
    data.values.push_back({*name, m.value});
  }
  if (!data.values.empty()) out->events.push_back(std::move(data));
}

void EdgeNodeSession::on_death(const SparkplugPayload& p, SessionOutcome* out,
                               std::int64_t now_ms) {
  if (!born_) return;  // nothing of this node is up
  const auto bd_seq = bd_seq_of(p);
  if (bd_seq_ && bd_seq != bd_seq_) {
    error(out, "", "stale_death",
          "NDEATH with bdSeq " + (bd_seq ? std::to_string(*bd_seq) : std::string("(none)")) +
              " ignored: the current session's bdSeq is " + std::to_string(*bd_seq_),
          false, now_ms);
    return;
  }
  const std::string reason =
      "NDEATH of the edge node (bdSeq " + (bd_seq ? std::to_string(*bd_seq) : "none") + ")";
  for (const auto& [dev, birth] : births_) {
    SessionEvent e;
    e.kind = SessionEvent::Kind::kDown;
    e.device = dev;
    e.reason = reason;
    out->events.push_back(std::move(e));
  }
  born_ = false;
  births_.clear();
}

const BirthMetricInfo* EdgeNodeSession::birth_metric(const std::string& device,
                                                     std::string_view name) const {
  auto b = births_.find(device);
  if (b == births_.end()) return nullptr;
  auto it = b->second.by_name.find(std::string(name));
  return it == b->second.by_name.end() ? nullptr : &b->second.metrics[it->second];
}

EdgeNodeSession::Snapshot EdgeNodeSession::snapshot() const {
  Snapshot out;
  out.born = born_;
  out.bd_seq = bd_seq_;
  out.next_seq = next_seq_;
  for (const auto& [dev, birth] : births_) out.births[dev] = birth.metrics;
  return out;
}

void EdgeNodeSession::restore(const Snapshot& in) {
  born_ = in.born;
  bd_seq_ = in.bd_seq;
  next_seq_ = in.next_seq % 256;
  births_.clear();
  for (const auto& [dev, metrics] : in.births) {
    Birth& birth = births_[dev];
    for (const BirthMetricInfo& m : metrics) {
      const std::size_t index = birth.metrics.size();
      if (m.alias) birth.by_alias.emplace(*m.alias, index);
      birth.by_name.emplace(m.name, index);
      birth.metrics.push_back(m);
    }
  }
}

}  // namespace itc::mqtt
