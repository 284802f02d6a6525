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

void* CachingAllocator::allocate(size_t nbytes) {
  if (nbytes == 0) return nullptr;
  const size_t size = round_size(nbytes);
  std::lock_guard<std::mutex> g(mu_);
  void* p = nullptr;
  auto it = free_.lower_bound(size);
  size_t got = size;
  if (it != free_.end() && fits(it->first, size)) {
    p = it->second;
    got = it->first;
    free_.erase(it);
  } else {
    p = device_malloc(size);
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
  free_.emplace(it->second, p);
  live_.erase(it);
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
