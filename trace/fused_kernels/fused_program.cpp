#include "trace/fused_kernels/fused_program.h"

#include <absl/container/flat_hash_map.h>
#include <absl/container/inlined_vector.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/cpu/copy.h"
#include "core/cpu/parallel.h"
#include "core/ops/atan2_op.h"
#include "trace/fused_elementwise.h"

namespace ember::trace {
namespace {

// Elements per tile: a few registers of this size stay in L1.
constexpr int64_t kTile = 2048;
static_assert(kTile % kFusedLaneMultiple == 0);

struct OpcodeInfo {
  FusedOpcode code;
  int arity;
  bool bool_result;  // the op yields a bool (held as 0/1)
};

const absl::flat_hash_map<std::string_view, OpcodeInfo>& opcode_table() {
  using O = FusedOpcode;
  static const absl::flat_hash_map<std::string_view, OpcodeInfo> table = {
      {"neg", {O::Neg, 1, false}},        {"abs", {O::Abs, 1, false}},
      {"relu", {O::Relu, 1, false}},      {"exp", {O::Exp, 1, false}},
      {"expm1", {O::Expm1, 1, false}},    {"log", {O::Log, 1, false}},
      {"log1p", {O::Log1p, 1, false}},    {"tanh", {O::Tanh, 1, false}},
      {"sigmoid", {O::Sigmoid, 1, false}}, {"silu", {O::Silu, 1, false}},
      {"sqrt", {O::Sqrt, 1, false}},      {"rsqrt", {O::Rsqrt, 1, false}},
      {"reciprocal", {O::Reciprocal, 1, false}}, {"square", {O::Square, 1, false}},
      {"logical_not", {O::LogicalNot, 1, true}},
      {"add", {O::Add, 2, false}},        {"sub", {O::Sub, 2, false}},
      {"mul", {O::Mul, 2, false}},        {"div", {O::Div, 2, false}},
      {"maximum", {O::Maximum, 2, false}}, {"minimum", {O::Minimum, 2, false}},
      {"eq", {O::Eq, 2, true}},           {"ne", {O::Ne, 2, true}},
      {"lt", {O::Lt, 2, true}},           {"le", {O::Le, 2, true}},
      {"gt", {O::Gt, 2, true}},           {"ge", {O::Ge, 2, true}},
      {"logical_and", {O::LogicalAnd, 2, true}}, {"logical_or", {O::LogicalOr, 2, true}},
      {"atan2", {O::Atan2, 2, false}},
      {"where", {O::Where, 3, false}},
  };
  return table;
}

}  // namespace

namespace {

// The instructions for `steps`; `scalar`: for compile_scalar_program (float64 and pow too).
std::optional<FusedProgram> compile_steps(int num_inputs, const std::vector<FusedStep>& steps,
                                          bool scalar) {
  FusedProgram p;
  p.num_inputs = num_inputs;
  if (steps.empty()) return std::nullopt;
  for (size_t k = 0; k < steps.size(); ++k) {
    const FusedStep& s = steps[k];
    const DType dt = s.meta.dtype;
    if (dt != DType::Float32 && dt != DType::Bool && !(scalar && dt == DType::Float64)) return std::nullopt;
    p.step_dtype.push_back(dt);
    const std::string_view name = s.op->name();
    FusedInstr in{FusedOpcode::Copy, num_inputs + static_cast<int32_t>(k), -1, -1, -1};
    if (scalar && name == "pow" && s.operands.size() == 2 && dt != DType::Bool) {
      in.code = FusedOpcode::Pow;
    } else if (name == "cast") {
      // float32 <- float32 or bool (0/1): the value as held; bool <- float32: x != 0.
      if (s.operands.size() != 1) return std::nullopt;
      in.code = dt == DType::Bool ? FusedOpcode::NotZero : FusedOpcode::Copy;
    } else {
      auto it = opcode_table().find(name);
      if (it == opcode_table().end()) return std::nullopt;
      const OpcodeInfo& info = it->second;
      // Arithmetic on bools (add as "or", ...) keeps integer semantics: not vectorized here.
      if (static_cast<int>(s.operands.size()) != info.arity || info.bool_result != (dt == DType::Bool)) {
        return std::nullopt;
      }
      Attrs attrs;
      s.op->attributes(attrs);
      if (!attrs.items().empty()) return std::nullopt;  // an attribute we do not model
      in.code = info.code;
    }
    int32_t* operand[] = {&in.a, &in.b, &in.c};  // arity <= 3, checked above
    for (size_t i = 0; i < s.operands.size(); ++i) *operand[i] = s.operands[i];
    p.code.push_back(in);
  }
  return p;
}

}  // namespace

std::optional<FusedProgram> compile_scalar_program(int num_inputs, const std::vector<FusedStep>& steps) {
  return compile_steps(num_inputs, steps, /*scalar=*/true);
}

namespace {

// The register-level form of p.code: operands from the previous instruction become Acc,
// older step results are spilled to slots (shared once dead, as for the tile buffers).
void compile_block_code(FusedProgram& p) {
  const int n_in = p.num_inputs, n_steps = static_cast<int>(p.code.size());
  p.block_code.clear();
  p.num_block_slots = 0;
  if (n_in + n_steps > INT16_MAX) return;  // operand indices are int16: tile kernel only
  // last_late_read[s]: the last instruction after s + 1 that reads step s (-1: none; such a
  // step needs a slot).
  std::vector<int> last_late_read(n_steps, -1);
  for (int k = 0; k < n_steps; ++k) {
    for (int32_t r : {p.code[k].a, p.code[k].b, p.code[k].c}) {
      if (r >= n_in && r - n_in < k - 1) last_late_read[r - n_in] = k;
    }
  }
  std::vector<int> slot(n_steps, -1), free_slots;
  for (int k = 0; k < n_steps; ++k) {
    const FusedInstr& in = p.code[k];
    FusedBlockInstr b{in.code, {}, {}, {}, -1};
    FusedOperand* operand[] = {&b.a, &b.b, &b.c};
    const int32_t regs[] = {in.a, in.b, in.c};
    for (int i = 0; i < 3; ++i) {
      const int32_t r = regs[i];
      if (r < 0) continue;
      if (r < n_in) {
        *operand[i] = {FusedSource::Input, static_cast<int16_t>(r)};
      } else if (r - n_in == k - 1) {
        *operand[i] = {FusedSource::Acc, -1};
      } else {
        *operand[i] = {FusedSource::Slot, static_cast<int16_t>(slot[r - n_in])};
      }
    }
    // Slots whose last reader is k are free for k's own result: the block reads every
    // operand before it stores the result.
    for (int32_t r : regs) {
      if (r >= n_in && last_late_read[r - n_in] == k) {
        free_slots.push_back(slot[r - n_in]);
        last_late_read[r - n_in] = -2;  // freed once
      }
    }
    if (last_late_read[k] >= 0) {
      if (free_slots.empty()) {
        slot[k] = p.num_block_slots++;
      } else {
        slot[k] = free_slots.back();
        free_slots.pop_back();
      }
      b.spill = static_cast<int16_t>(slot[k]);
    }
    p.block_code.push_back(b);
  }
}

}  // namespace

std::optional<FusedProgram> compile_fused_program(int num_inputs,
                                                  const std::vector<FusedStep>& steps) {
  if (steps.empty() || steps.back().meta.dtype != DType::Float32) return std::nullopt;
  std::optional<FusedProgram> compiled = compile_steps(num_inputs, steps, /*scalar=*/false);
  if (!compiled) return std::nullopt;
  FusedProgram& p = *compiled;
  // Scratch slots by liveness: a step's buffer is free again after its last reader.
  const int n_steps = static_cast<int>(steps.size());
  std::vector<int> last_read(n_steps, -1);
  for (int k = 0; k < n_steps; ++k) {
    for (int32_t r : {p.code[k].a, p.code[k].b, p.code[k].c}) {
      if (r >= num_inputs) last_read[r - num_inputs] = k;
    }
  }
  std::vector<int> free_slots;
  p.slot_of.assign(n_steps, -1);
  for (int k = 0; k < n_steps; ++k) {
    if (k + 1 < n_steps) {  // the last step writes the output directly
      if (free_slots.empty()) {
        p.slot_of[k] = p.num_slots++;
      } else {
        p.slot_of[k] = free_slots.back();
        free_slots.pop_back();
      }
    }
    // Operands read for the last time by step k free their slots for the steps after k
    // (a step never writes a slot it reads in the same step: slots are taken above first).
    for (int32_t r : {p.code[k].a, p.code[k].b, p.code[k].c}) {
      if (r >= num_inputs && last_read[r - num_inputs] == k && p.slot_of[r - num_inputs] >= 0) {
        free_slots.push_back(p.slot_of[r - num_inputs]);
        last_read[r - num_inputs] = -2;  // freed once
      }
    }
  }
  compile_block_code(p);
  return compiled;
}

namespace {

double eval_scalar(FusedOpcode code, double a, double b, double c) {
  using O = FusedOpcode;
  switch (code) {
    case O::Copy: return a;
    case O::Neg: return -a;
    case O::Abs: return std::fabs(a);
    case O::Relu: return a < 0 ? 0.0 : a;
    case O::Exp: return std::exp(a);
    case O::Expm1: return std::expm1(a);
    case O::Log: return std::log(a);
    case O::Log1p: return std::log1p(a);
    case O::Tanh: return std::tanh(a);
    case O::Sigmoid: return 1.0 / (1.0 + std::exp(-a));
    case O::Silu: return a / (1.0 + std::exp(-a));
    case O::Sqrt: return std::sqrt(a);
    case O::Rsqrt: return 1.0 / std::sqrt(a);
    case O::Reciprocal: return 1.0 / a;
    case O::Square: return a * a;
    case O::NotZero: return a != 0 ? 1.0 : 0.0;
    case O::LogicalNot: return a == 0 ? 1.0 : 0.0;
    case O::Add: return a + b;
    case O::Sub: return a - b;
    case O::Mul: return a * b;
    case O::Div: return a / b;
    case O::Maximum: return std::isnan(a) ? a : (a > b ? a : b);
    case O::Minimum: return std::isnan(a) ? a : (a < b ? a : b);
    case O::Eq: return a == b;
    case O::Ne: return a != b;
    case O::Lt: return a < b;
    case O::Le: return a <= b;
    case O::Gt: return a > b;
    case O::Ge: return a >= b;
    case O::LogicalAnd: return (a != 0) && (b != 0);
    case O::LogicalOr: return (a != 0) || (b != 0);
    case O::Atan2: return std::atan2(a, b);
    case O::Where: return a != 0 ? b : c;
    case O::Pow: return std::pow(a, b);
  }
  return 0;
}

}  // namespace

bool run_scalar_program(const FusedProgram& p, std::span<const Tensor> inputs, Tensor& out) {
  if (out.numel() != 1 || !out.device().is_cpu() || static_cast<int>(inputs.size()) != p.num_inputs) {
    return false;
  }
  if (out.dtype() != DType::Float32 && out.dtype() != DType::Float64) return false;
  absl::InlinedVector<double, 16> regs;
  for (const Tensor& t : inputs) {
    if (t.numel() != 1 || !t.device().is_cpu()) return false;
    regs.push_back(read_as_double(t, 0));
  }
  for (size_t k = 0; k < p.code.size(); ++k) {
    const FusedInstr& in = p.code[k];
    const bool f32 = p.step_dtype[k] == DType::Float32;
    double r;
    if (f32 && in.code == FusedOpcode::Atan2) {  // eager's float kernel, not libm's
      r = scalar_math::atan2f_poly(static_cast<float>(regs[in.a]), static_cast<float>(regs[in.b]));
    } else {
      r = eval_scalar(in.code, regs[in.a], in.b >= 0 ? regs[in.b] : 0.0, in.c >= 0 ? regs[in.c] : 0.0);
    }
    if (f32) r = static_cast<float>(r);  // as eager rounds
    regs.push_back(r);
  }
  if (out.dtype() == DType::Float32) {
    *out.data<float>() = static_cast<float>(regs.back());
  } else {
    *out.data<double>() = regs.back();
  }
  return true;
}

namespace {

// How an input covers the output: element for element (Full); repeating its whole data
// (Periodic: broadcast along leading dims, a bias); each element repeated over a block
// (Blocked: broadcast along trailing dims, a per-row value [rows, 1]); one value (Scalar).
enum class InputKind : uint8_t { Full, Periodic, Blocked, Scalar };

// For an input of shape `ts` broadcast along trailing dims to `os` ([r..., 1, 1] against
// [r..., a, b]): how many output elements share one input element; 0 if not that form.
int64_t block_of(const Shape& ts, const Shape& os) {
  if (ts.size() != os.size()) return 0;
  size_t r = ts.size();
  while (r > 0 && ts[r - 1] == 1) --r;
  int64_t block = 1;
  for (size_t d = 0; d < os.size(); ++d) {
    if (d < r && ts[d] != os[d]) return 0;
    if (d >= r) block *= os[d];
  }
  return block;
}

// One thread's buffers for running tiles of a program: staged inputs (broadcast ones, a
// partial last tile's) and either the register-level kernel's slots or the tile kernel's
// step buffers. Kept per thread across calls (not zeroed).
class TileRunner {
 public:
  TileRunner(const FusedProgram& p, int64_t tile_cap, bool blocks)
      : p_(p), cap_(tile_cap), inputs_(p.num_inputs), scalars_(p.num_inputs, 0.f) {
    // Layout: [input staging x num_inputs][staged out][slots or step buffers].
    const int64_t scratch = blocks ? p.num_block_slots * kFusedLaneMultiple : p.num_slots * cap_;
    const size_t need = static_cast<size_t>((p.num_inputs + 1) * cap_ + scratch);
    thread_local std::vector<float> buf;
    if (buf.size() < need) buf.resize(need);
    base_ = buf.data();
  }

  float* staged_out() { return buffer(p_.num_inputs); }

  // Points inputs_[i] at input i's `len` values from element b on, staging a copy where the
  // data is not contiguous there (broadcast) or the tile is partial (vectors must not read
  // past the end). One-value inputs go to scalars_.
  void stage_inputs(std::span<const Tensor> inputs, std::span<const InputKind> kind,
                    std::span<const int64_t> period, std::span<const float> scalar, int64_t b, int64_t len) {
    const bool partial = len % kFusedLaneMultiple != 0;
    for (int i = 0; i < p_.num_inputs; ++i) {
      float* staging = buffer(i);
      if (kind[i] == InputKind::Scalar) {
        scalars_[i] = scalar[i];
        inputs_[i] = nullptr;
      } else if (kind[i] == InputKind::Full) {
        const float* src = inputs[i].data<float>() + b;
        if (partial) {
          std::memcpy(staging, src, len * sizeof(float));
          inputs_[i] = staging;
        } else {
          inputs_[i] = src;
        }
      } else if (kind[i] == InputKind::Blocked) {
        const float* src = inputs[i].data<float>();
        const int64_t block = period[i];
        // Runs of one value each (one division per tile, not per element).
        for (int64_t j = 0, row = b / block, pos = b % block; j < len; ++row, pos = 0) {
          const int64_t take = std::min(len - j, block - pos);
          std::fill_n(staging + j, take, src[row]);
          j += take;
        }
        inputs_[i] = staging;
      } else {
        const float* src = inputs[i].data<float>();
        const int64_t per = period[i];
        for (int64_t j = 0, pos = b % per; j < len;) {
          const int64_t take = std::min(len - j, per - pos);
          std::memcpy(staging + j, src + pos, take * sizeof(float));
          j += take;
          pos = 0;
        }
        inputs_[i] = staging;
      }
    }
  }

  void run_blocks(std::span<const FusedBlockInstr> code, float* dst, int64_t len) {
    run_fused_blocks(code.data(), code.size(), inputs_.data(), scalars_.data(), scratch(), dst,
                     static_cast<size_t>(round_up(len)));
  }

  // The per-op tile kernel reads every register from memory: scalars are filled out.
  void run_tile(float* dst, int64_t len) {
    const int n_regs = p_.num_inputs + static_cast<int>(p_.code.size());
    absl::InlinedVector<float*, 16> regs(n_regs);
    for (int i = 0; i < p_.num_inputs; ++i) {
      if (inputs_[i] == nullptr) {
        std::fill_n(buffer(i), cap_, scalars_[i]);
        inputs_[i] = buffer(i);
      }
      regs[i] = const_cast<float*>(inputs_[i]);  // input registers are only read
    }
    for (size_t k = 0; k + 1 < p_.code.size(); ++k) regs[p_.num_inputs + k] = scratch() + p_.slot_of[k] * cap_;
    regs[n_regs - 1] = dst;
    run_fused_tile(p_.code.data(), p_.code.size(), regs.data(), static_cast<size_t>(round_up(len)));
  }

 private:
  static int64_t round_up(int64_t len) {
    return (len + kFusedLaneMultiple - 1) / kFusedLaneMultiple * kFusedLaneMultiple;
  }
  float* buffer(int i) { return base_ + static_cast<size_t>(i) * cap_; }
  float* scratch() { return buffer(p_.num_inputs + 1); }

  const FusedProgram& p_;
  int64_t cap_;
  float* base_;
  absl::InlinedVector<const float*, 8> inputs_;
  absl::InlinedVector<float, 8> scalars_;
};

}  // namespace

bool run_fused_program(const FusedProgram& p, std::span<const Tensor> inputs, Tensor& out) {
  const int64_t n = out.numel();
  if (out.dtype() != DType::Float32 || !out.is_contiguous() || !out.device().is_cpu()) return false;
  if (static_cast<int>(inputs.size()) != p.num_inputs) return false;
  absl::InlinedVector<InputKind, 8> kind(inputs.size());
  absl::InlinedVector<float, 8> scalar(inputs.size(), 0.f);
  absl::InlinedVector<int64_t, 8> period(inputs.size(), 0);
  const Shape& os = out.shape();
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& t = inputs[i];
    if (!t.device().is_cpu()) return false;
    // One value, possibly expanded (all strides 0: autograd's broadcast of a scalar grad).
    const auto zero = [](int64_t st) { return st == 0; };
    const bool one_value =
        t.numel() == 1 || (t.numel() > 1 && std::all_of(t.strides().begin(), t.strides().end(), zero));
    if (one_value) {
      kind[i] = InputKind::Scalar;
      scalar[i] = static_cast<float>(read_as_double(t, 0));
      continue;
    }
    if (t.dtype() != DType::Float32 || !t.is_contiguous()) return false;
    if (t.shape() == os) {
      kind[i] = InputKind::Full;
      continue;
    }
    const Shape& ts = t.shape();
    if (const int64_t block = block_of(ts, os); block > 1) {
      kind[i] = InputKind::Blocked;
      period[i] = block;
      continue;
    }
    // Broadcast along leading dims only: t's shape (leading 1s dropped) is out's tail.
    size_t lead = 0;
    while (lead < ts.size() && ts[lead] == 1) ++lead;
    const size_t rank = ts.size() - lead;
    if (rank > os.size() || t.numel() == 0) return false;
    for (size_t j = 0; j < rank; ++j) {
      if (ts[lead + j] != os[os.size() - rank + j]) return false;
    }
    kind[i] = InputKind::Periodic;
    period[i] = t.numel();
  }
  if (n == 0) return true;

  const int64_t tiles = (n + kTile - 1) / kTile;
  // Tensors smaller than a tile need buffers only as long as they are.
  const int64_t tile_cap = std::min(kTile, (n + kFusedLaneMultiple - 1) / kFusedLaneMultiple * kFusedLaneMultiple);
  const bool blocks = !p.block_code.empty() && fused_blocks_supported();
  // The register-level code reads one-value inputs as broadcast scalars.
  absl::InlinedVector<FusedBlockInstr, 16> block_code(p.block_code.begin(), p.block_code.end());
  for (FusedBlockInstr& in : block_code) {
    for (FusedOperand* o : {&in.a, &in.b, &in.c}) {
      if (o->src == FusedSource::Input && kind[o->index] == InputKind::Scalar) o->src = FusedSource::Scalar;
    }
  }
  float* const out_data = out.data<float>();
  cpu::parallel_for(tiles, std::max<int64_t>(1, cpu::kParallelGrain / kTile), [&](int64_t t0, int64_t t1) {
    TileRunner runner(p, tile_cap, blocks);
    for (int64_t tile = t0; tile < t1; ++tile) {
      const int64_t b = tile * kTile, len = std::min(kTile, n - b);
      runner.stage_inputs(inputs, kind, period, scalar, b, len);
      const bool partial = len % kFusedLaneMultiple != 0;
      float* dst = partial ? runner.staged_out() : out_data + b;
      if (blocks) {
        runner.run_blocks(block_code, dst, len);
      } else {
        runner.run_tile(dst, len);
      }
      if (partial) std::memcpy(out_data + b, dst, len * sizeof(float));
    }
  });
  return true;
}

}  // namespace ember::trace
