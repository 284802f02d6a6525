// libFuzzer target: the graph half of the saved-function loader (trace/serialize), fed the
// graph JSON directly so mutations reach the node/attribute/op-registry checks instead of
// dying in the JSON-in-JSON string escaping of a whole file. The harness makes a tensor for
// every capture and constant the graph declares (when its metadata is sane and small), wraps
// both in a safetensors file, loads it, and runs it once on inputs of the declared shapes.
// Any input must work or raise an ember::Error.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "core/io/safetensors.h"
#include "core/ops.h"
#include "trace/serialize.h"

namespace {

using json = nlohmann::json;
constexpr int64_t kMaxElements = 1 << 12;

// A tensor matching value `id`'s metadata, or an undefined Tensor when it is not sane.
ember::Tensor tensor_for(const json& values, const json& id) {
  if (!id.is_number_unsigned() || id.get<uint64_t>() >= values.size()) return {};
  const json& v = values[id.get<size_t>()];
  if (!v.is_object() || !v.contains("shape") || !v["shape"].is_array() || !v.contains("dtype") ||
      !v["dtype"].is_string() || v["shape"].size() > 6) {
    return {};
  }
  ember::Shape shape;
  int64_t n = 1;
  for (const json& d : v["shape"]) {
    if (!d.is_number_unsigned() || d.get<uint64_t>() > kMaxElements) return {};
    shape.push_back(d.get<int64_t>());
    n *= shape.back();
    if (n > kMaxElements) return {};
  }
  try {
    ember::DType dt = ember::dtype_from_name(v["dtype"].get<std::string>());
    return ember::full(shape, 1, dt);
  } catch (const ember::Error&) {
    return {};
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  json g = json::parse(text, nullptr, /*allow_exceptions=*/false);
  ember::io::NamedTensors tensors;
  std::vector<ember::Tensor> inputs;
  if (g.is_object() && g.contains("values") && g["values"].is_array()) {
    const json& values = g["values"];
    for (const char* kind : {"capture", "constant"}) {
      std::string list = std::string(kind) + "s";
      if (!g.contains(list) || !g[list].is_array()) continue;
      size_t i = 0;
      for (const json& id : g[list]) {
        ember::Tensor t = tensor_for(values, id);
        if (t.defined()) tensors.emplace_back(std::string(kind) + "." + std::to_string(i), t);
        ++i;
      }
    }
    if (g.contains("inputs") && g["inputs"].is_array()) {
      for (const json& id : g["inputs"]) inputs.push_back(tensor_for(values, id));
    }
  }
  try {
    std::string file = ember::io::to_safetensors(tensors, {{"ember.graph", text}});
    auto f = ember::trace::LoadedFunction::from_bytes(
        reinterpret_cast<const uint8_t*>(file.data()), file.size());
    bool runnable = true;
    for (const ember::Tensor& t : inputs) runnable = runnable && t.defined();
    if (runnable) f(inputs);
  } catch (const ember::Error&) {
  }
  return 0;
}
