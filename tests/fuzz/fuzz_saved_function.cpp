// libFuzzer target: the saved-graph loader (trace/serialize). The bytes are a safetensors
// file whose "ember.graph" metadata holds the graph JSON; loading rebuilds every op through
// the registry (each op's attribute checks) and compiles it (the optimization passes). Any
// input must load or raise an ember::Error.
#include <cstddef>
#include <cstdint>

#include "trace/serialize.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    ember::trace::LoadedFunction f = ember::trace::LoadedFunction::from_bytes(data, size);
    (void)f.optimized_graph();
  } catch (const ember::Error&) {
  }
  return 0;
}
