#include "core/cuda/caching_allocator.h"

#include <cuda_runtime.h>

#include "core/cuda/cuda_context.h"
#include "core/error.h"

namespace ember::cuda {
namespace {

constexpr size_t kSmall = size_t{1} << 20;      // blocks below 1 MiB round to 512 B
constexpr size_t kSmallRound = 512;
constexpr size_t kLargeRound = size_t{2} << 20;  // larger ones to 2 MiB

size_t round_size(size_t n) {
  const size_t r = n < kSmall ? kSmallRound : kLargeRound;
  return (n + r - 1) / r * r;
}

// A cached block of `have` bytes may serve a request of `want`: small blocks up to twice the
// request, large ones with at most an eighth (+ 2 MiB) wasted.
bool fits(size_t have, size_t want) {
  return want < kSmall ? have <= 2 * want : have <= want + want / 8 + kLargeRound;
}

std::string mib(int64_t bytes) { return fmt::format("{:.1f} MiB", bytes / 1048576.0); }

}  // namespace

void* CachingAllocator::take_free_locked(std::multimap<size_t, void*>& from, size_t size,
                                         size_t& got) {
  auto it = from.lower_bound(size);
  if (it == from.end() || !fits(it->first, size)) return nullptr;
  void* p = it->second;
  got = it->first;
  from.erase(it);
  return p;
}

void* CachingAllocator::allocate(size_t nbytes) {
  if (nbytes == 0) return nullptr;
  const size_t size = round_size(nbytes);
  std::lock_guard<std::mutex> g(mu_);
  size_t got = size;
  void* p = nullptr;
  if (active_pool_ >= 0) {
    // A graph being captured: its own free blocks first, then a cached block, which joins
    // the pool (free, so no queued work of anyone else still uses it: one stream).
    PrivatePool& pool = pools_.at(active_pool_);
    p = take_free_locked(pool.free, size, got);
    if (!p) {
      got = size;
      p = take_free_locked(free_, size, got);
      if (!p) p = device_malloc(size);
      pool_of_[p] = active_pool_;
      pool.bytes += static_cast<int64_t>(got);
    }
  } else {
    p = take_free_locked(free_, size, got);
    if (!p) p = device_malloc(size);
  }
  live_[p] = got;
  allocated_ += static_cast<int64_t>(got);
  if (allocated_ > peak_) peak_ = allocated_;
  return p;
}

void* CachingAllocator::device_malloc(size_t size) {
  set_device(device_);
  void* p = nullptr;
  cudaError_t e = cudaMalloc(&p, size);
  if (e == cudaErrorMemoryAllocation && !free_.empty()) {
    cudaGetLastError();
    free_cached_locked();
    e = cudaMalloc(&p, size);
  }
  if (e != cudaSuccess) {
    cudaGetLastError();
    size_t free_b = 0, total_b = 0;
    cudaMemGetInfo(&free_b, &total_b);
    raise<Error>("[cuda] out of memory allocating {} on cuda:{} ({}). Ember holds {} in live "
                 "tensors and {} reserved in all; the device has {} free of {}. Free tensors "
                 "you no longer need, use smaller batches, or call ember.cuda.empty_cache()",
                 mib(static_cast<int64_t>(size)), device_, cudaGetErrorString(e),
                 mib(allocated_), mib(reserved_), mib(static_cast<int64_t>(free_b)),
                 mib(static_cast<int64_t>(total_b)));
  }
  reserved_ += static_cast<int64_t>(size);
  ++num_mallocs_;
  return p;
}

void CachingAllocator::deallocate(void* p, size_t) {
  if (!p) return;
  std::lock_guard<std::mutex> g(mu_);
  auto it = live_.find(p);
  if (it == live_.end()) return;  // not ours (never happens for Storage-owned blocks)
  allocated_ -= static_cast<int64_t>(it->second);
  auto owner = pool_of_.find(p);
  if (owner != pool_of_.end()) {
    PrivatePool& pool = pools_.at(owner->second);
    if (!pool.released) {
      pool.free.emplace(it->second, p);
      live_.erase(it);
      return;
    }
    pool.bytes -= static_cast<int64_t>(it->second);
    if (pool.bytes == 0) pools_.erase(owner->second);
    pool_of_.erase(owner);
  }
  free_.emplace(it->second, p);
  live_.erase(it);
}

int CachingAllocator::begin_private_pool() {
  std::lock_guard<std::mutex> g(mu_);
  if (active_pool_ >= 0) raise<Error>("[cuda] a CUDA graph capture is already in progress on cuda:{}", device_);
  active_pool_ = next_pool_++;
  pools_[active_pool_];
  return active_pool_;
}

void CachingAllocator::end_private_pool() {
  std::lock_guard<std::mutex> g(mu_);
  active_pool_ = -1;
}

void CachingAllocator::release_private_pool(int id) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = pools_.find(id);
  if (it == pools_.end()) return;
  if (active_pool_ == id) active_pool_ = -1;
  PrivatePool& pool = it->second;
  for (auto& [size, p] : pool.free) {
    free_.emplace(size, p);
    pool_of_.erase(p);
    pool.bytes -= static_cast<int64_t>(size);
  }
  pool.free.clear();
  pool.released = true;  // blocks still live return to the shared cache when freed
  if (pool.bytes == 0) pools_.erase(it);
}

int64_t CachingAllocator::private_pool_bytes(int id) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = pools_.find(id);
  return it == pools_.end() ? 0 : it->second.bytes;
}

void CachingAllocator::free_cached_locked() {
  if (free_.empty()) return;
  set_device(device_);
  cudaStreamSynchronize(stream(device_));  // queued kernels may still use freed blocks
  for (auto& [size, p] : free_) {
    cudaFree(p);
    reserved_ -= static_cast<int64_t>(size);
  }
  free_.clear();
}

void CachingAllocator::empty_cache() {
  std::lock_guard<std::mutex> g(mu_);
  free_cached_locked();
}

DeviceMemoryStats CachingAllocator::stats() {
  std::lock_guard<std::mutex> g(mu_);
  return {allocated_, reserved_, peak_, num_mallocs_};
}

void CachingAllocator::reset_peak() {
  std::lock_guard<std::mutex> g(mu_);
  peak_ = allocated_;
}

}  // namespace ember::cuda
