// nonzero: flags (x != 0, compared in the compute type as the CPU does: NaN counts, -0.0
// does not), their exclusive prefix sum with CUB (each nonzero's output row), and one thread
// per element writing its coordinates there. The count is read back on the host once (the
// output's size depends on it), as PyTorch's nonzero does.
#include <cub/device/device_scan.cuh>

#include <climits>

#include "core/cuda/device_math.cuh"
#include "core/cuda/storage_types.cuh"

namespace ember::cuda {
namespace {

#define EMBER_GRID_LOOP_(i_, n_)                                              \
  for (int64_t i_ = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i_ < (n_); \
       i_ += int64_t(gridDim.x) * blockDim.x)

template <class T>
__global__ void flags_kernel(const T* x, int64_t n, int64_t* flags) {
  EMBER_GRID_LOOP_(i, n) {
    if constexpr (std::is_same_v<T, bool>) {
      flags[i] = x[i] ? 1 : 0;
    } else {
      flags[i] = to_acc(x[i]) != acc_of<T>(0) ? 1 : 0;
    }
  }
}

__global__ void count_kernel(const int64_t* flags, const int64_t* rows, int64_t n,
                             int64_t* count) {
  if (blockIdx.x == 0 && threadIdx.x == 0) *count = rows[n - 1] + flags[n - 1];
}

struct Sizes {
  int64_t v[kMaxDims];
};

__global__ void coords_kernel(const int64_t* flags, const int64_t* rows, int64_t n, int ndim,
                              Sizes sizes, int64_t* out) {
  EMBER_GRID_LOOP_(i, n) {
    if (!flags[i]) continue;
    int64_t* o = out + rows[i] * ndim;
    int64_t rest = i;
    for (int d = ndim - 1; d >= 0; --d) {
      o[d] = rest % sizes.v[d];
      rest /= sizes.v[d];
    }
  }
}

#undef EMBER_GRID_LOOP_

constexpr size_t kAlign = 256;
size_t aligned(size_t b) { return (b + kAlign - 1) / kAlign * kAlign; }

// Workspace: flags, rows (n int64 each), CUB's temporary storage.
struct NonzeroWorkspace {
  size_t array, cub_temp = 0;
  explicit NonzeroWorkspace(int64_t n) : array(aligned(static_cast<size_t>(n) * sizeof(int64_t))) {
    cub::DeviceScan::ExclusiveSum(nullptr, cub_temp, static_cast<const int64_t*>(nullptr),
                                  static_cast<int64_t*>(nullptr), static_cast<int>(n));
  }
  size_t total() const { return 2 * array + cub_temp; }
};

void check_nonzero_size(int64_t n) {
  if (n > INT_MAX) {
    throw std::runtime_error("[cuda] nonzero: more than 2^31 - 1 elements (" + std::to_string(n) +
                             ") is not supported yet");
  }
}

// flags and their exclusive sum (rows) in the workspace.
void flags_and_rows(int dtype, const void* x, int64_t n, void* workspace, cudaStream_t s,
                    int64_t*& flags, int64_t*& rows) {
  const NonzeroWorkspace w(n);
  auto* base = static_cast<char*>(workspace);
  flags = reinterpret_cast<int64_t*>(base);
  rows = reinterpret_cast<int64_t*>(base + w.array);
  with_storage_type(dtype, "nonzero", [&](auto v) {
    using T = decltype(v);
    flags_kernel<T><<<grid_for(n), kThreads, 0, s>>>(static_cast<const T*>(x), n, flags);
  });
  check_launch("nonzero flags");
  size_t temp_bytes = w.cub_temp;
  const cudaError_t err = cub::DeviceScan::ExclusiveSum(base + 2 * w.array, temp_bytes, flags,
                                                        rows, static_cast<int>(n), s);
  if (err != cudaSuccess) {
    throw std::runtime_error(std::string("[cuda] nonzero: cub::DeviceScan failed: ") +
                             cudaGetErrorString(err));
  }
}

}  // namespace

size_t nonzero_workspace_bytes(int64_t numel) {
  check_nonzero_size(numel);
  return NonzeroWorkspace(numel).total();
}

void launch_nonzero_count(int dtype, const void* x, int64_t numel, int64_t* count,
                          void* workspace, void* stream) {
  auto s = static_cast<cudaStream_t>(stream);
  if (numel == 0) {
    if (cudaMemsetAsync(count, 0, sizeof(int64_t), s) != cudaSuccess) {
      throw std::runtime_error("[cuda] nonzero: cudaMemsetAsync failed");
    }
    return;
  }
  check_nonzero_size(numel);
  int64_t *flags = nullptr, *rows = nullptr;
  flags_and_rows(dtype, x, numel, workspace, s, flags, rows);
  count_kernel<<<1, 1, 0, s>>>(flags, rows, numel, count);
  check_launch("nonzero count");
}

void launch_nonzero_coords(int dtype, const void* x, int64_t numel, int ndim,
                           const int64_t* sizes, int64_t* out, void* workspace, void* stream) {
  if (numel == 0 || ndim == 0) return;
  check_nonzero_size(numel);
  if (ndim > kMaxDims) throw std::runtime_error("[cuda] nonzero: more than 8 dims");
  auto s = static_cast<cudaStream_t>(stream);
  int64_t *flags = nullptr, *rows = nullptr;
  flags_and_rows(dtype, x, numel, workspace, s, flags, rows);
  Sizes sz{};
  for (int d = 0; d < ndim; ++d) sz.v[d] = sizes[d];
  coords_kernel<<<grid_for(numel), kThreads, 0, s>>>(flags, rows, numel, ndim, sz, out);
  check_launch("nonzero coords");
}

}  // namespace ember::cuda
