#include "core/cuda/index_errors.h"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/cuda/cuda_context.h"
#include "core/error.h"

namespace ember::cuda {
namespace {

std::mutex& names_mu() {
  static std::mutex mu;
  return mu;
}
std::vector<std::string>& names() {  // code c names names()[c - 1]
  static auto* v = new std::vector<std::string>();
  return *v;
}

struct ErrorBlocks {
  std::vector<DeviceIndexError*> blocks;  // host-mapped; leaked like the streams
  std::vector<std::unique_ptr<std::once_flag>> once;
  ErrorBlocks() {
    blocks.assign(static_cast<size_t>(device_count()), nullptr);
    for (int i = 0; i < device_count(); ++i) once.push_back(std::make_unique<std::once_flag>());
  }
};
ErrorBlocks& error_blocks() {
  static auto* b = new ErrorBlocks();
  return *b;
}

}  // namespace

DeviceIndexError* device_index_error(int device) {
  ErrorBlocks& b = error_blocks();
  if (device < 0 || device >= static_cast<int>(b.blocks.size())) {
    raise<ValueError>("[cuda] device cuda:{} does not exist", device);
  }
  std::call_once(*b.once[device], [&] {
    set_device(device);
    void* p = nullptr;
    // Mapped pinned memory: with unified addressing the host pointer is valid on the device.
    check(cudaHostAlloc(&p, sizeof(DeviceIndexError), cudaHostAllocMapped), "cudaHostAlloc");
    *static_cast<DeviceIndexError*>(p) = DeviceIndexError{0, 0, 0, 0};
    b.blocks[device] = static_cast<DeviceIndexError*>(p);
  });
  return b.blocks[device];
}

int index_error_code(std::string_view op) {
  std::lock_guard lock(names_mu());
  auto& v = names();
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == op) return static_cast<int>(i) + 1;
  }
  v.emplace_back(op);
  return static_cast<int>(v.size());
}

void raise_pending_index_error(int device) {
  ErrorBlocks& b = error_blocks();
  if (device < 0 || device >= static_cast<int>(b.blocks.size()) || b.blocks[device] == nullptr) {
    return;  // no indexing kernel ran on this device yet
  }
  volatile DeviceIndexError* e = b.blocks[device];
  if (e->op == 0) return;
  const DeviceIndexError seen{e->op, e->dim, e->value, e->size};
  e->op = 0;
  std::string op;
  {
    std::lock_guard lock(names_mu());
    op = seen.op >= 1 && seen.op <= static_cast<int>(names().size()) ? names()[seen.op - 1]
                                                                     : "indexing";
  }
  raise<IndexError>(
      "[{}] index {} is out of bounds for dim {} with size {} (found by the CUDA kernel on "
      "cuda:{}; reported at the next synchronization, so the op's output is invalid)",
      op, seen.value, seen.dim, seen.size, device);
}

}  // namespace ember::cuda
