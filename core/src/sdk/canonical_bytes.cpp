#include "itc/canonical_bytes.hpp"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

namespace itc {

std::string domain_separated_bytes(std::string_view domain,
                                   const google::protobuf::MessageLite& msg) {
  std::string out;
  out.reserve(domain.size() + msg.ByteSizeLong());
  out.append(domain);
  {
    google::protobuf::io::StringOutputStream raw(&out);
    google::protobuf::io::CodedOutputStream coded(&raw);
    coded.SetSerializationDeterministic(true);
    msg.SerializeToCodedStream(&coded);
  }  // `coded` trims the string to what was written when it goes out of scope
  return out;
}

std::string deterministic_bytes(const google::protobuf::MessageLite& msg) {
  return domain_separated_bytes("", msg);
}

}  // namespace itc
