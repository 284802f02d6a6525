#include "trace/serialize.h"

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <nlohmann/json.hpp>

#include "core/io/safetensors.h"
#include "core/op_registry.h"

namespace ember::trace {
namespace {

using json = nlohmann::json;
constexpr int kFormatVersion = 1;
constexpr const char* kGraphKey = "ember.graph";

const char* kind_name(ValueKind k) {
  switch (k) {
    case ValueKind::Input: return "input";
    case ValueKind::Capture: return "capture";
    case ValueKind::Constant: return "constant";
    case ValueKind::Node: return "node";
  }
  return "?";
}

json attr_json(const AttrValue& v) {
  struct V {
    json operator()(bool b) const { return {{"t", "bool"}, {"v", b}}; }
    json operator()(int64_t i) const { return {{"t", "int"}, {"v", i}}; }
    json operator()(double d) const { return {{"t", "float"}, {"v", d}}; }
    json operator()(const std::string& s) const { return {{"t", "str"}, {"v", s}}; }
    json operator()(const std::vector<int64_t>& v) const { return {{"t", "ints"}, {"v", v}}; }
    json operator()(const std::vector<double>& v) const { return {{"t", "floats"}, {"v", v}}; }
    json operator()(DType d) const { return {{"t", "dtype"}, {"v", std::string(dtype_name(d))}}; }
    json operator()(const Scalar& s) const {
      if (s.is_bool()) return {{"t", "scalar_bool"}, {"v", s.to<bool>()}};
      if (s.is_int()) return {{"t", "scalar_int"}, {"v", s.to_int()}};
      return {{"t", "scalar_float"}, {"v", s.to_double()}};
    }
  };
  return std::visit(V{}, v);
}

// JSON numbers -> int64 with a check: nlohmann's get<int64_t> of a float out of range is
// undefined behaviour (found by fuzz_graph_json with UBSan).
int64_t int_of(const json& j, std::string_view what) {
  if (!j.is_number_integer() ||
      (j.is_number_unsigned() && j.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))) {
    raise<ValueError>("[load_function] {} must be a 64-bit integer, got a {}", what, j.type_name());
  }
  return j.get<int64_t>();
}

std::vector<int64_t> ints_of(const json& j, std::string_view what) {
  if (!j.is_array()) raise<ValueError>("[load_function] {} must be a list of integers", what);
  std::vector<int64_t> out;
  for (const json& x : j) out.push_back(int_of(x, what));
  return out;
}

AttrValue attr_value(const json& j, const std::string& op) {
  if (!j.is_object() || !j.contains("t") || !j.contains("v") || !j["t"].is_string()) {
    raise<ValueError>("[load_function] malformed attribute of op '{}'", op);
  }
  const std::string t = j["t"];
  const json& v = j["v"];
  try {
    if (t == "bool") return v.get<bool>();
    if (t == "int") return int_of(v, "an int attribute");
    if (t == "float") return v.get<double>();
    if (t == "str") return v.get<std::string>();
    if (t == "ints") return ints_of(v, "an ints attribute");
    if (t == "floats") return v.get<std::vector<double>>();
    if (t == "dtype") return dtype_from_name(v.get<std::string>());
    if (t == "scalar_bool") return Scalar(v.get<bool>());
    if (t == "scalar_int") return Scalar(int_of(v, "a scalar_int attribute"));
    if (t == "scalar_float") return Scalar(v.get<double>());
  } catch (const json::exception& e) {
    raise<ValueError>("[load_function] attribute of op '{}' has the wrong type: {}", op, e.what());
  }
  raise<ValueError>("[load_function] unknown attribute type '{}' in op '{}'", t, op);
}

json meta_json(const TensorMeta& m) {
  return {{"dtype", std::string(dtype_name(m.dtype))},
          {"shape", std::vector<int64_t>(m.shape.begin(), m.shape.end())},
          {"device", m.device.str()}};
}

std::string tensor_key(const char* kind, size_t i) { return fmt::format("{}.{}", kind, i); }

std::string graph_json(const Graph& g, const SideEffects& fx) {
  json j;
  j["version"] = kFormatVersion;
  json values = json::array();
  for (const Value& v : g.values()) {
    json x = meta_json(v.meta);
    x["kind"] = kind_name(v.kind);
    x["name"] = v.name;
    // Python numbers keep their weak type-promotion rule after loading.
    if (v.kind == ValueKind::Constant && g.constants()[v.index].impl()->is_wrapped_number()) {
      x["wrapped_number"] = true;
    }
    values.push_back(std::move(x));
  }
  j["values"] = std::move(values);
  j["inputs"] = g.inputs();
  j["outputs"] = g.outputs();
  j["captures"] = g.capture_values();
  j["constants"] = g.constant_values();
  json nodes = json::array();
  for (const Node& n : g.nodes()) {
    Attrs a;
    n.op->attributes(a);
    json attrs = json::object();
    for (auto& [k, v] : a.items()) attrs[k] = attr_json(v);
    nodes.push_back({{"op", std::string(n.op->name())}, {"attrs", attrs}, {"in", n.inputs},
                     {"out", n.outputs}, {"inplace", n.inplace}});
  }
  j["nodes"] = std::move(nodes);
  json gw = json::array();
  for (auto& [l, gr] : fx.grad_writes) gw.push_back({l, gr});
  j["grad_writes"] = std::move(gw);
  return j.dump();
}

// A stand-in with `m`'s shape, dtype and device over a single element (stride 0), for
// checking a node's declared outputs against its op's own shape inference.
Tensor placeholder(const TensorMeta& m) {
  Tensor one = Tensor::empty({1}, m.dtype, m.device);
  return make_view(one, m.shape, Strides(m.shape.size(), 0), 0);
}

ValueId checked_id(const json& j, size_t n_values, const char* what) {
  if (!j.is_number_integer()) raise<ValueError>("[load_function] {} is not a value id", what);
  int64_t v = j.get<int64_t>();
  if (v < 0 || v >= static_cast<int64_t>(n_values)) {
    raise<ValueError>("[load_function] {} refers to value {} of {}", what, v, n_values);
  }
  return static_cast<ValueId>(v);
}

std::shared_ptr<Graph> parse_graph(const std::string& text, const io::NamedTensors& tensors,
                                   SideEffects& fx) {
  json j;
  try {
    j = json::parse(text, [](int depth, json::parse_event_t, json&) {
      if (depth > 64) raise<ValueError>("[load_function] graph JSON nests too deeply");
      return true;
    });
  } catch (const json::exception& e) {
    raise<ValueError>("[load_function] graph metadata is not valid JSON: {}", e.what());
  }
  if (!j.is_object() || j.value("version", 0) != kFormatVersion) {
    raise<ValueError>("[load_function] unsupported graph format (expected version {})", kFormatVersion);
  }
  for (const char* k : {"values", "inputs", "outputs", "captures", "constants", "nodes", "grad_writes"}) {
    if (!j.contains(k) || !j[k].is_array()) raise<ValueError>("[load_function] graph lacks '{}'", k);
  }
  absl::flat_hash_map<std::string, Tensor> by_name;
  for (auto& [k, t] : tensors) by_name[k] = t;
  const size_t nv = j["values"].size();
  if (nv > (1u << 24)) raise<ValueError>("[load_function] graph has too many values ({})", nv);
  // Rebuild in the saved order: inputs, captures, constants, then nodes, so ids match.
  auto g = std::make_shared<Graph>();
  std::vector<ValueId> remap(nv, -1);
  std::vector<Tensor> proto(nv);  // per saved value: what infer sees (real captures/constants)
  auto meta_of = [&](ValueId id) {
    const json& v = j["values"][id];
    try {
      TensorMeta m{{}, dtype_from_name(v.at("dtype").get<std::string>()), Device(v.at("device").get<std::string>())};
      for (int64_t d : ints_of(v.at("shape"), "a shape")) m.shape.push_back(d);
      return m;
    } catch (const json::exception& e) {
      raise<ValueError>("[load_function] value {} has malformed metadata: {}", id, e.what());
    }
  };
  auto name_of = [&](ValueId id) { return j["values"][id].value("name", std::string()); };
  for (const json& x : j["inputs"]) {
    ValueId id = checked_id(x, nv, "an input");
    remap[id] = g->add_input(meta_of(id), name_of(id));
    proto[id] = placeholder(meta_of(id));
  }
  auto bind = [&](const json& list, const char* kind, bool capture) {
    size_t i = 0;
    for (const json& x : list) {
      ValueId id = checked_id(x, nv, kind);
      auto it = by_name.find(tensor_key(kind, i));
      if (it == by_name.end()) raise<ValueError>("[load_function] missing tensor '{}'", tensor_key(kind, i));
      TensorMeta m = meta_of(id);
      if (it->second.shape() != m.shape || it->second.dtype() != m.dtype) {
        raise<ValueError>("[load_function] tensor '{}' has shape {} {}, the graph expects {} {}",
                          it->first, shape_str(it->second.shape()), dtype_name(it->second.dtype()),
                          shape_str(m.shape), dtype_name(m.dtype));
      }
      if (!capture && j["values"][id].value("wrapped_number", false)) {
        it->second.impl()->set_wrapped_number(true);
      }
      remap[id] = capture ? g->add_capture(it->second, name_of(id)) : g->add_constant(it->second);
      proto[id] = it->second;
      ++i;
    }
  };
  bind(j["captures"], "capture", true);
  bind(j["constants"], "constant", false);
  if (j["nodes"].size() > (1u << 22)) raise<ValueError>("[load_function] graph has too many nodes");
  for (const json& n : j["nodes"]) {
    if (!n.is_object() || !n.contains("op") || !n["op"].is_string() || !n.contains("in") ||
        !n.contains("out") || !n["in"].is_array() || !n["out"].is_array()) {
      raise<ValueError>("[load_function] malformed node");
    }
    const std::string name = n["op"];
    Attrs attrs;
    if (n.contains("attrs")) {
      if (!n["attrs"].is_object()) raise<ValueError>("[load_function] malformed attributes of '{}'", name);
      for (auto it = n["attrs"].begin(); it != n["attrs"].end(); ++it) {
        attrs.set(it.key(), attr_value(it.value(), name));
      }
    }
    std::unique_ptr<Op> op = make_op(name, attrs);
    std::vector<ValueId> ins;
    for (const json& x : n["in"]) {
      ValueId id = checked_id(x, nv, "a node input");
      if (remap[id] < 0) raise<ValueError>("[load_function] node '{}' reads value {} before it is defined", name, id);
      ins.push_back(remap[id]);
    }
    MetaList metas;
    std::vector<ValueId> outs;
    for (const json& x : n["out"]) {
      ValueId id = checked_id(x, nv, "a node output");
      if (remap[id] >= 0) raise<ValueError>("[load_function] value {} is defined twice", id);
      outs.push_back(id);
      metas.push_back(meta_of(id));
    }
    // The file's shapes must be the op's own: the executor sizes buffers from them and the
    // kernels index by the inputs' shapes (a node with no inputs, or a claimed output
    // smaller than the real one, read or wrote out of bounds; found by fuzz_graph_json).
    std::vector<Tensor> in_protos;
    for (const json& x : n["in"]) in_protos.push_back(proto[x.get<int64_t>()]);
    MetaList inferred = op->infer(in_protos);
    bool same = inferred.size() == metas.size();
    for (size_t i = 0; same && i < metas.size(); ++i) {
      same = inferred[i].shape == metas[i].shape && inferred[i].dtype == metas[i].dtype;
    }
    if (!same) {
      raise<ValueError>("[load_function] node '{}' declares {} output(s) {} that its inputs do "
                        "not produce", name, metas.size(),
                        metas.empty() ? std::string("-") : meta_str(metas[0]));
    }
    for (size_t i = 0; i < outs.size(); ++i) proto[outs[i]] = placeholder(metas[i]);
    auto made = g->add_node(std::shared_ptr<const Op>(std::move(op)), std::move(ins), metas,
                            n.value("inplace", false));
    for (size_t i = 0; i < outs.size(); ++i) remap[outs[i]] = made[i];
  }
  std::vector<ValueId> outs;
  for (const json& x : j["outputs"]) {
    ValueId id = checked_id(x, nv, "an output");
    if (remap[id] < 0) raise<ValueError>("[load_function] output value {} is never defined", id);
    outs.push_back(remap[id]);
  }
  g->set_outputs(std::move(outs));
  for (const json& w : j["grad_writes"]) {
    if (!w.is_array() || w.size() != 2) raise<ValueError>("[load_function] malformed grad write");
    ValueId leaf = remap[checked_id(w[0], nv, "a grad write")];
    ValueId grad = w[1].is_number_integer() && w[1].get<int64_t>() < 0 ? -1 : remap[checked_id(w[1], nv, "a grad write")];
    if (leaf < 0) raise<ValueError>("[load_function] grad write to an undefined value");
    fx.grad_writes.emplace_back(leaf, grad);
  }
  return g;
}


}  // namespace

void save_function(const std::string& path, const Graph& g, const SideEffects& fx) {
  io::NamedTensors tensors;
  for (size_t i = 0; i < g.captures().size(); ++i) tensors.emplace_back(tensor_key("capture", i), g.captures()[i]);
  for (size_t i = 0; i < g.constants().size(); ++i) tensors.emplace_back(tensor_key("constant", i), g.constants()[i]);
  io::save_safetensors(path, tensors, {{kGraphKey, graph_json(g, fx)}, {"format", "ember"}});
}

void LoadedFunction::init(const std::string& where, const std::string& graph_json,
                          const std::vector<std::pair<std::string, Tensor>>& tensors,
                          const PassOptions& passes) {
  try {
    traced_ = parse_graph(graph_json, tensors, effects_);
  } catch (const json::exception& e) {
    // A field of the wrong JSON type (value("inplace", false) on a string, ...): the file
    // is malformed, not our bug.
    raise<ValueError>("[load_function] malformed graph in {}: {}", where, e.what());
  }
  executor_ = compile_graph(*traced_, effects_, passes);
}

LoadedFunction::LoadedFunction(const std::string& path, PassOptions passes) {
  io::Safetensors st = io::load_safetensors(path);
  auto it = st.metadata.find(kGraphKey);
  if (it == st.metadata.end()) raise<ValueError>("[load_function] '{}' holds no ember graph", path);
  init(path, it->second, st.tensors, passes);
}

LoadedFunction LoadedFunction::from_bytes(const uint8_t* data, size_t size, PassOptions passes) {
  io::Safetensors st = io::from_safetensors(data, size);
  auto it = st.metadata.find(kGraphKey);
  if (it == st.metadata.end()) raise<ValueError>("[load_function] the data holds no ember graph");
  LoadedFunction f;
  f.init("<bytes>", it->second, st.tensors, passes);
  return f;
}

std::vector<Tensor> LoadedFunction::operator()(const std::vector<Tensor>& inputs) const {
  return executor_->run(inputs);
}

void LoadedFunction::save(const std::string& path) const { save_function(path, *traced_, effects_); }

std::vector<std::pair<std::string, Tensor>> LoadedFunction::named_captures() const {
  std::vector<std::pair<std::string, Tensor>> out;
  for (size_t i = 0; i < traced_->captures().size(); ++i) {
    const std::string& n = traced_->value(traced_->capture_values()[i]).name;
    out.emplace_back(n.empty() ? tensor_key("capture", i) : n, traced_->captures()[i]);
  }
  return out;
}

}  // namespace ember::trace
