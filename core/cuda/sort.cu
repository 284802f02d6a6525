// sort / argsort / topk: the CPU's stable order (NaN last ascending, first descending) with
// CUB's segmented radix sort. Each line along the sorted dim is a segment; its values become
// order-preserving unsigned keys (sort_keys.h) beside their positions, CUB sorts the keys
// with the positions (radix sort is stable, so ties keep the lower position first, as the
// CPU's stable_sort and its topk tie rule), and the first `keep` positions of each segment
// pick the output values from the input, so values are the input's bits (NaN payloads, -0.0).
// topk is the same sort cut to k: its CPU order is the same (sorted=false costs nothing).
#include <cub/device/device_radix_sort.cuh>
#include <cub/device/device_segmented_radix_sort.cuh>

#include <climits>

#include "core/cuda/device_math.cuh"
#include "core/cuda/storage_types.cuh"
#include "core/cuda/sort_keys.h"

namespace ember::cuda {
namespace {

template <class T> struct KeyOf { using type = uint32_t; };
template <> struct KeyOf<double> { using type = uint64_t; };
template <> struct KeyOf<int64_t> { using type = uint64_t; };

template <class T>
__device__ __forceinline__ auto key_of(T v) {
  if constexpr (std::is_same_v<T, __half> || std::is_same_v<T, __nv_bfloat16>) {
    return sort_key(to_acc(v));  // exact in float, so the same order
  } else {
    return sort_key(v);
  }
}

// x contiguous [outer, n, inner]; segment r = (o, i) holds keys[r * n + j] for position j.
template <class T, class K>
__global__ void make_keys_kernel(const T* x, K* keys, int64_t* pos, int64_t outer, int64_t n,
                                 int64_t inner, bool descending) {
  const int64_t total = outer * n * inner;
  for (int64_t e = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; e < total;
       e += int64_t(gridDim.x) * blockDim.x) {
    const int64_t r = e / n, j = e % n, o = r / inner, i = r % inner;
    const K k = key_of(x[(o * n + j) * inner + i]);
    keys[e] = descending ? K(~k) : k;
    pos[e] = j;
  }
}

__global__ void segment_offsets_kernel(int* offsets, int64_t segments, int64_t n) {
  for (int64_t r = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; r <= segments;
       r += int64_t(gridDim.x) * blockDim.x) {
    offsets[r] = static_cast<int>(r * n);
  }
}

// values / indices contiguous [outer, keep, inner]: the first keep sorted positions.
template <class T>
__global__ void take_sorted_kernel(const T* x, const int64_t* sorted_pos, T* values,
                                   int64_t* indices, int64_t outer, int64_t n, int64_t inner,
                                   int64_t keep) {
  const int64_t total = outer * inner * keep;
  for (int64_t e = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; e < total;
       e += int64_t(gridDim.x) * blockDim.x) {
    const int64_t r = e / keep, j = e % keep, o = r / inner, i = r % inner;
    const int64_t p = sorted_pos[r * n + j];
    const int64_t dst = (o * keep + j) * inner + i;
    values[dst] = x[(o * n + p) * inner + i];
    indices[dst] = p;
  }
}

constexpr size_t kAlign = 256;
size_t aligned(size_t b) { return (b + kAlign - 1) / kAlign * kAlign; }

// The workspace, carved in order: keys in/out, positions in/out, offsets, CUB's temp storage.
template <class K>
struct SortWorkspace {
  size_t keys, pos, offsets, cub_temp;
  SortWorkspace(int64_t segments, int64_t n) {
    const size_t items = static_cast<size_t>(segments * n);
    keys = aligned(items * sizeof(K));
    pos = aligned(items * sizeof(int64_t));
    offsets = aligned(static_cast<size_t>(segments + 1) * sizeof(int));
    cub_temp = 0;
    if (per_segment(segments, n)) {
      cub::DeviceRadixSort::SortPairs<K, int64_t>(nullptr, cub_temp, nullptr, nullptr, nullptr,
                                                  nullptr, static_cast<int>(n));
    } else {
      cub::DeviceSegmentedRadixSort::SortPairs<K, int64_t>(
          nullptr, cub_temp, nullptr, nullptr, nullptr, nullptr, static_cast<int>(items),
          static_cast<int>(segments), static_cast<const int*>(nullptr),
          static_cast<const int*>(nullptr));
    }
  }
  // Few long lines: the segmented sort gives each line one thread block, so each line is
  // sorted on its own by the device-wide radix sort instead (one launch sequence per line).
  static bool per_segment(int64_t segments, int64_t n) { return n >= 32768 && segments <= 64; }
  size_t total() const { return 2 * keys + 2 * pos + offsets + cub_temp; }
};

template <class T>
void sort_typed(const void* in, void* values, int64_t* indices, int64_t outer, int64_t n,
                int64_t inner, int64_t keep, bool descending, void* workspace, cudaStream_t s) {
  using K = typename KeyOf<T>::type;
  const int64_t segments = outer * inner;
  const SortWorkspace<K> w(segments, n);
  auto* base = static_cast<char*>(workspace);
  K* keys_in = reinterpret_cast<K*>(base);
  K* keys_out = reinterpret_cast<K*>(base + w.keys);
  auto* pos_in = reinterpret_cast<int64_t*>(base + 2 * w.keys);
  auto* pos_out = reinterpret_cast<int64_t*>(base + 2 * w.keys + w.pos);
  auto* offsets = reinterpret_cast<int*>(base + 2 * w.keys + 2 * w.pos);
  void* cub_temp = base + 2 * w.keys + 2 * w.pos + w.offsets;
  const T* x = static_cast<const T*>(in);
  const int64_t items = segments * n;
  make_keys_kernel<T, K><<<grid_for(items), kThreads, 0, s>>>(x, keys_in, pos_in, outer, n,
                                                                inner, descending);
  segment_offsets_kernel<<<grid_for(segments + 1), kThreads, 0, s>>>(offsets, segments, n);
  check_launch("sort keys");
  size_t temp_bytes = w.cub_temp;
  cudaError_t err = cudaSuccess;
  if (SortWorkspace<K>::per_segment(segments, n)) {
    for (int64_t r = 0; r < segments && err == cudaSuccess; ++r) {
      err = cub::DeviceRadixSort::SortPairs<K, int64_t>(
          cub_temp, temp_bytes, keys_in + r * n, keys_out + r * n, pos_in + r * n,
          pos_out + r * n, static_cast<int>(n), 0, int(sizeof(K) * 8), s);
    }
  } else {
    err = cub::DeviceSegmentedRadixSort::SortPairs<K, int64_t>(
        cub_temp, temp_bytes, keys_in, keys_out, pos_in, pos_out, static_cast<int>(items),
        static_cast<int>(segments), offsets, offsets + 1, 0, int(sizeof(K) * 8), s);
  }
  if (err != cudaSuccess) {
    throw std::runtime_error(std::string("[cuda] sort: cub::DeviceSegmentedRadixSort failed: ") +
                             cudaGetErrorString(err));
  }
  const int64_t outs = segments * keep;
  take_sorted_kernel<T><<<grid_for(outs), kThreads, 0, s>>>(x, pos_out, static_cast<T*>(values),
                                                            indices, outer, n, inner, keep);
  check_launch("sort take");
}

void check_sort_size(int64_t outer, int64_t n, int64_t inner) {
  if (outer * inner + 1 > INT_MAX || outer * n * inner > INT_MAX) {
    throw std::runtime_error("[cuda] sort: more than 2^31 - 1 elements (" +
                             std::to_string(outer * n * inner) + ") is not supported yet");
  }
}

}  // namespace

size_t sort_workspace_bytes(int dtype, int64_t outer, int64_t n, int64_t inner) {
  check_sort_size(outer, n, inner);
  size_t bytes = 0;
  with_storage_type(dtype, "sort", [&](auto v) {
    bytes = SortWorkspace<typename KeyOf<decltype(v)>::type>(outer * inner, n).total();
  });
  return bytes;
}

void launch_sort(int dtype, const void* in, void* values, int64_t* indices, int64_t outer,
                 int64_t n, int64_t inner, int64_t keep, bool descending, void* workspace,
                 void* stream) {
  if (outer * inner * keep == 0) return;
  check_sort_size(outer, n, inner);
  with_storage_type(dtype, "sort", [&](auto v) {
    sort_typed<decltype(v)>(in, values, indices, outer, n, inner, keep, descending, workspace,
                            static_cast<cudaStream_t>(stream));
  });
}

}  // namespace ember::cuda
