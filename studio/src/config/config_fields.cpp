#include "config/config_fields.hpp"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/descriptor_database.h>

#include <cmath>
#include <limits>
#include <memory>

#include "itc/enum_names.hpp"
#include "yaml_scalars.hpp"

namespace itc::studio {

namespace pb = google::protobuf;
using FD = pb::FieldDescriptor;
using Kind = ConfigField::Kind;

namespace {

class PoolErrors : public pb::DescriptorPool::ErrorCollector {
 public:
  void AddError(const std::string& filename, const std::string& element_name,
                const pb::Message* /*descriptor*/, ErrorLocation /*location*/,
                const std::string& message) override {
    if (!text.isEmpty()) text += "; ";
    text += QString::fromStdString(filename + ": " + element_name + ": " + message);
  }
  QString text;
};

Kind kind_of(const FD* fd) {
  if (fd->is_repeated() || fd->cpp_type() == FD::CPPTYPE_MESSAGE) return Kind::kYamlOnly;
  switch (fd->cpp_type()) {
    case FD::CPPTYPE_INT32:
      return Kind::kInt32;
    case FD::CPPTYPE_INT64:
      return Kind::kInt64;
    case FD::CPPTYPE_UINT32:
      return Kind::kUInt32;
    case FD::CPPTYPE_UINT64:
      return Kind::kUInt64;
    case FD::CPPTYPE_DOUBLE:
      return Kind::kDouble;
    case FD::CPPTYPE_FLOAT:
      return Kind::kFloat;
    case FD::CPPTYPE_BOOL:
      return Kind::kBool;
    case FD::CPPTYPE_ENUM:
      return Kind::kEnum;
    case FD::CPPTYPE_STRING:
      return fd->type() == FD::TYPE_BYTES ? Kind::kBytes : Kind::kString;
    case FD::CPPTYPE_MESSAGE:
      break;
  }
  return Kind::kYamlOnly;
}

QString type_label_of(const FD* fd) {
  QString base;
  if (fd->is_map()) {
    return QString("map<%1, %2>")
        .arg(type_label_of(fd->message_type()->map_key()),
             type_label_of(fd->message_type()->map_value()));
  }
  if (fd->cpp_type() == FD::CPPTYPE_MESSAGE) {
    base = QString::fromStdString(fd->message_type()->name());
  } else if (fd->cpp_type() == FD::CPPTYPE_ENUM) {
    base = QString::fromStdString(fd->enum_type()->name());
  } else {
    base = QString::fromLatin1(fd->type_name());
  }
  return fd->is_repeated() ? "repeated " + base : base;
}

QString leading_comment(const FD* fd) {
  pb::SourceLocation where;
  if (!fd->GetSourceLocation(&where)) return {};
  return QString::fromStdString(where.leading_comments).trimmed();
}

// An integer as YAML may write it (sign, 0x / 0o prefix, '_' separators), read as the node
// reads it (yaml_scalars.hpp); nullopt if the text is not one or does not fit in 64 bits.
struct Integer {
  bool negative = false;
  quint64 magnitude = 0;
};
std::optional<Integer> parse_integer(const QString& text) {
  const std::optional<yaml::IntegerText> v = yaml::parse_integer(text.trimmed().toStdString());
  if (!v || v->overflow) return std::nullopt;
  return Integer{v->negative, v->magnitude};
}

// The range of an integer kind as [min, max] over a signed magnitude.
struct Range {
  qint64 min;
  quint64 max;
};
Range range_of(Kind kind) {
  switch (kind) {
    case Kind::kInt32:
      return {std::numeric_limits<qint32>::min(), std::numeric_limits<qint32>::max()};
    case Kind::kUInt32:
      return {0, std::numeric_limits<quint32>::max()};
    case Kind::kInt64:
      return {std::numeric_limits<qint64>::min(), std::numeric_limits<qint64>::max()};
    default:
      return {0, std::numeric_limits<quint64>::max()};
  }
}

bool in_range(const Integer& v, const Range& r) {
  if (!v.negative) return v.magnitude <= r.max;
  if (v.magnitude == 0) return true;
  // -magnitude >= min  <=>  magnitude <= -min (computed without overflow).
  return r.min < 0 && v.magnitude <= static_cast<quint64>(-(r.min + 1)) + 1;
}

QString quoted(const QString& text) { return "\"" + text + "\""; }

// Empty if the number `text` (already known to parse) lies in the field's declared range.
QString declared_range_problem(const ConfigField& field, const QString& text) {
  const std::optional<double> v = yaml::parse_number(text.trimmed().toStdString());
  if (!field.range || !v || field.range->contains(*v)) return {};
  return QString("%1: %2").arg(
      QString::fromStdString(field.name),
      QString::fromStdString(config::out_of_range(*field.range, text.trimmed().toStdString())));
}

}  // namespace

QString ConfigField::zero_value() const {
  switch (kind) {
    case Kind::kBool:
      return "false";
    case Kind::kEnum:
      return enum_values.isEmpty() ? QString() : enum_values.first();
    case Kind::kString:
    case Kind::kBytes:
    case Kind::kYamlOnly:
      return {};
    default:
      return "0";
  }
}

QString enum_short_name(const std::string& enum_type_name, const std::string& value_name) {
  return QString::fromStdString(itc::enum_short_name(enum_type_name, value_name));
}

std::optional<std::vector<ConfigField>> describe_config(const std::string& descriptor_set,
                                                        const std::string& type_name,
                                                        QString* error) {
  const QString type = QString::fromStdString(type_name);
  auto fail = [&](const QString& why) {
    if (error) *error = why;
    return std::nullopt;
  };
  if (type_name.empty()) return fail("the plugin declares no config type");
  pb::FileDescriptorSet set;
  if (descriptor_set.empty()) return fail(type + ": the plugin embeds no config descriptor");
  if (!set.ParseFromString(descriptor_set) || set.file_size() == 0) {
    return fail(type + ": the descriptor set does not parse");
  }
  pb::SimpleDescriptorDatabase database;
  for (const pb::FileDescriptorProto& file : set.file()) {
    if (!database.Add(file)) {
      return fail(type + ": file " + QString::fromStdString(file.name()) +
                  " is duplicated or malformed in the descriptor set");
    }
  }
  // The pool pulls files from the database in dependency order as the type needs them.
  PoolErrors errors;
  pb::DescriptorPool pool(&database, &errors);
  const pb::Descriptor* message = pool.FindMessageTypeByName(type_name);
  if (message == nullptr) {
    return fail(type + " is not in the plugin's descriptor set" +
                (errors.text.isEmpty() ? QString() : " (" + errors.text + ")"));
  }
  std::vector<ConfigField> fields;
  for (int i = 0; i < message->field_count(); ++i) {
    const FD* fd = message->field(i);
    ConfigField f;
    f.name = fd->name();
    f.kind = kind_of(fd);
    f.has_presence = f.in_form() && fd->has_presence();
    f.type_label = type_label_of(fd);
    f.help = leading_comment(fd);
    if (f.in_form()) f.range = config::range_of(*fd);
    if (f.kind == Kind::kEnum) {
      const pb::EnumDescriptor* en = fd->enum_type();
      for (int v = 0; v < en->value_count(); ++v) {
        f.enum_values << enum_short_name(en->name(), en->value(v)->name());
        f.enum_full_names << QString::fromStdString(en->value(v)->name());
        f.enum_numbers << en->value(v)->number();
      }
    }
    fields.push_back(std::move(f));
  }
  return fields;
}

QString check_value(const ConfigField& field, const QString& text) {
  const QString name = QString::fromStdString(field.name);
  switch (field.kind) {
    case Kind::kInt32:
    case Kind::kInt64:
    case Kind::kUInt32:
    case Kind::kUInt64: {
      const Range r = range_of(field.kind);
      const std::optional<Integer> v = parse_integer(text);
      if (v && in_range(*v, r)) return declared_range_problem(field, text);
      return QString("%1: expected an integer in %2..%3 (%4), got %5")
          .arg(name)
          .arg(r.min)
          .arg(r.max)
          .arg(field.type_label, quoted(text));
    }
    case Kind::kDouble:
    case Kind::kFloat: {
      const std::optional<double> v = yaml::parse_number(text.trimmed().toStdString());
      if (!v || !std::isfinite(*v)) {
        return QString("%1: expected a number, got %2").arg(name, quoted(text));
      }
      if (field.kind == Kind::kFloat && std::fabs(*v) > std::numeric_limits<float>::max()) {
        return QString("%1: %2 is out of range for float").arg(name, text);
      }
      return declared_range_problem(field, text);
    }
    case Kind::kBool:
      if (text == "true" || text == "false") return {};
      return QString("%1: expected true or false, got %2").arg(name, quoted(text));
    case Kind::kEnum:
      if (field.enum_values.contains(text)) return {};
      return QString("%1: %2 is not a value of %3; valid values: %4")
          .arg(name, quoted(text), field.type_label, field.enum_values.join(", "));
    case Kind::kBytes: {
      if (yaml::decode_bytes(text.toStdString())) return {};  // as the node reads bytes
      if (text.startsWith("hex:")) {
        return QString("%1: expected an even number of hex digits after \"hex:\", got %2")
            .arg(name, quoted(text));
      }
      return QString("%1: expected bytes as base64 or \"hex:<hex digits>\", got %2")
          .arg(name, quoted(text));
    }
    case Kind::kString:
      return {};
    case Kind::kYamlOnly:
      return QString("%1: a %2 is edited in the YAML text").arg(name, field.type_label);
  }
  return {};
}

std::optional<QString> value_from_yaml(const ConfigField& field, const YAML::Node& section) {
  if (!field.in_form() || !section.IsMap()) return std::nullopt;
  const YAML::Node node = section[field.name];
  if (!node.IsDefined() || node.IsNull() || !node.IsScalar()) return std::nullopt;
  const QString text = QString::fromStdString(node.Scalar());
  switch (field.kind) {
    case Kind::kBool: {
      const std::optional<bool> v = yaml::parse_bool(node.Scalar());
      if (!v) return text;
      return *v ? QString("true") : QString("false");
    }
    case Kind::kEnum: {
      // The node takes a value's full name, its short name in any case, or its number.
      const QString lower = text.toLower();
      if (field.enum_values.contains(lower)) return lower;
      for (int i = 0; i < field.enum_full_names.size(); ++i) {
        if (lower == field.enum_full_names[i].toLower()) return field.enum_values[i];
      }
      bool is_number = false;
      const int n = text.toInt(&is_number);
      if (const qsizetype i = field.enum_numbers.indexOf(n); is_number && i >= 0) {
        return field.enum_values[i];
      }
      return text;
    }
    case Kind::kInt32:
    case Kind::kInt64:
    case Kind::kUInt32:
    case Kind::kUInt64: {
      const std::optional<Integer> v = parse_integer(text);
      if (!v) return text;
      const QString digits = QString::number(v->magnitude);
      return v->negative && v->magnitude != 0 ? "-" + digits : digits;
    }
    default:
      return text;
  }
}

}  // namespace itc::studio
