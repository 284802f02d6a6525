#pragma once
// Storage: one device buffer shared by a tensor and all its views. It also carries the
// version counter that autograd checks: views share storage, so a write through any view
// bumps the version every saved alias sees.
#include <cstdint>
#include <functional>

#include "core/device.h"
#include "core/intrusive_ptr.h"

namespace ember {

class Storage final : public RefCounted {
 public:
  // Allocates nbytes from the device's allocator.
  Storage(size_t nbytes, Device device);
  // Wraps memory owned elsewhere (NumPy, DLPack); `release` runs when the storage dies.
  Storage(void* data, size_t nbytes, Device device, std::function<void()> release);
  ~Storage() override;

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }
  bool is_external() const { return static_cast<bool>(release_); }

  uint32_t version() const { return version_.load(std::memory_order_relaxed); }
  void bump_version() { version_.fetch_add(1, std::memory_order_relaxed); }

 private:
  void* data_;
  size_t nbytes_;
  Device device_;
  std::function<void()> release_;
  std::atomic<uint32_t> version_{0};
};

using StoragePtr = IntrusivePtr<Storage>;

}  // namespace ember
