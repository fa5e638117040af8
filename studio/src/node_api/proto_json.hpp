// Protobuf JSON mapping for the admin API (lowerCamelCase names, bytes in base64), so the
// field names Studio reads are the schemas' own and cannot drift.
// Thread safety: pure functions.
#pragma once

#include <google/protobuf/message.h>

#include <QByteArray>
#include <QString>

namespace itc::studio {

// Parses `json` into `out` (unknown fields ignored: a newer node may add some). On failure
// returns false and sets *error to a message naming the message type and the problem.
bool parse_json(const QByteArray& json, google::protobuf::Message* out, QString* error);

// The JSON of `msg` as the node expects it in a request body.
QByteArray to_json(const google::protobuf::Message& msg);

// Hex of raw bytes (keys, hashes), lower case; shortened to `max_chars` with "…" if set.
QString hex(const std::string& bytes, int max_chars = 0);

}  // namespace itc::studio
