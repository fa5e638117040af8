// The fields of a plugin's config message, read from the descriptor set the node serves
// (GET /v1/plugins/{name}/config: a serialized google.protobuf.FileDescriptorSet and the
// message's full name), as what a form needs to edit them: YAML key, kind, presence,
// enum value names in the short lower-case form the node accepts, and the field's
// leading comment when the set carries source info. Values are kept as the text YAML
// would hold; check_value() says whether the node could take one.
// Thread safety: pure functions.
#pragma once

#include <yaml-cpp/yaml.h>

#include <QList>
#include <QString>
#include <QStringList>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "field_range.hpp"

namespace itc::studio {

struct ConfigField {
  enum class Kind {
    kString,
    kBytes,
    kBool,
    kInt32,
    kInt64,
    kUInt32,
    kUInt64,
    kDouble,
    kFloat,
    kEnum,
    kYamlOnly,  // repeated, map or message: edited in the YAML text, not in the form
  };
  std::string name;  // the YAML key: the proto field name
  Kind kind = Kind::kString;
  bool has_presence = false;    // `optional`: unset means the plugin's default
  QString type_label;           // "uint32", "ModbusFunction", "repeated Device", ...
  QString help;                 // the field's leading comment; empty without source info
  QStringList enum_values;      // kEnum: short names in declaration order
  QStringList enum_full_names;  // kEnum: the values' proto names, same order
  QList<int> enum_numbers;      // kEnum: the values' numbers, same order
  // Numbers: the proto's (itc.v1.range), which the node's config check enforces too.
  std::optional<config::FieldRange> range;

  bool in_form() const { return kind != Kind::kYamlOnly; }
  // The value a field without presence has when it is not written ("", "0", "false", the
  // first enum value): such a field is left out of the YAML rather than written as that.
  QString zero_value() const;
};

// The fields of `type_name` from `descriptor_set`, in declaration order. On failure
// returns nullopt and sets *error to what is wrong (the set does not parse, a file in it
// does not build, the type is not in it).
std::optional<std::vector<ConfigField>> describe_config(const std::string& descriptor_set,
                                                        const std::string& type_name,
                                                        QString* error);

// "holding_registers" for MODBUS_FUNCTION_HOLDING_REGISTERS of enum ModbusFunction: the
// value's name without the UPPER_SNAKE form of its type's name as prefix, lower case.
QString enum_short_name(const std::string& enum_type_name, const std::string& value_name);

// Empty if `text` is a value the node accepts for `field`, else a sentence naming the
// field and the reason ("lamps: expected an integer in 0..4294967295, got \"-1\"";
// "lamps: must be 1..100000, got 0", in the node's words, for the field's declared range).
QString check_value(const ConfigField& field, const QString& text);

// The form's value of `field` from a YAML config mapping (the plugin's section): its
// text, normalised for bools and enums; nullopt if the section does not set it (or sets
// it to null, or to something the form cannot show).
std::optional<QString> value_from_yaml(const ConfigField& field, const YAML::Node& section);

}  // namespace itc::studio
