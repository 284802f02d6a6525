// randperm: exactly the CPU's permutation (core/cpu/random_kernels.cpp), computed in parallel.
//
// The CPU runs Fisher-Yates from the top: for i = n-1 .. 1, swap(a[i], a[J_i]) with J_i =
// bounded(64-bit draw i, i + 1) <= i. Each draw depends only on the stream and i, so all J_i
// are drawn at once; what is sequential is the swapping, which is replayed as follows (set
// J_0 = 0). Position i is final once iteration i has run, and it receives the value that
// stood at J_i just before. A position p changes before that only through iterations i'' > i
// with J_i'' = p, which move there the value their own position held, so
//   F(i)   = the value at position i just before iteration i
//          = F(m(i)) for m(i) = the smallest i'' > i with J_i'' = i, or i itself if none;
//   res[i] = F(next(i)) for next(i) = the smallest i'' > i with J_i'' = J_i, or J_i if none.
// Sorting the pairs (J_i, i) by J (a stable radix sort, so each group lists its i in
// increasing order) gives next() and m() from neighbours in one pass, and F follows the
// chains i -> m(i) (m(i) > i: at most n long) to their ends by pointer jumping, ceil(log2 n)
// rounds. Work O(n log n), all on the device, and the same numbers as the CPU's loop.
#include <cub/device/device_radix_sort.cuh>

#include <climits>

#include "core/cuda/device_math.cuh"
#include "core/cuda/randperm_steps.h"

namespace ember::cuda {
namespace {

#define EMBER_GRID_LOOP_(i_, n_)                                              \
  for (int64_t i_ = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i_ < (n_); \
       i_ += int64_t(gridDim.x) * blockDim.x)

// J_i beside i, and F's pointers reset to roots.
__global__ void draws_kernel(int64_t n, random::PhiloxStream s, int64_t* targets,
                             int64_t* iterations, int64_t* ptr) {
  EMBER_GRID_LOOP_(i, n) {
    targets[i] = randperm_steps::target(s, i);
    iterations[i] = i;
    ptr[i] = i;
  }
}

// From the pairs sorted by target: next(i), and m(p) for each target p (as ptr[p]).
__global__ void links_kernel(int64_t n, const int64_t* targets, const int64_t* iterations,
                             int64_t* next, int64_t* ptr) {
  EMBER_GRID_LOOP_(k, n) { randperm_steps::link(k, n, targets, iterations, next, ptr); }
}

__global__ void jump_kernel(int64_t n, const int64_t* in, int64_t* out) {
  EMBER_GRID_LOOP_(i, n) { out[i] = randperm_steps::jump(i, in); }
}

// J_i is read from the unsorted draws: res[i] = F(next(i)), or J_i where no later iteration
// aimed at the same slot.
__global__ void result_kernel(int64_t n, const int64_t* targets, const int64_t* next,
                              const int64_t* root, int64_t* out) {
  EMBER_GRID_LOOP_(i, n) { out[i] = randperm_steps::value(i, targets, next, root); }
}

#undef EMBER_GRID_LOOP_

constexpr size_t kAlign = 256;
size_t aligned(size_t b) { return (b + kAlign - 1) / kAlign * kAlign; }

// Bits the radix sort needs for targets in [0, n).
int key_bits(int64_t n) {
  int b = 1;
  while (b < 63 && (int64_t{1} << b) < n) ++b;
  return b;
}

// Workspace, in order: targets, iterations, sorted targets, sorted iterations, next, two
// pointer buffers (n int64 each), then CUB's temporary storage.
struct RandpermWorkspace {
  size_t array, cub_temp = 0;
  explicit RandpermWorkspace(int64_t n) : array(aligned(static_cast<size_t>(n) * sizeof(int64_t))) {
    cub::DeviceRadixSort::SortPairs<int64_t, int64_t>(nullptr, cub_temp, nullptr, nullptr,
                                                      nullptr, nullptr, static_cast<int>(n), 0,
                                                      key_bits(n));
  }
  size_t total() const { return 7 * array + cub_temp; }
};

void check_randperm_size(int64_t n) {
  if (n > INT_MAX) {
    throw std::runtime_error("[cuda] randperm: n = " + std::to_string(n) +
                             " above 2^31 - 1 is not supported yet");
  }
}

}  // namespace

size_t randperm_workspace_bytes(int64_t n) {
  check_randperm_size(n);
  return RandpermWorkspace(n).total();
}

void launch_randperm(int64_t* out, int64_t n, uint64_t seed, uint64_t offset, void* workspace,
                     void* stream) {
  if (n == 0) return;
  check_randperm_size(n);
  auto s = static_cast<cudaStream_t>(stream);
  const RandpermWorkspace w(n);
  auto* base = static_cast<char*>(workspace);
  auto array = [&](int k) { return reinterpret_cast<int64_t*>(base + k * w.array); };
  int64_t *targets = array(0), *iterations = array(1), *sorted_targets = array(2);
  int64_t *sorted_iterations = array(3), *next = array(4), *ptr = array(5), *ptr2 = array(6);
  void* cub_temp = base + 7 * w.array;
  const random::PhiloxStream st{seed, offset};
  draws_kernel<<<grid_for(n), kThreads, 0, s>>>(n, st, targets, iterations, ptr);
  check_launch("randperm draws");
  size_t temp_bytes = w.cub_temp;
  const cudaError_t err = cub::DeviceRadixSort::SortPairs<int64_t, int64_t>(
      cub_temp, temp_bytes, targets, sorted_targets, iterations, sorted_iterations,
      static_cast<int>(n), 0, key_bits(n), s);
  if (err != cudaSuccess) {
    throw std::runtime_error(std::string("[cuda] randperm: cub::DeviceRadixSort failed: ") +
                             cudaGetErrorString(err));
  }
  links_kernel<<<grid_for(n), kThreads, 0, s>>>(n, sorted_targets, sorted_iterations, next, ptr);
  check_launch("randperm links");
  // Chains are at most n long: after r rounds every pointer has jumped min(2^r, length) steps.
  int64_t* from = ptr;
  int64_t* to = ptr2;
  for (int64_t reach = 1; reach < n; reach *= 2) {
    jump_kernel<<<grid_for(n), kThreads, 0, s>>>(n, from, to);
    std::swap(from, to);
  }
  check_launch("randperm jumps");
  result_kernel<<<grid_for(n), kThreads, 0, s>>>(n, targets, next, from, out);
  check_launch("randperm result");
}

}  // namespace ember::cuda
