#include "trace/value_description.h"

#include <algorithm>

#include <fmt/format.h>

namespace ember::trace {
namespace {

std::string describe_output(std::span<const ValueId> user_outputs, ValueId v) {
  auto it = std::find(user_outputs.begin(), user_outputs.end(), v);
  if (it == user_outputs.end()) return "";
  return fmt::format("output {} of the traced function", it - user_outputs.begin());
}

std::string describe_root(const Graph& g, ValueId v, std::span<const ValueId> user_outputs) {
  const Value& val = g.value(v);
  switch (val.kind) {
    case ValueKind::Input:
      return val.name.empty() ? fmt::format("argument {}", val.index)
                              : fmt::format("argument {} ('{}')", val.index, val.name);
    case ValueKind::Capture:
      return val.name.empty() ? fmt::format("captured tensor #{}", val.index)
                              : fmt::format("captured tensor '{}'", val.name);
    case ValueKind::Constant:
      return "a constant";
    case ValueKind::Node:
      break;
  }
  std::string out = describe_output(user_outputs, v);
  if (!out.empty()) return out;
  return fmt::format("the result of {} inside the traced function",
                     g.nodes()[val.producer].op->name());
}

}  // namespace

ValueId storage_root(const Graph& g, ValueId v) {
  while (g.value(v).kind == ValueKind::Node) {
    const Node& n = g.nodes()[g.value(v).producer];
    if (!n.inplace && n.op->kind() != OpKind::View) break;
    v = n.inputs[0];
  }
  return v;
}

std::string describe_value(const Graph& g, ValueId v, std::span<const ValueId> user_outputs) {
  const ValueId root = storage_root(g, v);
  std::string base = describe_root(g, root, user_outputs);
  if (root == v) return base;
  std::string out = describe_output(user_outputs, v);
  if (!out.empty()) return fmt::format("{} (a view of {})", out, base);
  return "a view of " + base;
}

}  // namespace ember::trace
