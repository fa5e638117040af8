// YAML -> protobuf by reflection, with file:line:column:field issues. See config_schema.hpp.
#include "host/config_schema.hpp"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/descriptor_database.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "field_range.hpp"
#include "itc/enum_names.hpp"
#include "itc/v1/options.pb.h"
#include "yaml_scalars.hpp"

namespace itc::host {

namespace pb = google::protobuf;
using FD = pb::FieldDescriptor;

// ---------------------------------------------------------------------------------------
// Issues and names

void add_issue(v1::ConfigReport* report, const std::string& file, const YAML::Mark& mark,
               std::string field, std::string message) {
  if (report == nullptr) return;
  v1::ConfigIssue* issue = report->add_issues();
  issue->set_file(file);
  if (!mark.is_null()) {
    issue->set_line(static_cast<std::uint32_t>(mark.line + 1));
    issue->set_column(static_cast<std::uint32_t>(mark.column + 1));
  }
  issue->set_field(std::move(field));
  issue->set_message(std::move(message));
  report->set_ok(false);
}

namespace {

// `text` on one line: line breaks, tabs and other control characters as \n, \r, \t, \xNN.
std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string format_report(const v1::ConfigReport& report) {
  std::string out;
  for (const v1::ConfigIssue& issue : report.issues()) {
    out += issue.file();
    if (issue.line() > 0) {
      out += ":" + std::to_string(issue.line()) + ":" + std::to_string(issue.column());
    }
    out += ": ";
    if (!issue.field().empty()) out += one_line(issue.field()) + ": ";
    out += one_line(issue.message());  // one issue, one line: a quoted value may span lines
    out += "\n";
  }
  return out;
}

std::string join_field(std::string_view prefix, std::string_view name) {
  if (prefix.empty()) return std::string(name);
  if (name.empty()) return std::string(prefix);
  return std::string(prefix) + "." + std::string(name);
}

namespace {

// Optimal string alignment distance (Levenshtein plus adjacent transposition), so that
// "lmaps" is one edit from "lamps".
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string w = lower(word);
  std::string best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const std::string& c : candidates) {
    std::size_t d = edit_distance(w, lower(c));
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  const std::size_t allowed = 1 + w.size() / 4;
  if (best.empty() || best_distance > allowed || best_distance >= w.size()) return {};
  return best;
}

// ---------------------------------------------------------------------------------------
// Scalars

namespace {

// How the node reads scalars; Studio's forms read them the same way (yaml_scalars.hpp).
using yaml::decode_bytes;
using yaml::IntegerText;
using yaml::parse_bool;
using yaml::parse_integer;
using yaml::parse_number;

std::string quote(std::string_view text) {
  constexpr std::size_t kMax = 60;
  if (text.size() > kMax) return "'" + std::string(text.substr(0, kMax)) + "...'";
  return "'" + std::string(text) + "'";
}

}  // namespace

std::string describe_node(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing (null)";
  if (node.IsMap()) return "a mapping";
  if (node.IsSequence()) return "a list";
  return quote(node.Scalar());
}

namespace {

bool is_name_like(std::string_view key) {
  if (key.empty() || key.size() > 64) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

}  // namespace

std::string shown_key(std::string_view key) {
  if (is_name_like(key)) return "'" + std::string(key) + "'";
  return "(a key of " + std::to_string(key.size()) + " characters, not a name)";
}

std::string key_field(std::string_view prefix, std::string_view key) {
  return is_name_like(key) ? join_field(prefix, key) : std::string(prefix);
}

std::string describe_document(const YAML::Node& root) {
  return root.IsScalar() ? "plain text (a scalar)" : describe_node(root);
}

YAML::Mark mark_or_start(const YAML::Node& node) {
  return node.IsDefined() && !node.Mark().is_null() ? node.Mark() : YAML::Mark();
}

bool load_yaml(std::string text, const std::string& file, YAML::Node* root,
               v1::ConfigReport* report) {
  // CRLF -> LF (drop the CR), lone CR -> LF.
  std::size_t out = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') continue;
      text[out++] = '\n';
    } else {
      text[out++] = text[i];
    }
  }
  text.resize(out);
  try {
    root->reset(YAML::Load(text));
    return true;
  } catch (const YAML::Exception& e) {
    add_issue(report, file, e.mark, "", "YAML syntax error: " + e.msg);
    return false;
  }
}

// ---------------------------------------------------------------------------------------
// The mapper

namespace {

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

// What the field wants, for "expected ..." messages.
std::string expected_of(const FD* fd) {
  switch (fd->cpp_type()) {
    case FD::CPPTYPE_INT32:
    case FD::CPPTYPE_INT64:
    case FD::CPPTYPE_UINT32:
    case FD::CPPTYPE_UINT64:
      return "an integer";
    case FD::CPPTYPE_DOUBLE:
    case FD::CPPTYPE_FLOAT:
      return "a number";
    case FD::CPPTYPE_BOOL:
      return "true or false";
    case FD::CPPTYPE_ENUM:
      return "one of " + fd->enum_type()->name() + "'s values";
    case FD::CPPTYPE_STRING:
      return fd->type() == FD::TYPE_BYTES ? "bytes (base64 or \"hex:...\")" : "a string";
    case FD::CPPTYPE_MESSAGE:
      return "a mapping";
  }
  return "a value";
}

class Mapper {
 public:
  Mapper(const std::string& file, v1::ConfigReport* report, const ExtraKeyHandler* extra)
      : file_(file), report_(report), extra_(extra) {}

  int issues() const { return issues_; }

  void map_message(const YAML::Node& yaml, pb::Message* msg, const std::string& path) {
    if (!yaml.IsDefined() || yaml.IsNull()) return;
    const pb::Descriptor* desc = msg->GetDescriptor();
    if (!yaml.IsMap()) {
      issue(yaml.Mark(), path,
            "expected a mapping of " + desc->name() + " fields, got " + describe_node(yaml));
      return;
    }
    std::map<std::string, int> seen_keys;     // key -> 1-based line
    std::map<const FD*, std::string> set_by;  // field -> key that set it
    std::map<const pb::OneofDescriptor*, std::string> oneof_by;
    for (auto it = yaml.begin(); it != yaml.end(); ++it) {
      const YAML::Node key = it->first;
      const YAML::Node value = it->second;
      if (!key.IsScalar()) {
        issue(key.Mark(), path, "a mapping key must be a plain name, got " + describe_node(key));
        continue;
      }
      const std::string& name = key.Scalar();
      const std::string field_path = key_field(path, name);
      auto [pos, fresh] = seen_keys.emplace(name, key.Mark().line + 1);
      if (!fresh) {
        issue(key.Mark(), field_path,
              "duplicate key " + shown_key(name) + " (first at line " +
                  std::to_string(pos->second) + ")");
        continue;
      }
      const FD* fd = find_field(desc, name);
      if (fd == nullptr) {
        if (extra_ != nullptr && *extra_ && (*extra_)(*msg, path, key, value)) continue;
        unknown_field(key.Mark(), field_path, name, desc);
        continue;
      }
      auto [prev, first] = set_by.emplace(fd, name);
      if (!first) {
        issue(key.Mark(), field_path,
              "field '" + fd->name() + "' is given twice (as '" + prev->second + "' and '" + name +
                  "')");
        continue;
      }
      if (const pb::OneofDescriptor* oneof = fd->real_containing_oneof();
          oneof != nullptr && !value.IsNull()) {
        auto [other, alone] = oneof_by.emplace(oneof, name);
        if (!alone) {
          issue(key.Mark(), field_path,
                "'" + other->second + "' and '" + name + "' belong to the same oneof '" +
                    oneof->name() + "'; set only one of them");
          continue;
        }
      }
      map_field(value, msg, fd, field_path);
    }
  }

 private:
  void issue(const YAML::Mark& mark, const std::string& field, std::string message) {
    ++issues_;
    add_issue(report_, file_, mark, field, std::move(message));
  }

  static const FD* find_field(const pb::Descriptor* desc, const std::string& name) {
    if (const FD* fd = desc->FindFieldByName(name)) return fd;
    for (int i = 0; i < desc->field_count(); ++i) {
      if (desc->field(i)->json_name() == name) return desc->field(i);
    }
    return nullptr;
  }

  void unknown_field(const YAML::Mark& mark, const std::string& field_path, const std::string& name,
                     const pb::Descriptor* desc) {
    std::vector<std::string> names;
    for (int i = 0; i < desc->field_count(); ++i) names.push_back(desc->field(i)->name());
    std::string message = "unknown field " + shown_key(name) + " in " + desc->name();
    if (std::string guess = closest_match(name, names); !guess.empty()) {
      message += "; did you mean '" + guess + "'?";
    } else if (names.empty()) {
      message += " (it has no fields)";
    } else if (names.size() <= 16) {
      message += "; known fields: " + join_names(names);
    }
    issue(mark, field_path, std::move(message));
  }

  void map_field(const YAML::Node& value, pb::Message* msg, const FD* fd, const std::string& path) {
    const pb::Reflection* refl = msg->GetReflection();
    if (value.IsNull()) {
      // Null means "not set": the field keeps its default (and has no presence).
      if (!fd->is_repeated()) refl->ClearField(msg, fd);
      return;
    }
    if (fd->is_map()) {
      map_map_field(value, msg, fd, path);
    } else if (fd->is_repeated()) {
      if (!value.IsSequence()) {
        issue(value.Mark(), path,
              "expected a list of " + expected_of(fd) + ", got " + describe_node(value));
        return;
      }
      for (std::size_t i = 0; i < value.size(); ++i) {
        const YAML::Node item = value[i];
        const std::string item_path = path + "[" + std::to_string(i) + "]";
        if (fd->cpp_type() == FD::CPPTYPE_MESSAGE) {
          if (!item.IsMap() && !item.IsNull()) {
            issue(item.Mark(), item_path,
                  "expected a mapping of " + fd->message_type()->name() + " fields, got " +
                      describe_node(item));
            continue;
          }
          map_message(item, refl->AddMessage(msg, fd), item_path);
        } else {
          set_scalar(item, msg, fd, item_path);
        }
      }
    } else if (fd->cpp_type() == FD::CPPTYPE_MESSAGE) {
      if (!value.IsMap()) {
        issue(value.Mark(), path,
              "expected a mapping of " + fd->message_type()->name() + " fields, got " +
                  describe_node(value));
        return;
      }
      map_message(value, refl->MutableMessage(msg, fd), path);
    } else {
      set_scalar(value, msg, fd, path);
    }
  }

  // map<K, V>: a YAML mapping whose keys convert to K and values to V.
  void map_map_field(const YAML::Node& value, pb::Message* msg, const FD* fd,
                     const std::string& path) {
    if (!value.IsMap()) {
      issue(value.Mark(), path, "expected a mapping, got " + describe_node(value));
      return;
    }
    const pb::Descriptor* entry_desc = fd->message_type();
    const FD* key_fd = entry_desc->map_key();
    const FD* value_fd = entry_desc->map_value();
    std::map<std::string, int> seen;
    for (auto it = value.begin(); it != value.end(); ++it) {
      const YAML::Node k = it->first;
      const YAML::Node v = it->second;
      const std::string entry_path = path + "[" + (k.IsScalar() ? k.Scalar() : "?") + "]";
      if (!k.IsScalar()) {
        issue(k.Mark(), path, "a map key must be a scalar, got " + describe_node(k));
        continue;
      }
      auto [pos, fresh] = seen.emplace(k.Scalar(), k.Mark().line + 1);
      if (!fresh) {
        issue(k.Mark(), entry_path,
              "duplicate key '" + k.Scalar() + "' (first at line " + std::to_string(pos->second) +
                  ")");
        continue;
      }
      pb::Message* added = msg->GetReflection()->AddMessage(msg, fd);
      set_scalar(k, added, key_fd, entry_path);
      map_field(v, added, value_fd, entry_path);
    }
  }

  // Converts one scalar node and sets (singular) or adds (repeated) it.
  void set_scalar(const YAML::Node& node, pb::Message* msg, const FD* fd, const std::string& path) {
    if (!node.IsScalar()) {
      issue(node.Mark(), path, "expected " + expected_of(fd) + ", got " + describe_node(node));
      return;
    }
    const pb::Reflection* refl = msg->GetReflection();
    const std::string& text = node.Scalar();
    const bool rep = fd->is_repeated();
    switch (fd->cpp_type()) {
      case FD::CPPTYPE_INT32:
      case FD::CPPTYPE_INT64:
      case FD::CPPTYPE_UINT32:
      case FD::CPPTYPE_UINT64: {
        std::optional<IntegerText> parsed = parse_integer(text);
        if (!parsed) {
          issue(node.Mark(), path, "expected an integer, got " + quote(text));
          return;
        }
        set_integer(node, *parsed, msg, fd, path);
        return;
      }
      case FD::CPPTYPE_DOUBLE:
      case FD::CPPTYPE_FLOAT: {
        std::optional<double> v = parse_number(text);
        if (!v) {
          issue(node.Mark(), path, "expected a number, got " + quote(text));
          return;
        }
        if (!within_declared_range(node, *v, fd, path)) return;
        if (fd->cpp_type() == FD::CPPTYPE_DOUBLE) {
          rep ? refl->AddDouble(msg, fd, *v) : refl->SetDouble(msg, fd, *v);
          return;
        }
        if (std::isfinite(*v) && std::fabs(*v) > std::numeric_limits<float>::max()) {
          issue(node.Mark(), path, "value " + text + " is out of range for float");
          return;
        }
        const float f = static_cast<float>(*v);
        rep ? refl->AddFloat(msg, fd, f) : refl->SetFloat(msg, fd, f);
        return;
      }
      case FD::CPPTYPE_BOOL: {
        std::optional<bool> v = parse_bool(text);
        if (!v) {
          issue(node.Mark(), path, "expected true or false, got " + quote(text));
          return;
        }
        rep ? refl->AddBool(msg, fd, *v) : refl->SetBool(msg, fd, *v);
        return;
      }
      case FD::CPPTYPE_ENUM: {
        const pb::EnumDescriptor* en = fd->enum_type();
        const pb::EnumValueDescriptor* ev = itc::find_enum_value(*en, text);
        if (ev == nullptr) {
          if (std::optional<IntegerText> n = parse_integer(text);
              n && !n->negative && n->magnitude <= std::numeric_limits<int32_t>::max()) {
            ev = en->FindValueByNumber(static_cast<int>(n->magnitude));
          } else if (n && n->negative && n->magnitude <= 2147483648ULL) {
            ev = en->FindValueByNumber(static_cast<int>(-static_cast<int64_t>(n->magnitude)));
          }
        }
        if (ev == nullptr) {
          std::vector<std::string> names;
          for (int i = 0; i < en->value_count(); ++i) {
            names.push_back(itc::enum_short_name(en->name(), en->value(i)->name()));
          }
          issue(node.Mark(), path,
                "unknown value " + quote(text) + " for enum " + en->name() +
                    "; valid values: " + join_names(names));
          return;
        }
        rep ? refl->AddEnum(msg, fd, ev) : refl->SetEnum(msg, fd, ev);
        return;
      }
      case FD::CPPTYPE_STRING: {
        std::string v = text;
        if (fd->type() == FD::TYPE_BYTES) {
          std::optional<std::string> bytes = decode_bytes(text);
          if (!bytes) {
            issue(node.Mark(), path,
                  "expected bytes as base64 or \"hex:<hex digits>\", got " + quote(text));
            return;
          }
          v = std::move(*bytes);
        }
        rep ? refl->AddString(msg, fd, std::move(v)) : refl->SetString(msg, fd, std::move(v));
        return;
      }
      case FD::CPPTYPE_MESSAGE:
        issue(node.Mark(), path, "expected a mapping, got " + describe_node(node));
        return;
    }
  }

  // The field's (itc.v1.range) from its proto, if it declares one (field_range.hpp).
  bool within_declared_range(const YAML::Node& node, double value, const FD* fd,
                             const std::string& path) {
    const std::optional<config::FieldRange> range = config::range_of(*fd);
    if (!range || range->contains(value)) return true;
    issue(node.Mark(), path, config::out_of_range(*range, node.Scalar()));
    return false;
  }

  void set_integer(const YAML::Node& node, const IntegerText& v, pb::Message* msg, const FD* fd,
                   const std::string& path) {
    const pb::Reflection* refl = msg->GetReflection();
    const bool rep = fd->is_repeated();
    const std::string type = fd->type_name();
    const bool is_unsigned =
        fd->cpp_type() == FD::CPPTYPE_UINT32 || fd->cpp_type() == FD::CPPTYPE_UINT64;
    if (is_unsigned && v.negative && v.magnitude != 0) {
      issue(node.Mark(), path,
            "expected a non-negative integer for " + type + ", got " + quote(node.Scalar()));
      return;
    }
    std::uint64_t max_pos = 0;  // largest magnitude allowed when positive
    std::uint64_t max_neg = 0;  // largest magnitude allowed when negative
    std::string range;
    switch (fd->cpp_type()) {
      case FD::CPPTYPE_INT32:
        max_pos = static_cast<std::uint64_t>(std::numeric_limits<int32_t>::max());
        max_neg = max_pos + 1;
        range = "-2147483648..2147483647";
        break;
      case FD::CPPTYPE_INT64:
        max_pos = static_cast<std::uint64_t>(std::numeric_limits<int64_t>::max());
        max_neg = max_pos + 1;
        range = "-9223372036854775808..9223372036854775807";
        break;
      case FD::CPPTYPE_UINT32:
        max_pos = std::numeric_limits<uint32_t>::max();
        range = "0..4294967295";
        break;
      default:
        max_pos = std::numeric_limits<uint64_t>::max();
        range = "0..18446744073709551615";
        break;
    }
    if (v.overflow || (v.negative ? v.magnitude > max_neg : v.magnitude > max_pos)) {
      issue(node.Mark(), path,
            "value " + node.Scalar() + " is out of range for " + type + " (" + range + ")");
      return;
    }
    const std::int64_t as_signed =
        v.negative ? static_cast<std::int64_t>(0 - v.magnitude) : static_cast<int64_t>(v.magnitude);
    const double as_number =
        v.negative ? static_cast<double>(as_signed) : static_cast<double>(v.magnitude);
    if (!within_declared_range(node, as_number, fd, path)) return;
    switch (fd->cpp_type()) {
      case FD::CPPTYPE_INT32: {
        const auto x = static_cast<int32_t>(as_signed);
        rep ? refl->AddInt32(msg, fd, x) : refl->SetInt32(msg, fd, x);
        break;
      }
      case FD::CPPTYPE_INT64:
        rep ? refl->AddInt64(msg, fd, as_signed) : refl->SetInt64(msg, fd, as_signed);
        break;
      case FD::CPPTYPE_UINT32: {
        const auto x = static_cast<uint32_t>(v.magnitude);
        rep ? refl->AddUInt32(msg, fd, x) : refl->SetUInt32(msg, fd, x);
        break;
      }
      default:
        rep ? refl->AddUInt64(msg, fd, v.magnitude) : refl->SetUInt64(msg, fd, v.magnitude);
        break;
    }
  }

  const std::string& file_;
  v1::ConfigReport* report_;
  const ExtraKeyHandler* extra_;
  int issues_ = 0;
};

}  // namespace

bool yaml_to_message(const YAML::Node& yaml, google::protobuf::Message* msg,
                     const std::string& file, const std::string& field_prefix,
                     v1::ConfigReport* report, const ExtraKeyHandler& extra) {
  Mapper mapper(file, report, &extra);
  mapper.map_message(yaml, msg, field_prefix);
  if (report != nullptr) report->set_ok(report->issues_size() == 0);
  return mapper.issues() == 0;
}

// ---------------------------------------------------------------------------------------
// ConfigSchema

namespace {

// Collects what the private pool says about a broken descriptor set.
class PoolErrors : public pb::DescriptorPool::ErrorCollector {
 public:
  void AddError(const std::string& filename, const std::string& element_name,
                const pb::Message* /*descriptor*/, ErrorLocation /*location*/,
                const std::string& message) override {
    std::lock_guard lock(mu_);
    if (!text_.empty()) text_ += "; ";
    text_ += filename + ": " + element_name + ": " + message;
  }
  std::string text() const {
    std::lock_guard lock(mu_);
    return text_;
  }

 private:
  mutable std::mutex mu_;
  std::string text_;
};

}  // namespace

// Destruction runs bottom-up: messages made by the factory go before the pool, the pool
// before the database it reads.
struct ConfigSchema::State {
  pb::SimpleDescriptorDatabase database;
  PoolErrors errors;
  std::unique_ptr<pb::DescriptorPool> pool;
  std::unique_ptr<pb::DynamicMessageFactory> factory;
  const pb::Message* prototype = nullptr;  // owned by factory
  std::string type_name;
};

Result<ConfigSchema> ConfigSchema::create(const std::string& descriptor_set,
                                          const std::string& type_name) {
  pb::FileDescriptorSet set;
  if (descriptor_set.empty()) {
    return Status::InvalidArgument("config type '" + type_name +
                                   "': the plugin embeds no config descriptor set");
  }
  if (!set.ParseFromString(descriptor_set) || set.file_size() == 0) {
    return Status::InvalidArgument("config type '" + type_name +
                                   "': the embedded descriptor set does not parse");
  }
  auto state = std::make_shared<State>();
  state->type_name = type_name;
  for (const pb::FileDescriptorProto& file : set.file()) {
    if (!state->database.Add(file)) {
      return Status::InvalidArgument("config descriptor set: file '" + file.name() +
                                     "' is duplicated or malformed");
    }
  }
  state->pool = std::make_unique<pb::DescriptorPool>(&state->database, &state->errors);
  const pb::Descriptor* desc = state->pool->FindMessageTypeByName(type_name);
  if (desc == nullptr) {
    std::string why = state->errors.text();
    return Status::InvalidArgument("config type '" + type_name +
                                   "' is not in the plugin's descriptor set" +
                                   (why.empty() ? "" : " (" + why + ")"));
  }
  state->factory = std::make_unique<pb::DynamicMessageFactory>(state->pool.get());
  state->prototype = state->factory->GetPrototype(desc);
  if (state->prototype == nullptr) {
    return Status::Internal("config type '" + type_name + "': no dynamic prototype");
  }
  return ConfigSchema(std::move(state));
}

const std::string& ConfigSchema::type_name() const {
  static const std::string kNone;
  return state_ ? state_->type_name : kNone;
}

std::map<std::string, std::string> ConfigSchema::profile_sections(
    const std::string& descriptor_set) {
  std::map<std::string, std::string> out;
  pb::FileDescriptorSet set;
  if (!set.ParseFromString(descriptor_set)) return out;
  for (const pb::FileDescriptorProto& file : set.file()) {
    for (const pb::DescriptorProto& message : file.message_type()) {
      if (!message.options().HasExtension(v1::profile_section)) continue;
      const std::string& key = message.options().GetExtension(v1::profile_section);
      if (key.empty()) continue;
      out[key] = file.package().empty() ? message.name() : file.package() + "." + message.name();
    }
  }
  return out;
}

std::unique_ptr<google::protobuf::Message> ConfigSchema::new_message() const {
  if (!state_) return nullptr;
  return std::unique_ptr<pb::Message>(state_->prototype->New());
}

Status ConfigSchema::check_valid() const {
  if (!state_) return Status::FailedPrecondition("empty config schema (it was never created)");
  return Status::Ok();
}

Result<std::string> ConfigSchema::parse(const YAML::Node& yaml, const std::string& file,
                                        const std::string& field_prefix,
                                        v1::ConfigReport* report) const {
  ITC_RETURN_IF_ERROR(check_valid());
  std::unique_ptr<pb::Message> msg = new_message();
  v1::ConfigReport mine;
  yaml_to_message(yaml, msg.get(), file, field_prefix, &mine);
  if (report != nullptr) {
    for (const v1::ConfigIssue& issue : mine.issues()) *report->add_issues() = issue;
    report->set_ok(report->issues_size() == 0);
  }
  if (mine.issues_size() > 0) return Status::InvalidArgument(format_report(mine));
  std::string out;
  if (!msg->SerializeToString(&out)) {
    return Status::Internal("config of type '" + type_name() + "' does not serialize");
  }
  return out;
}

Result<std::string> ConfigSchema::to_json(const std::string& serialized) const {
  ITC_RETURN_IF_ERROR(check_valid());
  std::unique_ptr<pb::Message> msg = new_message();
  if (!msg->ParseFromString(serialized)) {
    return Status::InvalidArgument("bytes are not a valid " + type_name());
  }
  pb::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string out;
  auto status = pb::util::MessageToJsonString(*msg, &out, options);
  if (!status.ok()) {
    return Status::Internal("JSON of " + type_name() + ": " + std::string(status.message()));
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// locate

v1::ConfigIssue locate(const YAML::Node& yaml, std::string_view field, const std::string& file,
                       const std::string& field_prefix, std::string message) {
  // yaml-cpp's operator= writes through to the document; reset() only rebinds.
  YAML::Node current;
  current.reset(yaml);
  YAML::Mark mark = yaml.IsDefined() ? yaml.Mark() : YAML::Mark::null_mark();
  std::string_view rest = field;
  // Segments: names separated by '.', each optionally followed by "[index or key]".
  while (!rest.empty() && current.IsDefined()) {
    std::string_view segment;
    if (rest.front() == '[') {
      std::size_t close = rest.find(']');
      if (close == std::string_view::npos) break;
      const std::string inner(rest.substr(1, close - 1));
      rest.remove_prefix(close + 1);
      if (!rest.empty() && rest.front() == '.') rest.remove_prefix(1);
      YAML::Node next;
      bool found = false;
      std::optional<IntegerText> index = parse_integer(inner);
      if (current.IsSequence() && index && !index->negative && index->magnitude < current.size()) {
        next.reset(std::as_const(current)[static_cast<std::size_t>(index->magnitude)]);
        found = true;
      } else if (current.IsMap()) {
        for (auto it = current.begin(); it != current.end() && !found; ++it) {
          if (it->first.IsScalar() && it->first.Scalar() == inner) {
            next.reset(it->second);
            found = true;
          }
        }
      }
      if (!found) break;
      current.reset(next);
    } else {
      std::size_t end = rest.find_first_of(".[");
      segment = rest.substr(0, end);
      rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
      if (!rest.empty() && rest.front() == '.') rest.remove_prefix(1);
      if (!current.IsMap()) break;
      YAML::Node next;
      bool found = false;
      YAML::Mark key_mark = YAML::Mark::null_mark();
      for (auto it = current.begin(); it != current.end() && !found; ++it) {
        if (it->first.IsScalar() && it->first.Scalar() == segment) {
          next.reset(it->second);
          key_mark = it->first.Mark();
          found = true;
        }
      }
      if (!found) break;
      // An empty value has no useful position of its own; its key has.
      mark = next.IsNull() ? key_mark : next.Mark();
      current.reset(next);
      continue;
    }
    if (!current.Mark().is_null()) mark = current.Mark();
  }
  v1::ConfigReport one;
  add_issue(&one, file, mark, join_field(field_prefix, field), std::move(message));
  return one.issues(0);
}

}  // namespace itc::host
