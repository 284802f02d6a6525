#pragma once
// Device memory allocators. The CPU allocator hands out 64-byte aligned blocks and keeps
// freed small blocks in per-size free lists, so steady-state training allocates nothing
// from the system. CUDA gets its caching allocator in core/cuda.
#include <cstddef>
#include <cstdint>

#include "core/device.h"

namespace ember {

class Allocator {
 public:
  virtual ~Allocator() = default;
  virtual void* allocate(size_t nbytes) = 0;
  virtual void deallocate(void* p, size_t nbytes) = 0;
  virtual void empty_cache() {}
};

Allocator& allocator_for(Device d);
Allocator& cpu_allocator();

struct CpuMemoryStats {
  int64_t allocated_bytes;  // bytes in live blocks
  int64_t cached_bytes;     // bytes held in free lists
};
CpuMemoryStats cpu_memory_stats();

}  // namespace ember
