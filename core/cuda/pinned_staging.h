#pragma once
// Pinned (page-locked) host buffers for host-to-device copies. A copy from pageable memory
// makes the driver stage it through its own pinned buffer and return only once the data is
// staged; copying from pinned memory instead lets cudaMemcpyAsync return at once and overlap
// with the host. The host data is first memcpy'd into a pooled pinned block, so the source
// tensor may die right away; the block goes back to the pool when an event recorded after
// the copy has completed. Blocks are cached by size (powers of two), up to a cap.
#include <cstddef>
#include <mutex>
#include <vector>

#include <cuda_runtime.h>

namespace ember::cuda {

class PinnedStagingPool {
 public:
  // Largest copy staged through the pool; bigger ones copy from pageable memory.
  static constexpr size_t kMaxStagedBytes = size_t{64} << 20;
  // Total pinned bytes the pool keeps.
  static constexpr size_t kMaxCachedBytes = size_t{256} << 20;

  // A pinned block of at least n bytes (n <= kMaxStagedBytes), or null when the cap is
  // reached and no cached block is free (the caller then copies from pageable memory).
  void* acquire(size_t n);
  // Hands `p` back, reusable once the work queued on `stream` so far has finished.
  void release_after(void* p, cudaStream_t stream);

  size_t cached_bytes();
  static PinnedStagingPool& instance();

 private:
  struct Block {
    void* ptr = nullptr;
    size_t size = 0;
    cudaEvent_t done = nullptr;  // recorded after the block's last copy
    bool held = false;           // between acquire and release_after
  };
  bool is_free(Block& b);

  std::mutex mu_;
  std::vector<Block> blocks_;
  size_t cached_ = 0;
};

}  // namespace ember::cuda
