#pragma once
// FusedElementwiseOp: a chain of elementwise ops run as one loop. Instead of writing each
// intermediate result to memory and reading it back (one full pass over the data per op),
// each block of a few SIMD vectors goes through the whole chain with its intermediates in
// registers (fused_kernels/fused_program.h); tiles of blocks are spread over the threads.
// Made by the fusion pass, run by the executor; never dispatched eagerly.
#include <memory>
#include <vector>

#include "core/op.h"
#include "trace/fused_kernels/fused_program.h"

namespace ember::trace {

struct FusedStep {
  std::shared_ptr<const Op> op;
  std::vector<int> operands;  // registers: [0, num_inputs) are the fused op's inputs
  TensorMeta meta;            // this step's result (same shape as the final result)
};

class FusedElementwiseOp final : public OpImpl<FusedElementwiseOp> {
 public:
  static constexpr std::string_view kName = "fused_elementwise";
  FusedElementwiseOp(int num_inputs, std::vector<FusedStep> steps);

  bool is_elementwise() const override { return true; }
  bool is_differentiable() const override { return false; }
  void attributes(Attrs& out) const override;  // the member op names (for printing)
  MetaList infer(std::span<const Tensor> inputs) const override;
  void eval_cpu(std::span<const Tensor> inputs, std::span<Tensor> outputs) const override;
  bool is_equivalent(const Op& other) const override { return &other == this; }
  const std::vector<FusedStep>& steps() const { return steps_; }

  // Whether the chain compiled to a vectorized program (see fused_program.h).
  bool vectorized() const { return program_.has_value(); }
  // The compiled program (the CUDA backend generates its fused kernel from it).
  const std::optional<FusedProgram>& program() const { return program_; }

 private:
  void run_unfused(std::span<const Tensor> inputs, Tensor& out) const;
  int num_inputs_;
  std::vector<FusedStep> steps_;
  std::optional<FusedProgram> program_;         // vectorized tiles
  std::optional<FusedProgram> scalar_program_;  // one-element chains
};

}  // namespace ember::trace
