#pragma once
// The plain-data interface between the C++ glue (core/cuda/*.cpp, which sees Tensors and op
// classes) and the .cu kernels (which see only pointers, sizes and strides). Keeping the
// .cu side free of Ember's headers keeps nvcc fast and the kernels few: one strided kernel
// per dtype and arity, the op chosen by a code at run time (a uniform branch per warp).
#include <cstdint>
#include <cstddef>

namespace ember::cuda {

// Same numbering as ember::DType.
enum DTypeCode : int { kBool, kUInt8, kInt32, kInt64, kFloat16, kBFloat16, kFloat32, kFloat64 };

constexpr int kMaxDims = 8;
constexpr int kMaxOperands = 4;  // output + up to 3 inputs

// Operand 0 is the output; all operands are indexed over the output's shape (broadcast
// inputs have stride 0). Strides are in elements. `contiguous`: every operand is dense
// row-major (or a scalar broadcast, stride 0 everywhere), so offset = i (or 0).
struct ElementwiseArgs {
  int ndim = 0;
  int num_operands = 0;
  int64_t numel = 0;
  int64_t sizes[kMaxDims] = {};
  int64_t strides[kMaxOperands][kMaxDims] = {};
  void* data[kMaxOperands] = {};
  int dtype[kMaxOperands] = {};
  bool dense[kMaxOperands] = {};  // offset = i for this operand
  bool all_dense = false;
  // A CPU scalar operand (a Python number) travels in the kernel's parameters, as the raw
  // bytes of its value in the operand's dtype: no host-to-device copy, no sync.
  bool is_scalar[kMaxOperands] = {};
  uint64_t scalar_bits[kMaxOperands] = {};
};

enum UnaryCode : int {
  kNeg, kAbs, kSquare, kSign, kFloor, kCeil, kRound, kTrunc, kExp, kExpm1, kLog, kLog1p, kSqrt,
  kRsqrt, kReciprocal, kSin, kCos, kTanh, kSigmoid, kErf, kIsnan, kIsinf, kIsfinite,
  kLogicalNot, kRelu, kGelu, kGeluTanh, kSilu, kSoftplus, kLeakyRelu, kElu, kHardtanh,
  kBitwiseNot, kPowScalar, kClamp,
};

enum BinaryCode : int {
  kAdd, kSub, kMul, kDiv, kFloorDivide, kTruncDivide, kRemainder, kFmod, kPow, kMaximum,
  kMinimum, kEq, kNe, kLt, kLe, kGt, kGe, kLogicalAnd, kLogicalOr, kLogicalXor, kBitwiseAnd,
  kBitwiseOr, kBitwiseXor, kIsclose, kAtan2,
};

// Scalar parameters of an op (slopes, bounds, exponents, tolerances).
struct OpParams {
  double p0 = 0, p1 = 0;
  bool has_p0 = false, has_p1 = false;  // clamp: which bounds are set; isclose: equal_nan
};

// ---- launchers (elementwise.cu). `stream` is a cudaStream_t. -----------------------------
// out (operand 0) = cast(in (operand 1)): any dtype pair, any strides.
void launch_copy(const ElementwiseArgs& a, void* stream);
// operand 0 = value, cast to its dtype.
void launch_fill(const ElementwiseArgs& a, double value, int64_t int_value, bool is_int,
                 void* stream);
// operand 0 = f(operand 1); operand 1 in the compute dtype, operand 0 in it or bool.
void launch_unary(int code, const OpParams& p, const ElementwiseArgs& a, void* stream);
// operand 0 = f(operand 1, operand 2); inputs in the compute dtype, output in it or bool.
void launch_binary(int code, const OpParams& p, const ElementwiseArgs& a, void* stream);
// operand 0 = operand 1 (bool) ? operand 2 : operand 3; all but the condition share a dtype.
void launch_where(const ElementwiseArgs& a, void* stream);

// ---- reductions (reduce.cu): the input is contiguous [rows, cols]; one result per row. ---
enum ReduceCode : int { kSum, kProd, kMax, kMin, kAll, kAny, kArgMax, kArgMin };
// out: [rows] in the input's dtype (kAll/kAny: bool; kArgMax/kArgMin: int64 indices, with
// the extreme values also written to `values` when it is not null).
void launch_reduce(int code, int dtype, const void* in, void* out, void* values, int64_t rows,
                   int64_t cols, void* stream);
// Row-wise softmax / log_softmax over contiguous [rows, cols].
void launch_softmax(bool log, int dtype, const void* in, void* out, int64_t rows, int64_t cols,
                    void* stream);

// ---- indexing (indexing.cu): one kernel for gather, scatter, index, index_put, one_hot. ----
constexpr int kMaxIndexTensors = kMaxDims;

enum IndexMode : int {
  kIndexRead,        // dst[pos] = src[pos + sum_k idx_k * step_k]  (indices address src)
  kIndexWrite,       // dst[pos + sum_k idx_k * step_k] = src[pos]  (indices address dst)
  kIndexAccumulate,  // dst[pos + ...] += src[pos], atomically (duplicate indices add up)
};

// The first out-of-range index a kernel met, written by the device into host-mapped memory
// (index_errors.h) and raised on the host at the next synchronization. op == 0: none.
struct DeviceIndexError {
  int op;  // index_error_code(op name)
  int dim;
  long long value;
  long long size;
};

// Iterates over `sizes` (row-major). Strides are in elements and may be negative. Index
// tensors are int64 on the device, read at their own strides over `sizes` (0 where they
// broadcast); the value found is checked against index_size (negatives wrap when
// wrap_negative), then multiplied by index_step.
struct IndexedArgs {
  int ndim = 0;
  int64_t numel = 0;
  int64_t sizes[kMaxDims] = {};
  int mode = kIndexRead;
  int dtype = 0;  // of dst and src (same dtype)
  void* dst = nullptr;
  int64_t dst_strides[kMaxDims] = {};
  const void* src = nullptr;  // ignored when src_is_scalar
  int64_t src_strides[kMaxDims] = {};
  bool src_is_scalar = false;
  uint64_t scalar_bits = 0;  // the value's bytes in `dtype`
  int num_indices = 0;
  const int64_t* index[kMaxIndexTensors] = {};
  int64_t index_strides[kMaxIndexTensors][kMaxDims] = {};
  int64_t index_size[kMaxIndexTensors] = {};
  int64_t index_step[kMaxIndexTensors] = {};
  int index_dim[kMaxIndexTensors] = {};  // the tensor dim it indexes (error messages)
  bool wrap_negative = true;      // -1 is the last element (Python indexing)
  bool skip_out_of_range = false;  // silently ignore (index_one_hot) instead of an error
  int error_code = 0;
  DeviceIndexError* error = nullptr;  // device-visible pointer
};
void launch_indexed(const IndexedArgs& a, void* stream);

// ---- random numbers (random.cu): the CPU's Philox layout (core/cpu/random_kernels.h). ----
enum RandomCode : int {
  kRandUniform,          // p0 = low, p1 = high
  kRandNormal,           // p0 = mean, p1 = std
  kRandExponential,      // p0 = lambd
  kRandInt,              // low, range (0: all 2^64 values)
  kRandBernoulli,        // p0 = p, or probs (float64, one per element) when not null
  kRandTruncatedNormal,  // p0 = mean, p1 = std, clamped to [lo, hi]; u on [cdf_lo, cdf_hi]
};
struct RandomArgs {
  int code = kRandUniform;
  int dtype = kFloat32;
  void* out = nullptr;  // contiguous
  int64_t numel = 0;
  uint64_t seed = 0, offset = 0;  // the op's Philox stream
  double p0 = 0, p1 = 0;
  int64_t low = 0;
  uint64_t range = 0;
  const double* probs = nullptr;
  // truncated normal: the bounds and erf of the standardized bounds (computed on the host
  // with glibc's erf, as the CPU does).
  double lo = 0, hi = 0, cdf_lo = 0, cdf_hi = 0;
};
void launch_random(const RandomArgs& a, void* stream);

// randperm (randperm.cu): the CPU's Fisher-Yates permutation of 0..n-1 for the stream,
// computed in parallel (see there), into contiguous int64 `out`. `workspace` holds
// randperm_workspace_bytes(n) bytes of device memory.
size_t randperm_workspace_bytes(int64_t n);
void launch_randperm(int64_t* out, int64_t n, uint64_t seed, uint64_t offset, void* workspace,
                     void* stream);

// multinomial (multinomial.cu): w contiguous float64 [rows, cats]; out contiguous int64
// [rows, k]. Checks every row first: status[r] (int32, device) gets a MultinomialStatus.
enum MultinomialStatus : int { kMultinomialOk, kMultinomialBadValue, kMultinomialZeroSum,
                               kMultinomialTooFew };
// Per row: validity, and (with replacement) the running sums into cdf [rows, cats] and the
// total into totals [rows].
void launch_multinomial_check(const double* w, int64_t rows, int64_t cats, int64_t k,
                              bool replacement, int* status, double* cdf, double* totals,
                              void* stream);
// With replacement: draw j of row r is 64-bit draw r * k + j, by inverse CDF.
void launch_multinomial_draws(const double* cdf, const double* totals, int64_t rows,
                              int64_t cats, int64_t k, uint64_t seed, uint64_t offset,
                              int64_t* out, void* stream);
// Without replacement: keys [rows, cats] = the exponential race's finishing times
// (-log1p(-u) / w; NaN for zero weights, which sorts last), for launch_sort to order.
void launch_multinomial_race_keys(const double* w, int64_t rows, int64_t cats, uint64_t seed,
                                  uint64_t offset, double* keys, void* stream);

// nonzero (nonzero.cu): x contiguous of any dtype with `numel` elements.
// flags[i] = x[i] != 0 (int64), then nonzero_count_into sums them into *count (device).
size_t nonzero_workspace_bytes(int64_t numel);
void launch_nonzero_count(int dtype, const void* x, int64_t numel, int64_t* count,
                          void* workspace, void* stream);
// out [count, ndim] int64 contiguous: the coordinates (sizes) of each nonzero, in row-major
// order. Uses the same workspace (recomputes the flags and their exclusive scan).
void launch_nonzero_coords(int dtype, const void* x, int64_t numel, int ndim,
                           const int64_t* sizes, int64_t* out, void* workspace, void* stream);

// ---- fused optimizer updates (optim_update.cu): one kernel per parameter. ---------------
struct OptimParams {
  double alpha = 0, beta = 0;  // axpby: out = alpha * y + beta * x (x * x with square_x)
  bool square_x = false;
  // adam: out = p * decay - step_size * m / (sqrt(v) / bc2_sqrt + eps)
  double decay = 1, step_size = 0, bc2_sqrt = 1, eps = 0;
  // adam with its step count on the device (a fused optimizer's state, so a captured CUDA
  // graph reads each replay's count): the kernel derives step_size = lr / (1 - beta1^step)
  // and bc2_sqrt = sqrt(1 - beta2^step) from *step instead of taking them from the host.
  const double* step = nullptr;
  double lr = 0, beta1 = 0, beta2 = 0;
};
// Operands (out, y, x), all of out's floating dtype; out may alias y.
void launch_axpby(const OptimParams& p, const ElementwiseArgs& a, void* stream);
// Operands (out, param, exp_avg, second moment); out may alias param.
void launch_adam_update(const OptimParams& p, const ElementwiseArgs& a, void* stream);

// ---- row statistics and scans (row_stats.cu, scan.cu) -----------------------------------
enum RowStatCode : int {
  kStatVar,        // param = correction
  kStatStd,        // param = correction
  kStatLogSumExp,
  kStatNorm,       // param = p (0, 1, 2, +-inf or any other)
};
// Contiguous [rows, cols] input of dtype in_dtype (a compute dtype: int64 or a float); one
// result per row, computed in double and stored in out_dtype.
void launch_row_stat(int code, double param, int in_dtype, const void* in, int out_dtype,
                     void* out, int64_t rows, int64_t cols, void* stream);
// Contiguous [outer, n, inner] scan along n (sum or product), accumulating in double
// (floats) or int64 (integers) as the CPU does; dtype is a compute dtype of in and out.
void launch_scan(bool prod, int dtype, const void* in, void* out, int64_t outer, int64_t n,
                 int64_t inner, bool exclusive, bool reverse, void* stream);

// ---- backward helpers (reduce_grads.cu) ---------------------------------------------------
// norm_backward: operands (out, x, norm broadcast to x), one floating dtype; p the norm's p.
void launch_norm_grad(double p, const ElementwiseArgs& a, void* stream);
// cumprod_backward: g, x and gx contiguous [outer, n, inner] of one floating dtype.
void launch_cumprod_grad(int dtype, const void* g, const void* x, void* gx, int64_t outer,
                         int64_t n, int64_t inner, bool exclusive, bool reverse, void* stream);

// ---- normalization moments (normalize_moments.cu): x contiguous [a, c, b]; per channel ch,
// mean and biased var over (a, b) in double, then y = (x - mean) / sqrt(var + eps), scaled and
// shifted by weight / bias (null: none) indexed by ch (per_channel) or by the b position.
void launch_normalize_moments(int dtype, const void* x, void* y, void* mean, void* var,
                              const void* weight, const void* bias, bool per_channel,
                              int64_t a, int64_t c, int64_t b, double eps, void* stream);

// ---- sorting (sort.cu): x contiguous [outer, n, inner] of any dtype; values / indices
// contiguous [outer, keep, inner] get the first `keep` of each line in the CPU's stable order
// (NaN last ascending, first descending). The workspace (sort_workspace_bytes, device
// memory) holds the keys, positions and CUB's temporary storage.
size_t sort_workspace_bytes(int dtype, int64_t outer, int64_t n, int64_t inner);
void launch_sort(int dtype, const void* in, void* values, int64_t* indices, int64_t outer,
                 int64_t n, int64_t inner, int64_t keep, bool descending, void* workspace,
                 void* stream);

// ---- creation (creation.cu): the CPU's formulas, element by element (strides in elements).
// arange: integers compute start_int + i * step_int, floats start + i * step in double.
void launch_arange(int dtype, void* out, int64_t n, int64_t stride, int64_t start_int,
                   int64_t step_int, double start, double step, void* stream);
void launch_linspace(int dtype, void* out, int64_t steps, int64_t stride, double start,
                     double end, void* stream);
// logspace: base ** (linspace's point), pow in the linspace arithmetic type.
void launch_logspace(int dtype, void* out, int64_t steps, int64_t stride, double start,
                     double end, double base, void* stream);
void launch_eye(int dtype, void* out, int64_t n, int64_t m, int64_t s0, int64_t s1,
                void* stream);
// tril / triu of contiguous in / out (total elements, matrices [rows, cols]), by item size.
void launch_tri(int itemsize, const void* in, void* out, int64_t total, int64_t rows,
                int64_t cols, int64_t diagonal, bool upper, void* stream);

}  // namespace ember::cuda
