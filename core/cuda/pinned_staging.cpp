#include "core/cuda/pinned_staging.h"

#include <bit>

#include "core/cuda/cuda_context.h"

namespace ember::cuda {

PinnedStagingPool& PinnedStagingPool::instance() {
  static auto* pool = new PinnedStagingPool();  // leaked: outlives copies queued at exit
  return *pool;
}

bool PinnedStagingPool::is_free(Block& b) {
  if (b.held) return false;
  if (b.done == nullptr) return true;
  const cudaError_t e = cudaEventQuery(b.done);
  if (e == cudaErrorNotReady) return false;
  check(e, "pinned staging: cudaEventQuery");
  return true;
}

void* PinnedStagingPool::acquire(size_t n) {
  std::lock_guard lock(mu_);
  Block* best = nullptr;
  for (Block& b : blocks_) {
    if (b.size >= n && (best == nullptr || b.size < best->size) && is_free(b)) best = &b;
  }
  if (best == nullptr) {
    const size_t size = std::bit_ceil(std::max<size_t>(n, size_t{64} << 10));
    if (cached_ + size > kMaxCachedBytes) return nullptr;
    Block b;
    b.size = size;
    check(cudaHostAlloc(&b.ptr, size, cudaHostAllocPortable), "pinned staging: cudaHostAlloc");
    cached_ += size;
    blocks_.push_back(b);
    best = &blocks_.back();
  }
  best->held = true;
  return best->ptr;
}

void PinnedStagingPool::release_after(void* p, cudaStream_t stream) {
  std::lock_guard lock(mu_);
  for (Block& b : blocks_) {
    if (b.ptr != p) continue;
    if (b.done == nullptr) {
      check(cudaEventCreateWithFlags(&b.done, cudaEventDisableTiming), "pinned staging: cudaEventCreate");
    }
    check(cudaEventRecord(b.done, stream), "pinned staging: cudaEventRecord");
    b.held = false;
    return;
  }
}

size_t PinnedStagingPool::cached_bytes() {
  std::lock_guard lock(mu_);
  return cached_;
}

}  // namespace ember::cuda
