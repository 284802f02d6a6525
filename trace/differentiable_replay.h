#pragma once
// Differentiable replay of a traced function (AOTAutograd's idea): when a traced call runs
// with grad mode on and an output depends on a tensor that requires grad (an argument or a
// captured parameter), the tracer also records the backward that autograd runs from the
// outputs; the joint graph is split into a forward and a backward graph
// (joint_graph_partition.h), both optimized and compiled. A replay runs the forward and
// hangs one TracedFunctionBackward node on the outputs; its backward runs the backward graph
// and hands the engine gradients for the arguments and captured tensors, which accumulate
// into .grad exactly as eager would. Under create_graph=True the node instead dispatches the
// forward's differentiable part and the backward graph op by op with autograd on
// (forward_recompute.h), so higher-order gradients equal eager's.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "trace/executor.h"
#include "trace/joint_graph_partition.h"
#include "trace/passes/pipeline.h"
#include "trace/shape_params.h"

namespace ember::trace {

class Tracer;

class DifferentiableReplay {
 public:
  // Call with the tracer still active, after the forward ran and its outputs were set.
  // `size`: the call's dynamic size (-1 if none); graphs are specialized per size. Never
  // raises: what cannot be supported is kept as a reason (unsupported()).
  static std::shared_ptr<DifferentiableReplay> record(Tracer& tracer,
                                                      const std::vector<Tensor>& args,
                                                      const std::vector<Tensor>& outputs,
                                                      const PassOptions& passes, int64_t size);

  // The forward alone with the user outputs (what replays without gradients run).
  const Graph& forward_graph() const { return forward_only_; }
  // Whether a replay with these arguments must carry autograd history: an output depends on
  // an argument or a captured tensor that requires grad now.
  bool needs_grad(const std::vector<Tensor>& args) const;
  // The outputs with history, if graphs were built for this size and these requires_grad
  // states of the captured tensors; nullopt if not (the caller retraces, or runs eagerly
  // when unsupported() says why). When the recording found no output that carries history,
  // the executor `plain()` returns runs (no backward to attach).
  std::optional<std::vector<Tensor>> try_run(const std::vector<Tensor>& args, int64_t size,
                                             const std::function<const Executor&()>& plain);
  // Dynamic dims: called by Function's second trace at `size2` (tracer still active, the
  // forward recorded and fitted); records the halves there too and fits how both depend on
  // the size, so other sizes are specialized without running Python. Leaves per-size
  // recording in place if the fit fails.
  void fit_sizes(Tracer& tracer, const std::vector<Tensor>& args2,
                 const std::vector<Tensor>& outputs2, const PassOptions& passes, int64_t size1,
                 int64_t size2);
  // Takes the graphs another recording built (for another size or requires_grad states).
  void adopt(const DifferentiableReplay& other);
  // Why gradients through replays are not supported for this function (empty if they are).
  const std::string& unsupported() const { return unsupported_; }
  // The split of the graphs recorded at `size` (for tests and printing); null if none.
  const JointGraphSplit* split(int64_t size) const;

  // The compiled halves for one size and one set of requires_grad states.
  struct Halves {
    JointGraphSplit split;
    std::unique_ptr<Executor> forward, backward;
    std::vector<size_t> diff_outputs;   // user outputs that carry history (none: plain replay)
    std::vector<size_t> diff_args;      // arguments differentiated by
    std::vector<Tensor> diff_captures;  // captured tensors differentiated by
    std::vector<bool> capture_requires_grad;  // per capture source, when recorded
  };

 private:
  Graph forward_only_;
  std::vector<size_t> arg_sources_;      // arguments the outputs depend on
  std::vector<Tensor> capture_sources_;  // captured tensors the outputs depend on
  std::map<int64_t, std::shared_ptr<const Halves>> by_size_;
  struct Parametric {
    std::shared_ptr<const Halves> base;  // recorded at `size`
    int64_t size;
    ShapeParams forward, backward;
  };
  std::optional<Parametric> parametric_;
  PassOptions passes_;
  std::string unsupported_;
};

}  // namespace ember::trace
