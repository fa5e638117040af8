#include "node_api/proto_json.hpp"

#include <google/protobuf/util/json_util.h>

#include "itc/crypto.hpp"

namespace itc::studio {

bool parse_json(const QByteArray& json, google::protobuf::Message* out, QString* error) {
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = true;
  auto st = google::protobuf::util::JsonStringToMessage(json.toStdString(), out, opts);
  if (st.ok()) return true;
  if (error) {
    *error = QString("the node's answer is not a valid %1: %2")
                 .arg(QString::fromStdString(out->GetDescriptor()->name()),
                      QString::fromStdString(std::string(st.message())));
  }
  return false;
}

QByteArray to_json(const google::protobuf::Message& msg) {
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(msg, &out);
  return QByteArray::fromStdString(out);
}

QString hex(const std::string& bytes, int max_chars) {
  QString h = QString::fromStdString(crypto::to_hex(bytes));
  if (max_chars > 0 && h.size() > max_chars) return h.left(max_chars) + QChar(0x2026);
  return h;
}

}  // namespace itc::studio
