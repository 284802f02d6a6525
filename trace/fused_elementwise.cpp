#include "trace/fused_elementwise.h"

#include "core/cpu/copy.h"
#include "core/cpu/parallel.h"
#include "core/dispatch.h"

namespace ember::trace {
namespace {
constexpr int64_t kTile = 8192;
}

FusedElementwiseOp::FusedElementwiseOp(int num_inputs, std::vector<FusedStep> steps)
    : num_inputs_(num_inputs), steps_(std::move(steps)),
      program_(compile_fused_program(num_inputs_, steps_)),
      scalar_program_(compile_scalar_program(num_inputs_, steps_)) {}

void FusedElementwiseOp::attributes(Attrs& out) const {
  std::string chain;
  for (const FusedStep& s : steps_) chain += (chain.empty() ? "" : ",") + std::string(s.op->name());
  out.set("ops", chain);
}

MetaList FusedElementwiseOp::infer(std::span<const Tensor> inputs) const {
  // Fusion keeps only steps whose result has the final shape, and an elementwise result is
  // the broadcast of its operands, so the final shape is the broadcast of all inputs (this
  // also follows a dynamic batch dim).
  Shape shape;
  for (const Tensor& t : inputs) shape = broadcast_shapes(shape, t.shape(), kName);
  // The device of the first non-CPU input: a CUDA chain may read host scalars.
  Device device = kCPU;
  for (const Tensor& t : inputs) {
    if (!t.device().is_cpu()) {
      device = t.device();
      break;
    }
  }
  return {TensorMeta{shape, steps_.back().meta.dtype, device}};
}

void FusedElementwiseOp::run_unfused(std::span<const Tensor> inputs, Tensor& out) const {
  std::vector<Tensor> regs(inputs.begin(), inputs.end());
  regs.reserve(inputs.size() + steps_.size());
  TensorList in;
  for (size_t k = 0; k < steps_.size(); ++k) {
    const FusedStep& s = steps_[k];
    in.clear();
    for (int r : s.operands) in.push_back(regs[r]);
    if (k + 1 == steps_.size()) {
      // The last step writes the result in place of a temporary and a copy, when its
      // result has the output's metadata (elementwise kernels write any strided output).
      MetaList m = s.op->infer(in);
      if (m.size() == 1 && m[0].shape == out.shape() && m[0].dtype == out.dtype()) {
        run_kernel(*s.op, in, std::span<Tensor>(&out, 1));
        return;
      }
    }
    regs.push_back(run_op(*s.op, in)[0]);
  }
  copy_into(out, regs.back());
}

void FusedElementwiseOp::eval_cpu(std::span<const Tensor> inputs, std::span<Tensor> outputs) const {
  Tensor& out = outputs[0];
  if (out.numel() == 1 && scalar_program_ && run_scalar_program(*scalar_program_, inputs, out)) return;
  if (program_ && run_fused_program(*program_, inputs, out)) return;
  const int64_t n = out.numel();
  // Tiling needs every input to be a contiguous tensor of the output's size or a scalar,
  // and every step to keep the output's size; otherwise run the chain op by op.
  bool tileable = out.is_contiguous();
  for (const Tensor& t : inputs) {
    tileable = tileable && t.device().is_cpu() &&
               ((t.numel() == n && t.is_contiguous() && t.shape() == out.shape()) || t.numel() == 1);
  }
  if (!tileable || n < 2 * kTile) {
    run_unfused(inputs, out);
    return;
  }
  const int64_t tiles = (n + kTile - 1) / kTile;
  cpu::parallel_for(tiles, 1, [&](int64_t t0, int64_t t1) {
    // Per-thread registers: one tile-sized buffer per step.
    std::vector<Tensor> scratch;
    for (const FusedStep& s : steps_) scratch.push_back(Tensor::empty({kTile}, s.meta.dtype, out.device()));
    std::vector<Tensor> regs(num_inputs_ + steps_.size());
    for (int64_t tile = t0; tile < t1; ++tile) {
      const int64_t b = tile * kTile, len = std::min(kTile, n - b);
      for (int i = 0; i < num_inputs_; ++i) {
        const Tensor& t = inputs[i];
        regs[i] = t.numel() == 1 ? t : make_view(t, {len}, {1}, t.offset() + b);
      }
      for (size_t k = 0; k < steps_.size(); ++k) {
        const FusedStep& s = steps_[k];
        Tensor dst = k + 1 == steps_.size() ? make_view(out, {len}, {1}, out.offset() + b)
                                            : make_view(scratch[k], {len}, {1}, 0);
        TensorList in;
        for (int r : s.operands) in.push_back(regs[r]);
        run_kernel(*s.op, in, std::span<Tensor>(&dst, 1));
        regs[num_inputs_ + k] = dst;
      }
    }
  });
}

}  // namespace ember::trace
