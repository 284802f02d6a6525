// The NVRTC fusion path on the host: generated sources for fused programs compile to PTX and
// to a CUBIN (NVRTC needs no GPU), the kernel parameter layout matches on both sides, and
// bad programs raise. The launch itself is checked against the CPU loop in
// tests/python/test_cuda_dnn.py (GPU only).
#include <gtest/gtest.h>

#include "core/cuda/nvrtc_compiler.h"
#include "core/cuda/nvrtc_fusion_source.h"
#include "core/error.h"

namespace ember::cuda {
namespace {

using trace::FusedInstr;
using trace::FusedOpcode;
using trace::FusedProgram;

constexpr NvrtcTarget kPtx{90, false};

// A program applying `code` to inputs 0.. (arity of the opcode), one step.
FusedProgram one_op(FusedOpcode code, int arity) {
  FusedProgram p;
  p.num_inputs = arity;
  p.code.push_back({code, arity, 0, arity > 1 ? 1 : -1, arity > 2 ? 2 : -1});
  return p;
}

std::vector<FusedInputDesc> dense(int n) { return std::vector<FusedInputDesc>(n); }

void expect_compiles(const FusedProgram& p, std::span<const FusedInputDesc> in) {
  const std::string src = fused_kernel_source(p, in);
  const std::string ptx = nvrtc_compile(src, kPtx, "test");
  EXPECT_NE(ptx.find(".entry ember_fused"), std::string::npos) << src;
}

TEST(NvrtcFusion, EveryOpcodeCompiles) {
  using O = FusedOpcode;
  const std::pair<O, int> all[] = {
      {O::Copy, 1}, {O::Neg, 1}, {O::Abs, 1}, {O::Relu, 1}, {O::Exp, 1}, {O::Expm1, 1},
      {O::Log, 1}, {O::Log1p, 1}, {O::Tanh, 1}, {O::Sigmoid, 1}, {O::Silu, 1}, {O::Sqrt, 1},
      {O::Rsqrt, 1}, {O::Reciprocal, 1}, {O::Square, 1}, {O::NotZero, 1}, {O::LogicalNot, 1},
      {O::Add, 2}, {O::Sub, 2}, {O::Mul, 2}, {O::Div, 2}, {O::Maximum, 2}, {O::Minimum, 2},
      {O::Eq, 2}, {O::Ne, 2}, {O::Lt, 2}, {O::Le, 2}, {O::Gt, 2}, {O::Ge, 2},
      {O::LogicalAnd, 2}, {O::LogicalOr, 2}, {O::Where, 3}, {O::Pow, 2}};
  for (auto [code, arity] : all) {
    SCOPED_TRACE(static_cast<int>(code));
    const FusedProgram p = one_op(code, arity);
    expect_compiles(p, dense(arity));
  }
}

// sigmoid(x * w + b) > 0.5 ? x : relu(b), with w a broadcast row, b a host scalar and a bool
// mask input: every input kind in one kernel.
TEST(NvrtcFusion, ChainWithBroadcastScalarAndBoolInputs) {
  using O = FusedOpcode;
  FusedProgram p;
  p.num_inputs = 4;  // x (dense), w (strided), b (scalar), mask (bool, strided)
  p.code = {{O::Mul, 4, 0, 1, -1},     {O::Add, 5, 4, 2, -1},  {O::Sigmoid, 6, 5, -1, -1},
            {O::Gt, 7, 6, 2, -1},      {O::LogicalAnd, 8, 7, 3, -1},
            {O::Relu, 9, 2, -1, -1},   {O::Where, 10, 8, 0, 9}};
  std::vector<FusedInputDesc> in(4);
  in[1].kind = FusedInputKind::Strided;
  in[2].kind = FusedInputKind::Scalar;
  in[3].kind = FusedInputKind::Strided;
  in[3].dtype = kBool;
  const std::string src = fused_kernel_source(p, in);
  // One shared index decomposition feeds both strided inputs; the scalar is a parameter.
  EXPECT_NE(src.find("off1 += c * a.strides[1][d]"), std::string::npos) << src;
  EXPECT_NE(src.find("off3 += c * a.strides[3][d]"), std::string::npos) << src;
  EXPECT_NE(src.find("a.scalar[2]"), std::string::npos) << src;
  EXPECT_NE(src.find("(const unsigned char*)a.in[3]"), std::string::npos) << src;
  EXPECT_EQ(src.find("off0"), std::string::npos) << "dense input needs no offset\n" << src;
  expect_compiles(p, in);
}

// Inputs of other storage types (a float64 or int64 0-dim constant on the device, int masks)
// read as float, as the CPU loop reads scalars.
TEST(NvrtcFusion, InputsOfEveryStorageTypeCompile) {
  FusedProgram p;
  p.num_inputs = 5;
  p.code = {{FusedOpcode::Add, 5, 0, 1, -1}, {FusedOpcode::Mul, 6, 5, 2, -1},
            {FusedOpcode::Sub, 7, 6, 3, -1}, {FusedOpcode::Where, 8, 4, 7, 0}};
  std::vector<FusedInputDesc> in(5);
  in[1].dtype = kFloat64;
  in[1].kind = FusedInputKind::Strided;
  in[2].dtype = kInt64;
  in[3].dtype = kInt32;
  in[4].dtype = kUInt8;
  const std::string src = fused_kernel_source(p, in);
  EXPECT_NE(src.find("(float)((const double*)a.in[1])[off1]"), std::string::npos) << src;
  EXPECT_NE(src.find("(const long long*)a.in[2]"), std::string::npos) << src;
  expect_compiles(p, in);
  in[4].dtype = kFloat16;  // no 16-bit loads: the kernel driver runs such chains op by op
  EXPECT_THROW(fused_kernel_source(p, in), ValueError);
}

TEST(NvrtcFusion, LongUnaryChainCompilesToCubin) {
  using O = FusedOpcode;
  FusedProgram p;
  p.num_inputs = 1;
  const O chain[] = {O::Exp, O::Log1p, O::Tanh, O::Square, O::Sqrt, O::Neg, O::Abs, O::Rsqrt};
  int r = 0;
  for (O c : chain) {
    p.code.push_back({c, r + 1, r, -1, -1});
    ++r;
  }
  const std::string cubin = nvrtc_compile(fused_kernel_source(p, dense(1)), {90, true}, "test");
  ASSERT_GE(cubin.size(), 4u);
  EXPECT_EQ(cubin.substr(0, 4), std::string("\x7f" "ELF"));
}

// The generated struct must have the host struct's layout, or the kernel reads garbage. The
// declaration is the same text on both sides, so equal member sizes and alignments give
// equal offsets (NVRTC has no offsetof).
TEST(NvrtcFusion, ArgsLayoutMatchesHost) {
  std::string src = fused_args_declaration();
  FusedKernelArgs* h = nullptr;
  auto check = [&](const char* field, size_t size) {
    src += "static_assert(sizeof(((FusedKernelArgs*)0)->" + std::string(field) + ") == " +
           std::to_string(size) + ", \"" + field + "\");\n";
  };
  check("out", sizeof(h->out));
  check("in", sizeof(h->in));
  check("scalar", sizeof(h->scalar));
  check("n", sizeof(h->n));
  check("sizes", sizeof(h->sizes));
  check("strides", sizeof(h->strides));
  check("ndim", sizeof(h->ndim));
  src += "static_assert(sizeof(FusedKernelArgs) == " + std::to_string(sizeof(FusedKernelArgs)) +
         " && alignof(FusedKernelArgs) == " + std::to_string(alignof(FusedKernelArgs)) +
         ", \"size\");\n";
  EXPECT_NO_THROW(nvrtc_compile(src, kPtx, "layout"));
  // And a mismatch is caught: the check is not vacuous.
  EXPECT_THROW(nvrtc_compile(fused_args_declaration() +
                                 "static_assert(sizeof(FusedKernelArgs) == 8, \"size\");\n",
                             kPtx, "layout"),
               Error);
}

TEST(NvrtcFusion, BadProgramsRaise) {
  const FusedProgram p = one_op(FusedOpcode::Add, 2);
  EXPECT_THROW(fused_kernel_source(p, dense(1)), ValueError);  // input count mismatch
  FusedProgram wide;
  wide.num_inputs = kFusedMaxInputs + 1;
  wide.code.push_back({FusedOpcode::Copy, wide.num_inputs, 0, -1, -1});
  EXPECT_THROW(fused_kernel_source(wide, dense(wide.num_inputs)), ValueError);
  FusedProgram empty;
  EXPECT_THROW(fused_kernel_source(empty, {}), ValueError);
}

TEST(NvrtcFusion, CompileErrorsCarryTheLog) {
  try {
    nvrtc_compile("extern \"C\" __global__ void k() { undeclared_name(); }", kPtx, "broken");
    FAIL() << "expected a compile error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("[broken]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("undeclared_name"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace ember::cuda
