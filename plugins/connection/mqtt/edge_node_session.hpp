// EdgeNodeSession: what this host application knows about one Sparkplug B edge node,
// and the rules of Sparkplug 3.0 applied to each message from it:
//  - NBIRTH starts a session: its bdSeq metric, its seq, the node's metric aliases; every
//    device must then send a DBIRTH, which defines that device's aliases.
//  - Every later message (DBIRTH, NDATA, DDATA, DDEATH) carries seq = previous + 1 mod 256.
//    A gap, a message before its birth, or an unknown alias is an error and asks for a
//    Rebirth (NCMD "Node Control/Rebirth" = true), at most once per rebirth interval
//    until the NBIRTH arrives. Data that could be read still goes through.
//  - NDEATH whose bdSeq matches the NBIRTH's ends the session (node and devices down); a
//    stale NDEATH (another bdSeq) is reported and ignored. DDEATH takes one device down.
// Pure logic (no I/O, time passed in), so it is tested directly.
// Thread safety: none; the plugin serialises calls per edge node.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sparkplug_codec.hpp"

namespace itc::mqtt {

struct NamedValue {
  std::string name;
  WireValue value;
};

struct SessionEvent {
  enum class Kind { kData, kUp, kDown, kError };
  Kind kind = Kind::kData;
  std::string device;              // "" = the edge node's own metrics
  std::vector<NamedValue> values;  // kData
  std::uint64_t timestamp_ms = 0;  // kData: the payload's timestamp
  std::string error_kind;          // kError: seq_gap, unknown_alias, before_birth,
                                   // stale_death, malformed
  std::string reason;              // kDown / kError
};

struct SessionOutcome {
  std::vector<SessionEvent> events;
  bool rebirth = false;  // send a Rebirth request to the edge node now
};

struct BirthMetricInfo {
  std::string name;
  std::optional<std::uint64_t> alias;
  std::uint32_t datatype = 0;
};

class EdgeNodeSession {
 public:
  explicit EdgeNodeSession(std::int64_t rebirth_interval_ms = 5000)
      : rebirth_interval_ms_(rebirth_interval_ms) {}

  // Applies one message (`device` is "" for N* verbs). `now_ms` is a monotonic clock.
  SessionOutcome on_message(SparkplugVerb verb, const std::string& device,
                            const SparkplugPayload& payload, std::int64_t now_ms);

  // The metric `name` in the birth of `device` ("" = node), or null if not born / absent.
  const BirthMetricInfo* birth_metric(const std::string& device, std::string_view name) const;
  bool born() const { return born_; }
  bool device_born(const std::string& device) const { return births_.count(device) != 0; }

  // What a successor needs to continue the session (hot swap).
  struct Snapshot {
    bool born = false;
    std::optional<std::uint64_t> bd_seq;
    std::uint32_t next_seq = 0;
    std::map<std::string, std::vector<BirthMetricInfo>> births;  // device -> birth metrics
  };
  Snapshot snapshot() const;
  void restore(const Snapshot& snapshot);

 private:
  struct Birth {
    std::unordered_map<std::uint64_t, std::size_t> by_alias;  // -> metrics index
    std::unordered_map<std::string, std::size_t> by_name;
    std::vector<BirthMetricInfo> metrics;
  };
  void error(SessionOutcome* out, std::string device, std::string kind, std::string reason,
             bool ask_rebirth, std::int64_t now_ms);
  bool check_seq(const std::string& device, const SparkplugPayload& p, SessionOutcome* out,
                 std::int64_t now_ms);
  void record_birth(const std::string& device, const SparkplugPayload& p, SessionOutcome* out,
                    std::int64_t now_ms);
  void data(const std::string& device, const SparkplugPayload& p, SessionOutcome* out,
            std::int64_t now_ms);
  void on_death(const SparkplugPayload& p, SessionOutcome* out, std::int64_t now_ms);

  std::int64_t rebirth_interval_ms_;
  bool born_ = false;
  std::optional<std::uint64_t> bd_seq_;
  std::uint32_t next_seq_ = 0;
  std::optional<std::int64_t> last_rebirth_ms_;
  std::map<std::string, Birth> births_;  // "" = the node's own birth
};

}  // namespace itc::mqtt
