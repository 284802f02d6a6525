#pragma once
// The caching CUDA allocator of one device: freed blocks go to a pool keyed by size and are
// handed out again (best fit), so steady-state training calls cudaMalloc/cudaFree never.
// Safe because every kernel of the device runs on its one stream (cuda_context.h): a block
// freed by the host may be reused at once, since later work on the stream runs after the
// work that last read it.
//
// Private pools serve CUDA graphs (graph_capture.h): while one is active, allocations are
// drawn into it, and its blocks, once freed, go back to it only. A captured graph replays
// into the same addresses, so no tensor outside the graph may ever be handed one of them;
// the pool lives as long as its graph, and releasing it returns its blocks to the cache.
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

  // Starts a private pool and routes this device's allocations into it; returns its id.
  int begin_private_pool();
  void end_private_pool();            // stops routing allocations (the pool lives on)
  void release_private_pool(int id);  // its free blocks return to the cache, live ones when freed
  int64_t private_pool_bytes(int id);  // bytes of blocks in the pool (live and free)

 private:
  struct PrivatePool {
    std::multimap<size_t, void*> free;
    int64_t bytes = 0;
    bool released = false;
  };
  void* take_free_locked(std::multimap<size_t, void*>& from, size_t size, size_t& got);
  void* device_malloc(size_t size);  // cudaMalloc, emptying the cache and retrying once
  void free_cached_locked();

  std::mutex mu_;
  int device_;
  std::multimap<size_t, void*> free_;             // cached blocks by size
  absl::flat_hash_map<void*, size_t> live_;       // live block -> its (rounded) size
  std::map<int, PrivatePool> pools_;
  absl::flat_hash_map<void*, int> pool_of_;       // block of a private pool -> its id
  int active_pool_ = -1, next_pool_ = 0;
  int64_t allocated_ = 0, reserved_ = 0, peak_ = 0, num_mallocs_ = 0;
};

}  // namespace ember::cuda
