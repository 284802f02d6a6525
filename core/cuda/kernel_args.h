#pragma once
// The plain-data interface between the C++ glue (core/cuda/*.cpp, which sees Tensors and op
// classes) and the .cu kernels (which see only pointers, sizes and strides). Keeping the
// .cu side free of Ember's headers keeps nvcc fast and the kernels few: one strided kernel
// per dtype and arity, the op chosen by a code at run time (a uniform branch per warp).
#include <cstdint>

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
  kBitwiseOr, kBitwiseXor, kIsclose,
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


}  // namespace ember::cuda
