#pragma once
// The caching CUDA allocator of one device: freed blocks go to a pool keyed by size and are
// handed out again (best fit), so steady-state training calls cudaMalloc/cudaFree never.
// Safe because every kernel of the device runs on its one stream (cuda_context.h): a block
// freed by the host may be reused at once, since later work on the stream runs after the
// work that last read it.
#include <map>
#include <mutex>

#include <absl/container/flat_hash_map.h>

#include "core/allocator.h"
#include "core/device_backend.h"

namespace ember::cuda {

class CachingAllocator final : public Allocator {
 public:
  explicit CachingAllocator(int device) : device_(device) {}

  void* allocate(size_t nbytes) override;       // raises "[cuda] out of memory ..." with stats
  void deallocate(void* p, size_t nbytes) override;
  void empty_cache() override;                  // returns cached blocks to the driver

  DeviceMemoryStats stats();
  void reset_peak();

 private:
  void* device_malloc(size_t size);  // cudaMalloc, emptying the cache and retrying once
  void free_cached_locked();

  std::mutex mu_;
  int device_;
  std::multimap<size_t, void*> free_;             // cached blocks by size
  absl::flat_hash_map<void*, size_t> live_;       // live block -> its (rounded) size
  int64_t allocated_ = 0, reserved_ = 0, peak_ = 0, num_mallocs_ = 0;
};

}  // namespace ember::cuda
