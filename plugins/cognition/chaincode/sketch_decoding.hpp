// The one way a sketch is read from bytes another node sent: parse the proto, then the
// sketch's own strict from_proto. Thread safety: a pure function.
#pragma once

#include <string>
#include <string_view>

#include "itc/status.hpp"

namespace itc::analytics {

// InvalidArgument "not a valid <proto type> message" for bytes that do not parse.
template <typename Sketch, typename Proto>
Result<Sketch> decode_sketch(std::string_view bytes) {
  Proto proto;
  if (!proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return Status::InvalidArgument("not a valid " + proto.GetTypeName() + " message");
  return Sketch::from_proto(proto);
}

}  // namespace itc::analytics
