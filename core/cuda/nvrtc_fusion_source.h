#pragma once
// CUDA C source for a fused elementwise chain (trace/fused_kernels/fused_program.h), compiled
// at run time with NVRTC (nvrtc_compiler.h). One thread per output element (grid-stride):
// each input is read at its element's offset (dense: the linear index; broadcast: the index
// decomposed over the output's sizes times the input's strides, 0 along broadcast dims; a
// host scalar: a kernel parameter), the program runs in float registers with the math of
// the CPU interpreter, and the float32 result is stored densely.
#include <span>
#include <string>

#include "core/cuda/kernel_args.h"
#include "trace/fused_kernels/fused_program.h"

namespace ember::cuda {

constexpr int kFusedMaxInputs = 16;

// The kernel's one parameter. The generated source declares the same struct
// (fused_args_declaration()), so host and device agree on its layout.
struct FusedKernelArgs {
  void* out;
  const void* in[kFusedMaxInputs];
  float scalar[kFusedMaxInputs];
  long long n;
  long long sizes[kMaxDims];
  long long strides[kFusedMaxInputs][kMaxDims];
  int ndim;
};

// How input k is read: where (its offset) and as what (its storage type, converted to
// float as the CPU loop converts scalars; bool reads as 0 / 1).
enum class FusedInputKind { Dense, Strided, Scalar };
struct FusedInputDesc {
  FusedInputKind kind = FusedInputKind::Dense;
  DTypeCode dtype = kFloat32;  // any but float16 / bfloat16; unused for Scalar
};

inline constexpr const char* kFusedKernelName = "ember_fused";

std::string fused_args_declaration();
// The whole translation unit for `program` with inputs read as `inputs` describes. Raises
// ValueError when the program does not fit (more than kFusedMaxInputs inputs, an input
// count that does not match, an opcode without a CUDA form).
std::string fused_kernel_source(const trace::FusedProgram& program,
                                std::span<const FusedInputDesc> inputs);

}  // namespace ember::cuda
