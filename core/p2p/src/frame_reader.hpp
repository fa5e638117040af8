// The wire framing of a validator link: each frame is a 4-byte big-endian length followed
// by that many bytes. FrameReader reassembles frames from whatever pieces a stream yields,
// and refuses a declared length above the limit before buffering any of it.
// Thread safety: none; a FrameReader belongs to one link and is used on its strand.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace itc::net {

inline constexpr std::size_t kFrameHeaderBytes = 4;

inline void put_frame_header(char* out, std::uint32_t length) {
  out[0] = static_cast<char>(length >> 24);
  out[1] = static_cast<char>(length >> 16);
  out[2] = static_cast<char>(length >> 8);
  out[3] = static_cast<char>(length);
}

inline std::uint32_t get_frame_header(const char* in) {
  auto b = [&](int i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])); };
  return (b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3);
}

class FrameReader {
 public:
  enum class Next { kFrame, kNeedMore, kTooLarge };

  explicit FrameReader(std::size_t max_frame_bytes) : max_frame_bytes_(max_frame_bytes) {}

  // Room for the next read: at least a read chunk, or the rest of the frame being read.
  std::span<char> prepare();
  // `n` bytes were read into the span prepare() returned.
  void commit(std::size_t n) { end_ += n; }

  // On kFrame, `frame` holds the next complete frame. On kTooLarge, declared_length()
  // is the refused length; the reader must not be used further.
  Next next(std::string& frame);
  std::uint32_t declared_length() const { return declared_; }
  // Bytes of an incomplete frame held (discarded when a link closes).
  std::size_t pending_bytes() const { return end_ - begin_; }

 private:
  std::size_t max_frame_bytes_;
  std::vector<char> buf_;
  std::size_t begin_ = 0;  // first unconsumed byte
  std::size_t end_ = 0;    // one past the last byte read
  std::uint32_t declared_ = 0;
};

}  // namespace itc::net
