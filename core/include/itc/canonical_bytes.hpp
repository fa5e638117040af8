// Canonical bytes: the one encoding every signed or hashed byte string, id and stored ledger
// value is built from, with a domain-separation prefix per message kind so that a signature
// for one kind never verifies as another.
#pragma once

#include <google/protobuf/message_lite.h>

#include <string>
#include <string_view>

#include "itc/export.hpp"

namespace itc {

// The deterministic protobuf encoding of `msg` (map entries sorted).
ITC_EXPORT std::string deterministic_bytes(const google::protobuf::MessageLite& msg);

// `domain` || deterministic_bytes(msg).
ITC_EXPORT std::string domain_separated_bytes(std::string_view domain,
                                              const google::protobuf::MessageLite& msg);

}  // namespace itc
