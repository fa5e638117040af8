// itc-light's state file, node access and messages (see light_cli.hpp).
#include <chrono>
#include <cstring>

#include "itc/crypto.hpp"
#include "itc/file_io.hpp"
#include "itc/light/state_file.hpp"
#include "light_cli.hpp"

namespace itc::light::cli {

Result<State> load_state(const std::string& path) {
  auto bytes = read_file(path, kMaxStateBytes);
  if (!bytes.ok()) {
    return Status::NotFound("light state: " + bytes.status().message() +
                            " (run 'itc-light init' first)");
  }
  State state{};
  const Outcome o =
      decode_state(reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size(), &state);
  if (!o.ok()) {
    return Status::Corruption(path + " is not a light state: " + describe(o) +
                              " (run 'itc-light init' again)");
  }
  if (const Outcome t = check_trust(state, now_us()); !t.ok()) {
    return Status::PermissionDenied("REFUSED " + path + ": " + describe(t) +
                                    " (run 'itc-light init --genesis ... --checkpoint "
                                    "HEIGHT:HASH' with a block you trust)");
  }
  return state;
}

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status save_state(const std::string& path, const State& state) {
  std::uint8_t buf[kMaxStateBytes];
  const std::size_t n = encode_state(state, buf, sizeof buf);
  if (n == 0) return Status::Internal("the light state does not encode");
  return write_file_atomically(path, std::string_view(reinterpret_cast<const char*>(buf), n), 0600);
}

std::string describe(Outcome o) {
  return std::string(verdict_name(o.verdict)) + ": " + verdict_text(o.verdict) + " (detail " +
         std::to_string(o.detail) + ")";
}

Result<std::string> fetch(const itc::cli::NodeAccess& node, const std::string& target) {
  auto client = itc::cli::AdminClient::connect_to(node);
  if (!client.ok()) return client.status();
  auto reply = client->get(target);
  if (!reply.ok()) return reply.status();
  if (reply->status != 200) return itc::cli::reply_error(node.url + target, *reply);
  return std::move(reply->body);
}

std::string header_line(const State& state) {
  if (state.header.height == 0) return "no header yet";
  const std::string hash(reinterpret_cast<const char*>(state.header.hash), kHashSize);
  return "height " + std::to_string(state.header.height) + ", header " +
         crypto::to_hex(hash).substr(0, 16) + "..." +
         (state.header.has_roots ? "" : " (checkpoint, not yet synced)");
}

}  // namespace itc::light::cli
