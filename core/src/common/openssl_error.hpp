// The text of OpenSSL's oldest queued error, for messages; shared by libitc-sdk (keys,
// signatures) and libitc-p2p (TLS identities). Internal: not installed.
// Thread safety: reads and clears the calling thread's OpenSSL error queue only.
#pragma once

#include <string>

namespace itc {

// The oldest OpenSSL error on this thread as text, and clears the queue; "no OpenSSL
// error recorded" when it is empty.
std::string openssl_error();

}  // namespace itc
