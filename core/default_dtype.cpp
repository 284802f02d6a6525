#include "core/default_dtype.h"

#include <atomic>

#include "core/error.h"

namespace ember {
namespace {
// Relaxed is enough: the value is a whole dtype, read independently by each factory call.
std::atomic<DType> g_default_dtype{DType::Float32};
}  // namespace

DType default_dtype() { return g_default_dtype.load(std::memory_order_relaxed); }

void set_default_dtype(DType d) {
  if (!is_floating(d)) {
    raise<TypeError>(
        "[set_default_dtype] only floating dtypes (float16, bfloat16, float32, float64) can be "
        "the default, got {}",
        dtype_name(d));
  }
  g_default_dtype.store(d, std::memory_order_relaxed);
}

DType default_float_dtype() { return default_dtype(); }

}  // namespace ember
