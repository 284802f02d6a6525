// libFuzzer target: the checkpoint reader (core/io/safetensors). Any input must either parse
// or raise an ember::Error; anything else (a crash, an out-of-bounds read caught by ASan,
// undefined behaviour, a std:: exception that is not ours, an allocation past libFuzzer's
// -malloc_limit_mb) is a finding.
#include <cstddef>
#include <cstdint>

#include "core/io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    ember::io::Safetensors st = ember::io::from_safetensors(data, size);
    // Touch every byte we were given back, so a tensor claiming memory it does not own shows.
    volatile uint8_t sink = 0;
    for (auto& [name, t] : st.tensors) {
      const auto* p = static_cast<const uint8_t*>(t.data_ptr());
      size_t n = static_cast<size_t>(t.numel()) * t.element_size();
      for (size_t i = 0; i < n; ++i) sink ^= p[i];
    }
    // What we read must write back and read again identically.
    std::string again = ember::io::to_safetensors(st.tensors, st.metadata);
    ember::io::from_safetensors(reinterpret_cast<const uint8_t*>(again.data()), again.size());
  } catch (const ember::Error&) {
  }
  return 0;
}
