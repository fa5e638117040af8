#include "frame_reader.hpp"

#include <algorithm>
#include <cstring>

namespace itc::net {
namespace {

// One TLS record holds at most 16 KiB, so a 64 KiB chunk takes several per read.
constexpr std::size_t kReadChunk = 64u << 10;
// A buffer grown for a large frame is released once empty, so an idle link holds little.
constexpr std::size_t kKeepBytes = 1u << 20;

}  // namespace

std::span<char> FrameReader::prepare() {
  if (begin_ == end_) {
    begin_ = end_ = 0;
    if (buf_.size() > kKeepBytes) std::vector<char>().swap(buf_);
  }
  std::size_t held = end_ - begin_;
  std::size_t want = kReadChunk;
  if (held >= kFrameHeaderBytes) {
    std::size_t length = get_frame_header(buf_.data() + begin_);
    std::size_t frame_end = kFrameHeaderBytes + std::min(length, max_frame_bytes_);
    want = std::max(want, frame_end - std::min(frame_end, held));
  }
  if (buf_.size() - end_ < want) {
    if (begin_ > 0) {
      std::memmove(buf_.data(), buf_.data() + begin_, held);
      begin_ = 0;
      end_ = held;
    }
    if (buf_.size() - end_ < want) buf_.resize(end_ + want);
  }
  return {buf_.data() + end_, buf_.size() - end_};
}

FrameReader::Next FrameReader::next(std::string& frame) {
  std::size_t held = end_ - begin_;
  if (held < kFrameHeaderBytes) return Next::kNeedMore;
  std::uint32_t length = get_frame_header(buf_.data() + begin_);
  if (length > max_frame_bytes_) {
    declared_ = length;
    return Next::kTooLarge;
  }
  if (held < kFrameHeaderBytes + length) return Next::kNeedMore;
  frame.assign(buf_.data() + begin_ + kFrameHeaderBytes, length);
  begin_ += kFrameHeaderBytes + length;
  return Next::kFrame;
}

}  // namespace itc::net
