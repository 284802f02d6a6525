#pragma once
// The backward engine: runs the recorded graph in reverse topological order.
#include <vector>

#include "eager/node.h"

namespace ember::engine {

// The gradient edge of t: its grad_fn output, or its leaf accumulator (created on demand).
Edge edge_of(const Tensor& t);
// Whether a floating tensor holds a NaN or an infinity (anomaly mode).
bool has_nonfinite(const Tensor& t);

struct Options {
  bool keep_graph = false;    // retain_graph: keep saved tensors for another backward
  bool create_graph = false;  // run backward ops with grad mode on
  bool skip_accumulation = false;       // autograd.grad: never write .grad
  std::vector<Node*> accumulate_only;   // backward(inputs=...): only these accumulators
};

// Propagates `grads` from `roots`. Returns the gradients that reached each of `wanted`
// (undefined if none did).
std::vector<Tensor> run(const std::vector<Edge>& roots, const TensorList& grads,
                        const Options& opt, const std::vector<Edge>& wanted);

}  // namespace ember::engine
