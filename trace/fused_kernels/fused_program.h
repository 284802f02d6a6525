#pragma once
// FusedProgram: a FusedElementwiseOp's chain compiled to a small register program over
// float32 tiles, run by a vectorized (Highway, run-time dispatched) interpreter: the
// register-level one (fused_block_hwy.cpp: the whole chain per block of vectors) where the
// SIMD target allows, else the per-op tile one (fused_tile_hwy.cpp).
//
// Registers [0, num_inputs) are the fused op's inputs; register num_inputs + k is step k's
// result. Every register holds float32 lanes; bool values (comparisons, masks) are held as
// 0.0 / 1.0, which is what eager produces when a bool tensor meets a float one. A chain
// compiles only when every step is a known op whose result is float32 or bool and the last
// result is float32; otherwise (and for inputs the driver cannot tile) the op falls back to
// running member kernels.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/tensor.h"

namespace ember::trace {

struct FusedStep;

enum class FusedOpcode : uint8_t {
  // unary
  Copy, Neg, Abs, Relu, Exp, Expm1, Log, Log1p, Tanh, Sigmoid, Silu, Sqrt, Rsqrt,
  Reciprocal, Square, NotZero, LogicalNot,
  // binary
  Add, Sub, Mul, Div, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge, LogicalAnd, LogicalOr,
  Atan2,  // eager's float32 kernel itself (core/ops/atan2_op.h), called per tile or block
  // ternary
  Where,
  // one-element (scalar) programs only
  Pow,
};

struct FusedInstr {
  FusedOpcode code;
  int32_t dst;     // register written
  int32_t a, b, c;  // operand registers (-1: unused)
};

// Register-level form of a vector program (fused_block_hwy.cpp): the whole chain runs on a
// block of a few SIMD vectors at a time. The previous instruction's result stays in vector
// registers (Acc); a result read later than by the next instruction is also stored to a
// small per-thread slot (Slot), which stays in L1.
enum class FusedSource : uint8_t { Acc, Slot, Input, Scalar };

struct FusedOperand {
  FusedSource src = FusedSource::Acc;
  int16_t index = -1;  // slot or input number
};

struct FusedBlockInstr {
  FusedOpcode code;
  FusedOperand a, b, c;  // unused operands: Acc
  int16_t spill = -1;    // slot that keeps this result for a later reader; -1: none
};

struct FusedProgram {
  int num_inputs = 0;
  std::vector<FusedInstr> code;
  // The same program for the register-level interpreter; inputs are all FusedSource::Input
  // here (the driver turns one-value inputs into Scalar per call).
  std::vector<FusedBlockInstr> block_code;
  int num_block_slots = 0;
  // Step registers share scratch buffers once dead: slot_of[r - num_inputs] is the buffer.
  std::vector<int> slot_of;
  int num_slots = 0;
  std::vector<DType> step_dtype;  // scalar programs: each result is rounded to its dtype
};

// nullopt when some step has no vectorized form (the caller runs the chain op by op).
std::optional<FusedProgram> compile_fused_program(int num_inputs,
                                                  const std::vector<FusedStep>& steps);

// Runs `program` over inputs into `out` (float32, contiguous). Returns false, touching
// nothing, when an input is neither a float32 tensor of out's shape, a contiguous float32
// tensor broadcast along leading dims (a bias row), nor a one-element tensor.
bool run_fused_program(const FusedProgram& program, std::span<const Tensor> inputs, Tensor& out);

// One-element chains (optimizer scalars such as bias corrections, often float64) run as a
// plain double-precision loop, each result rounded to its step's dtype. nullopt when a step
// is not a known op or not float32 / float64 / bool.
std::optional<FusedProgram> compile_scalar_program(int num_inputs, const std::vector<FusedStep>& steps);
// Returns false, touching nothing, unless every input and `out` hold one element on CPU.
bool run_scalar_program(const FusedProgram& program, std::span<const Tensor> inputs, Tensor& out);

// The vectorized tile kernel (fused_tile_hwy.cpp): runs `code` over `len` lanes, where
// regs[r] points at register r's `len` floats; len is a multiple of kFusedLaneMultiple.
inline constexpr int64_t kFusedLaneMultiple = 64;
void run_fused_tile(const FusedInstr* code, size_t num_instr, float* const* regs, size_t len);

// The register-level kernel (fused_block_hwy.cpp): runs `code` over `len` lanes (a multiple
// of kFusedLaneMultiple, which is also the block size at most) keeping intermediates in
// vector registers. inputs[i]: input i's `len` floats (unused for Scalar operands, which
// read scalars[i]); slots: num_block_slots * kFusedLaneMultiple floats of scratch.
void run_fused_blocks(const FusedBlockInstr* code, size_t num_instr, const float* const* inputs,
                      const float* scalars, float* slots, float* out, size_t len);
// False on SIMD targets whose vectors cannot be held in arrays (SVE, RVV): use run_fused_tile.
bool fused_blocks_supported();

}  // namespace ember::trace
