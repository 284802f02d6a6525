#include "eager/function_node.h"

#include "core/ops.h"
#include "eager/autograd_meta.h"
#include "eager/engine.h"
#include "eager/grad_mode.h"

namespace ember {

FunctionNode::FunctionNode(std::string name, size_t num_outputs, FunctionBackward backward,
                           std::vector<TensorMeta> input_meta)
    : Node(num_outputs), name_(std::move(name)), backward_(std::move(backward)),
      input_meta_(std::move(input_meta)) {}

TensorList FunctionNode::apply(TensorList grads_out) {
  if (!backward_) {
    raise<Error>("[{}] trying to backward through the graph a second time (or directly access "
                 "saved tensors after they have already been freed). Specify "
                 "retain_graph=True if you need to backward a second time.", name_);
  }
  TensorList grads_in = backward_(std::move(grads_out));
  if (grads_in.size() != input_meta_.size()) {
    raise<Error>("[{}] backward returned {} gradients, expected {} (one per forward input)",
                 name_, grads_in.size(), input_meta_.size());
  }
  for (size_t i = 0; i < grads_in.size(); ++i) {
    Tensor& g = grads_in[i];
    if (!g.defined()) continue;
    const TensorMeta& m = input_meta_[i];
    if (g.shape() != m.shape) {
      raise<Error>("[{}] backward returned a gradient of shape {} for input {}, expected shape "
                   "{}", name_, shape_str(g.shape()), i, shape_str(m.shape));
    }
    if (g.dtype() != m.dtype && is_floating(m.dtype)) g = to_dtype(g, m.dtype);
  }
  return grads_in;
}

bool attach_function_node(const std::string& name, std::span<const Tensor> inputs,
                          std::span<const Tensor> outputs, FunctionBackward backward) {
  if (!is_grad_enabled()) return false;
  bool any = false;
  for (const Tensor& t : inputs) any = any || (t.defined() && t.requires_grad());
  if (!any) return false;
  std::vector<TensorMeta> meta;
  for (const Tensor& t : inputs) {
    meta.push_back(t.defined() ? TensorMeta{t.shape(), t.dtype(), t.device()} : TensorMeta{});
  }
  auto node = std::make_shared<FunctionNode>(name, outputs.size(), std::move(backward),
                                             std::move(meta));
  for (const Tensor& t : inputs) {
    node->next_edges().push_back(t.defined() ? engine::edge_of(t) : Edge{});
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Tensor& out = outputs[i];
    if (!out.defined()) continue;
    if (!is_floating(out.dtype())) continue;  // integer outputs are never differentiable
    out.impl()->set_requires_grad(true);
    auto* m = autograd_meta(out, true);
    m->grad_fn = node;
    m->output_nr = static_cast<int>(i);
  }
  return true;
}

}  // namespace ember
