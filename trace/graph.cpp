#include "trace/graph.h"

namespace ember::trace {

namespace {
const char* short_dtype(DType d) {
  switch (d) {
    case DType::Bool: return "b8";
    case DType::UInt8: return "u8";
    case DType::Int32: return "i32";
    case DType::Int64: return "i64";
    case DType::Float16: return "f16";
    case DType::BFloat16: return "bf16";
    case DType::Float32: return "f32";
    case DType::Float64: return "f64";
  }
  return "?";
}
}  // namespace

std::string meta_str(const TensorMeta& m) {
  std::string dims;
  for (size_t i = 0; i < m.shape.size(); ++i) {
    if (i) dims += ", ";
    dims += m.shape[i] < 0 ? std::string("?") : std::to_string(m.shape[i]);
  }
  return fmt::format("{}[{}]", short_dtype(m.dtype), dims);
}

ValueId Graph::new_value(Value v) {
  values_.push_back(std::move(v));
  return static_cast<ValueId>(values_.size() - 1);
}

ValueId Graph::add_input(const TensorMeta& meta, std::string name) {
  ValueId id = new_value({ValueKind::Input, meta, -1, static_cast<int32_t>(inputs_.size()), std::move(name)});
  inputs_.push_back(id);
  return id;
}

ValueId Graph::add_capture(const Tensor& t, std::string name) {
  ValueId id = new_value({ValueKind::Capture, {t.shape(), t.dtype(), t.device()}, -1,
                          static_cast<int32_t>(captures_.size()), std::move(name)});
  captures_.push_back(t);
  capture_values_.push_back(id);
  return id;
}

ValueId Graph::add_constant(const Tensor& t) {
  ValueId id = new_value({ValueKind::Constant, {t.shape(), t.dtype(), t.device()}, -1,
                          static_cast<int32_t>(constants_.size()), ""});
  constants_.push_back(t);
  constant_values_.push_back(id);
  return id;
}

std::vector<ValueId> Graph::add_node(std::shared_ptr<const Op> op, std::vector<ValueId> inputs,
                                     const MetaList& out_meta, bool inplace) {
  int32_t node_index = static_cast<int32_t>(nodes_.size());
  std::vector<ValueId> outs;
  for (size_t i = 0; i < out_meta.size(); ++i) {
    outs.push_back(new_value({ValueKind::Node, out_meta[i], node_index, static_cast<int32_t>(i), ""}));
  }
  nodes_.push_back({std::move(op), std::move(inputs), outs, inplace});
  return outs;
}

void Graph::set_nodes(std::vector<Node> nodes) {
  nodes_ = std::move(nodes);
  for (size_t n = 0; n < nodes_.size(); ++n) {
    for (size_t i = 0; i < nodes_[n].outputs.size(); ++i) {
      Value& v = values_[nodes_[n].outputs[i]];
      v.producer = static_cast<int32_t>(n);
      v.index = static_cast<int32_t>(i);
    }
  }
}

std::string Graph::str() const {
  auto name = [&](ValueId v) { return fmt::format("%{}", v); };
  std::string out = "graph(";
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const Value& v = values_[inputs_[i]];
    out += fmt::format("{}{}: {}", i ? ", " : "", name(inputs_[i]), meta_str(v.meta));
    if (!v.name.empty()) out += " " + v.name;
  }
  out += "):\n";
  for (ValueId c : capture_values_) {
    const Value& v = values_[c];
    out += fmt::format("  {} = capture {}  {}\n", name(c), v.name.empty() ? "<tensor>" : v.name,
                       meta_str(v.meta));
  }
  for (size_t i = 0; i < constant_values_.size(); ++i) {
    const Tensor& t = constants_[i];
    std::string val = t.numel() == 1 && t.device().is_cpu() ? fmt::format("{}", read_as_double(t, 0))
                                                            : std::string("<tensor>");
    out += fmt::format("  {} = constant {}  {}\n", name(constant_values_[i]), val,
                       meta_str(values_[constant_values_[i]].meta));
  }
  for (const Node& n : nodes_) {
    std::vector<std::string> outs, ins;
    for (ValueId o : n.outputs) outs.push_back(name(o));
    for (ValueId i : n.inputs) ins.push_back(name(i));
    Attrs a;
    n.op->attributes(a);
    std::string attrs = attrs_str(a);
    std::vector<std::string> metas;
    for (ValueId o : n.outputs) metas.push_back(meta_str(values_[o].meta));
    out += fmt::format("  {} = {}{}({}{}{})  {}\n", fmt::join(outs, ", "), n.op->name(),
                       n.inplace ? "_" : "", fmt::join(ins, ", "), attrs.empty() ? "" : ", ",
                       attrs, fmt::join(metas, ", "));
  }
  std::vector<std::string> outs;
  for (ValueId o : outputs_) outs.push_back(name(o));
  out += fmt::format("  return ({})\n", fmt::join(outs, ", "));
  return out;
}

}  // namespace ember::trace
