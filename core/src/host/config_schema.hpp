// Config schema: maps YAML onto protobuf messages by reflection, reporting every problem
// as a v1::ConfigIssue that names file, line, column and the dotted field path.
//
// Mapping rules (yaml_to_message):
//   - a message takes a YAML mapping; keys are the proto field names (the JSON camelCase
//     names are accepted too); null leaves the field unset.
//   - repeated fields take YAML lists; map<K,V> fields take YAML mappings.
//   - integers: decimal, 0x hex or 0o octal, checked against the field type's range;
//     floats also take .inf, -.inf and .nan; bools take true/false (yes/no, on/off).
//   - enums take a value name (or the number of a defined value).
//   - bytes take base64, or hex written as "hex:0a1b...".
//   - proto3 `optional` fields get presence when written, even with a zero value.
//   - two members of one oneof is an error.
// Positions in issues are 1-based (line and column), as editors show them.
//
// Thread safety: the free functions are reentrant; a ConfigSchema may be shared between
// threads (its state is immutable once created).
#pragma once

#include <google/protobuf/message.h>
#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "itc/status.hpp"
#include "itc/v1/node.pb.h"

namespace itc::host {

// A mapping key that is not a field of the message being mapped (`owner`, at
// `message_path`): returns true if it takes the key and its value (then no issue is
// reported for it), false to let the mapper report the unknown field.
using ExtraKeyHandler =
    std::function<bool(const google::protobuf::Message& owner, const std::string& message_path,
                       const YAML::Node& key, const YAML::Node& value)>;

// Maps `yaml` onto `msg` (which is not cleared first). Every problem is appended to
// `report` (may be null) with `file` and a field path starting with `field_prefix`
// ("plugins[1].config"; empty for a top-level message). Keys that are no field go to
// `extra` first, if given. Returns true if this call added no issue; sets report->ok() to
// whether the report holds no issue at all.
bool yaml_to_message(const YAML::Node& yaml, google::protobuf::Message* msg,
                     const std::string& file, const std::string& field_prefix,
                     v1::ConfigReport* report, const ExtraKeyHandler& extra = nullptr);

// The config message of one plugin, described by the plugin's embedded FileDescriptorSet.
// A plugin's config proto is LITE_RUNTIME, so the schema lives in a private DescriptorPool
// with a DynamicMessageFactory; the process's generated pool is never touched. Copies
// share the same immutable state.
class ConfigSchema {
 public:
  // An empty schema (as held by a failed Result): parse() and to_json() fail,
  // new_message() returns null.
  ConfigSchema() = default;

  // `descriptor_set` is a serialized google.protobuf.FileDescriptorSet holding the file
  // that defines `type_name` (fully qualified, e.g. "itc.sim_lighting.Config") and its
  // imports. InvalidArgument naming the problem if it does not parse, does not build or
  // lacks the type.
  static Result<ConfigSchema> create(const std::string& descriptor_set,
                                     const std::string& type_name);

  const std::string& type_name() const;

  // Parses `yaml` (a mapping, or null/undefined for all defaults) into the serialized
  // message. On any issue returns InvalidArgument whose message is the formatted issues
  // of this call; the issues are also appended to `report` (may be null).
  Result<std::string> parse(const YAML::Node& yaml, const std::string& file,
                            const std::string& field_prefix, v1::ConfigReport* report) const;

  // The protobuf JSON mapping of a serialized message, with proto field names and default
  // values printed (what Studio shows as the effective config).
  Result<std::string> to_json(const std::string& serialized) const;

  // A new, empty message of this type (owned by the caller), for hosts and tests that
  // want to read fields by reflection.
  std::unique_ptr<google::protobuf::Message> new_message() const;

  // The top-level messages of `descriptor_set` that carry the (itc.v1.profile_section)
  // option: section key -> full message name. Empty if none or if the set does not parse.
  static std::map<std::string, std::string> profile_sections(const std::string& descriptor_set);

 private:
  struct State;
  explicit ConfigSchema(std::shared_ptr<const State> state) : state_(std::move(state)) {}
  Status check_valid() const;
  std::shared_ptr<const State> state_;
};

// The location of dotted `field` ("lamps", "profiles[0].metrics[2].max") under `yaml`,
// for turning a plugin's validation error ("lamps: must be 1..100000") into
// file:line:field. If the path does not exist in the YAML (a defaulted field), the
// deepest node on the path that exists gives the position. The issue's field is
// field_prefix + "." + field.
v1::ConfigIssue locate(const YAML::Node& yaml, std::string_view field, const std::string& file,
                       const std::string& field_prefix, std::string message);

// Appends one issue to `report` (may be null) and clears report->ok. `mark` is yaml-cpp's
// 0-based mark; a null mark gives line 0 (no position).
void add_issue(v1::ConfigReport* report, const std::string& file, const YAML::Mark& mark,
               std::string field, std::string message);

// "file:line:col: field: message\n" per issue ("file: message" parts are left out when
// there is no line or no field). Line breaks and other control characters in a field or
// message (a quoted multi-line value) are escaped (\n, \xNN): one issue, one line.
std::string format_report(const v1::ConfigReport& report);

// "a mapping", "a list", "nothing (null)" or the quoted scalar, for "got ..." messages.
std::string describe_node(const YAML::Node& node);

// A mapping key as messages show it: 'name' if it could be a field name (letters, digits,
// '_', '-', '.'; at most 64), else described, not quoted ("(a key of 45 characters, not a
// name)"): a file named by mistake (a password file, /etc/shadow) parses as such keys.
std::string shown_key(std::string_view key);
// The field path of `key` under `prefix`: join_field for a key shown_key quotes, else
// `prefix` alone.
std::string key_field(std::string_view prefix, std::string_view key);

// "a mapping", "a list", "nothing (null)" or "plain text (a scalar)": what a whole
// document is, without quoting it (a file named by mistake may hold secrets).
std::string describe_document(const YAML::Node& root);

// `node`'s mark, or the document's start (line 1, column 1) for a node without one (the
// root of an empty document), so an issue about a whole file still has a line.
YAML::Mark mark_or_start(const YAML::Node& node);

// Parses a YAML document into `root`. CR and CRLF line breaks are read as LF first
// (YAML allows all three, yaml-cpp only LF), which keeps every line and column. A syntax
// error is appended to `report` as file:line:column; returns false then.
bool load_yaml(std::string text, const std::string& file, YAML::Node* root,
               v1::ConfigReport* report);

// Joins a field path: join_field("plugins[1].config", "lamps") == "plugins[1].config.lamps".
std::string join_field(std::string_view prefix, std::string_view name);

// The candidate closest to `word` by edit distance, if close enough to be a likely typo;
// empty otherwise. Used for "did you mean 'lamps'?".
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace itc::host
