// The indexing kernel: one grid-stride loop over a position space, moving one element per
// position between a strided source and a strided destination, with up to kMaxDims index
// tensors adding data-dependent offsets to one side. Reads and plain writes move bytes (one
// instantiation per element size); accumulating writes use atomics of the real dtype.
#include "core/cuda/device_math.cuh"

namespace ember::cuda {
namespace {

// Records the first bad index (later ones are dropped: one error is enough to raise).
__device__ void report_bad_index(const IndexedArgs& a, int k, int64_t v) {
  if (a.error == nullptr) return;
  if (atomicCAS(&a.error->op, 0, a.error_code) == 0) {
    a.error->dim = a.index_dim[k];
    a.error->value = v;
    a.error->size = a.index_size[k];
    __threadfence_system();
  }
}

// Offsets of position i into dst and src, and the indexed side's extra offset. False when an
// index is out of range (the element is skipped).
__device__ __forceinline__ bool offsets_of(const IndexedArgs& a, int64_t i, int64_t& dst_off,
                                           int64_t& src_off) {
  int64_t coord[kMaxDims];
  dst_off = 0;
  src_off = 0;
  for (int d = a.ndim - 1; d >= 0; --d) {
    coord[d] = i % a.sizes[d];
    i /= a.sizes[d];
    dst_off += coord[d] * a.dst_strides[d];
    src_off += coord[d] * a.src_strides[d];
  }
  int64_t extra = 0;
  for (int k = 0; k < a.num_indices; ++k) {
    int64_t io = 0;
    for (int d = 0; d < a.ndim; ++d) io += coord[d] * a.index_strides[k][d];
    int64_t v = a.index[k][io];
    const int64_t size = a.index_size[k];
    if (a.wrap_negative && v < 0 && v >= -size) v += size;
    if (v < 0 || v >= size) {
      if (!a.skip_out_of_range) report_bad_index(a, k, a.index[k][io]);
      return false;
    }
    extra += v * a.index_step[k];
  }
  if (a.mode == kIndexRead) {
    src_off += extra;
  } else {
    dst_off += extra;
  }
  return true;
}

template <class Bits>
__device__ __forceinline__ Bits source_value(const IndexedArgs& a, int64_t off) {
  if (a.src_is_scalar) {
    Bits v;
    memcpy(&v, &a.scalar_bits, sizeof(Bits));
    return v;
  }
  return static_cast<const Bits*>(a.src)[off];
}

template <class Bits>
__global__ void move_kernel(IndexedArgs a) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < a.numel;
       i += int64_t(gridDim.x) * blockDim.x) {
    int64_t dst_off, src_off;
    if (!offsets_of(a, i, dst_off, src_off)) continue;
    static_cast<Bits*>(a.dst)[dst_off] = source_value<Bits>(a, src_off);
  }
}

// uint8 has no atomicAdd: a compare-and-swap on the aligned 32-bit word that holds it.
__device__ void atomic_add_u8(uint8_t* p, uint8_t v) {
  auto addr = reinterpret_cast<uintptr_t>(p);
  auto* word = reinterpret_cast<unsigned int*>(addr & ~uintptr_t{3});
  const unsigned int shift = static_cast<unsigned int>(addr & 3) * 8;
  unsigned int old = *word, assumed;
  do {
    assumed = old;
    const unsigned int byte = ((assumed >> shift) + v) & 0xFFu;
    old = atomicCAS(word, assumed, (assumed & ~(0xFFu << shift)) | (byte << shift));
  } while (old != assumed);
}

template <class T>
__device__ __forceinline__ void atomic_add_value(T* p, T v) {
  if constexpr (std::is_same_v<T, bool>) {
    if (v) *p = true;  // logical or: racing writers all store the same value
  } else if constexpr (std::is_same_v<T, uint8_t>) {
    atomic_add_u8(p, v);
  } else if constexpr (std::is_same_v<T, int64_t>) {
    atomicAdd(reinterpret_cast<unsigned long long*>(p), static_cast<unsigned long long>(v));
  } else {
    atomicAdd(p, v);  // int32, float, double, __half, __nv_bfloat16 (sm_80+)
  }
}

template <class T>
__global__ void accumulate_kernel(IndexedArgs a) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < a.numel;
       i += int64_t(gridDim.x) * blockDim.x) {
    int64_t dst_off, src_off;
    if (!offsets_of(a, i, dst_off, src_off)) continue;
    atomic_add_value<T>(static_cast<T*>(a.dst) + dst_off, source_value<T>(a, src_off));
  }
}

}  // namespace

void launch_indexed(const IndexedArgs& a, void* stream) {
  if (a.numel == 0) return;
  auto s = static_cast<cudaStream_t>(stream);
  const unsigned grid = grid_for(a.numel);
  if (a.mode == kIndexAccumulate) {
    switch (a.dtype) {
      case kBool: accumulate_kernel<bool><<<grid, kThreads, 0, s>>>(a); break;
      case kUInt8: accumulate_kernel<uint8_t><<<grid, kThreads, 0, s>>>(a); break;
      case kInt32: accumulate_kernel<int><<<grid, kThreads, 0, s>>>(a); break;
      case kInt64: accumulate_kernel<int64_t><<<grid, kThreads, 0, s>>>(a); break;
      case kFloat16: accumulate_kernel<__half><<<grid, kThreads, 0, s>>>(a); break;
      case kBFloat16: accumulate_kernel<__nv_bfloat16><<<grid, kThreads, 0, s>>>(a); break;
      case kFloat32: accumulate_kernel<float><<<grid, kThreads, 0, s>>>(a); break;
      default: accumulate_kernel<double><<<grid, kThreads, 0, s>>>(a); break;
    }
  } else {
    switch (a.dtype) {
      case kBool:
      case kUInt8: move_kernel<uint8_t><<<grid, kThreads, 0, s>>>(a); break;
      case kFloat16:
      case kBFloat16: move_kernel<uint16_t><<<grid, kThreads, 0, s>>>(a); break;
      case kInt32:
      case kFloat32: move_kernel<uint32_t><<<grid, kThreads, 0, s>>>(a); break;
      default: move_kernel<uint64_t><<<grid, kThreads, 0, s>>>(a); break;
    }
  }
  check_launch("indexing");
}

}  // namespace ember::cuda
