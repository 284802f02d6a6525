#include "core/allocator.h"

#include <array>
#include <atomic>
#include <bit>
#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

#include <sys/mman.h>

#include "core/device_backend.h"
#include "core/error.h"

namespace ember {
namespace {

// Blocks up to 4 MiB are rounded up to a power of two and cached per size class; larger
// blocks go straight to the system (they are rare and caching them would pin memory).
constexpr size_t kMinBlock = 64;
constexpr size_t kMaxCached = size_t{4} << 20;
constexpr int kNumClasses = 17;  // 64 B .. 4 MiB
constexpr size_t kMaxCachedTotal = size_t{256} << 20;
constexpr size_t kHugePage = size_t{2} << 20;

int size_class(size_t n) { return std::countr_zero(std::bit_ceil(std::max(n, kMinBlock))) - 6; }

class CpuAllocator final : public Allocator {
 public:
  void* allocate(size_t nbytes) override {
    if (nbytes == 0) nbytes = 1;
    if (nbytes <= kMaxCached) {
      int c = size_class(nbytes);
      size_t sz = kMinBlock << c;
      {
        std::lock_guard<std::mutex> g(mu_);
        auto& fl = free_[c];
        if (!fl.empty()) {
          void* p = fl.back();
          fl.pop_back();
          cached_ -= static_cast<int64_t>(sz);
          allocated_ += static_cast<int64_t>(sz);
          return p;
        }
      }
      nbytes = sz;
    }
    // Large blocks: 2 MiB-aligned and marked for transparent huge pages (as NumPy does), so
    // first touch costs one fault per 2 MiB instead of per 4 KiB page.
    const bool huge = nbytes > kMaxCached;
    const size_t align = huge ? kHugePage : 64;
    void* p = std::aligned_alloc(align, (nbytes + align - 1) & ~(align - 1));
    if (p && huge) madvise(p, (nbytes + align - 1) & ~(align - 1), MADV_HUGEPAGE);
    if (!p) {
      raise<Error>("[cpu allocator] out of memory allocating {} bytes ({} bytes in use)",
                   nbytes, allocated_.load());
    }
    allocated_ += static_cast<int64_t>(nbytes);
    return p;
  }

  void deallocate(void* p, size_t nbytes) override {
    if (!p) return;
    if (nbytes == 0) nbytes = 1;
    if (nbytes <= kMaxCached) {
      int c = size_class(nbytes);
      size_t sz = kMinBlock << c;
      allocated_ -= static_cast<int64_t>(sz);
      std::lock_guard<std::mutex> g(mu_);
      if (cached_ + static_cast<int64_t>(sz) <= static_cast<int64_t>(kMaxCachedTotal)) {
        free_[c].push_back(p);
        cached_ += static_cast<int64_t>(sz);
        return;
      }
    } else {
      allocated_ -= static_cast<int64_t>(nbytes);
    }
    std::free(p);
  }

  void empty_cache() override {
    std::lock_guard<std::mutex> g(mu_);
    for (auto& fl : free_) {
      for (void* p : fl) std::free(p);
      fl.clear();
    }
    cached_ = 0;
  }

  CpuMemoryStats stats() const { return {allocated_.load(), cached_}; }

 private:
  std::mutex mu_;
  std::array<std::vector<void*>, kNumClasses> free_;
  int64_t cached_ = 0;
  std::atomic<int64_t> allocated_{0};
};

CpuAllocator& the_cpu_allocator() {
  // Leaked on purpose: tensors may be freed during static destruction.
  static auto* a = new CpuAllocator();
  return *a;
}

}  // namespace

Allocator& cpu_allocator() { return the_cpu_allocator(); }

Allocator& allocator_for(Device d) {
  if (d.is_cpu()) return cpu_allocator();
  if (d.is_cuda()) {
    check_cuda_device(d, "allocator");
    return cuda_backend()->allocator(d.index);
  }
  raise<NotImplementedError>("[allocator] device {} has no allocator in this build", d.str());
}

CpuMemoryStats cpu_memory_stats() { return the_cpu_allocator().stats(); }

}  // namespace ember
