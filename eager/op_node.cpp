#include "core/cpu/copy.h"
#include "core/ops.h"
#include "eager/autograd_meta.h"
#include "eager/grad_mode.h"
#include "eager/node.h"

namespace ember {

OpNode::OpNode(const Op& op, std::span<const Tensor> inputs, std::span<Tensor> outputs,
               int inplace_target)
    : Node(outputs.size()), op_(op.clone()) {
  const bool save_in = op.vjp_needs_inputs(), save_out = op.vjp_needs_outputs();
  input_meta_.reserve(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& t = inputs[i];
    input_meta_.push_back({t.shape(), t.dtype(), t.device()});
    needs_grad_.push_back(t.requires_grad());
    if (save_in) {
      if (!op.vjp_needs_input(i)) {
        saved_inputs_.emplace_back();
      } else if (static_cast<int>(i) == inplace_target) {
        // t is overwritten next: save a copy. A dispatched clone, so a tracer records it,
        // with history (grad mode is on here), so double backward differentiates through
        // the old value too.
        saved_inputs_.emplace_back(clone(t), /*is_output=*/false);
      } else {
        saved_inputs_.emplace_back(t, /*is_output=*/false);
      }
    }
  }
  for (const Tensor& t : outputs) {
    output_meta_.push_back({t.shape(), t.dtype(), t.device()});
    if (save_out) saved_outputs_.emplace_back(t, /*is_output=*/true);
  }
}

std::string OpNode::name() const {
  // PyTorch-style names: "add" -> "AddBackward0".
  std::string n;
  bool upper = true;
  for (char c : op_->name()) {
    if (c == '_') {
      upper = true;
      continue;
    }
    n += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return n + "Backward0";
}

TensorList OpNode::apply(TensorList grads_out) {
  if (released_) {
    raise<Error>("[{}] trying to backward through the graph a second time (or to access "
                 "saved tensors after they were freed). Pass retain_graph=True to the first "
                 "backward() if you need to backward twice.", name());
  }
  auto self = shared_from_this();
  TensorList ins, outs;
  for (const SavedTensor& s : saved_inputs_) ins.push_back(s.unpack(nullptr, 0, op_->name()));
  for (size_t i = 0; i < saved_outputs_.size(); ++i) {
    outs.push_back(saved_outputs_[i].unpack(self, static_cast<int>(i), op_->name()));
  }
  for (size_t i = 0; i < grads_out.size(); ++i) {
    if (!grads_out[i].defined()) {
      const TensorMeta& m = output_meta_[i];
      grads_out[i] = zeros(m.shape, m.dtype, m.device);
    }
  }
  absl::InlinedVector<bool, 4> needs(needs_grad_.begin(), needs_grad_.end());
  for (size_t i = 0; i < needs.size(); ++i) needs[i] = needs[i] && next_[i].fn != nullptr;
  VjpArgs args{ins, input_meta_, outs, grads_out, std::span<const bool>(needs.data(), needs.size())};
  TensorList grads_in = op_->vjp(args);
  grads_in.resize(input_meta_.size());
  for (size_t i = 0; i < grads_in.size(); ++i) {
    Tensor& g = grads_in[i];
    if (!needs[i] || !g.defined()) {
      g = Tensor();
      continue;
    }
    if (g.shape() != input_meta_[i].shape) {
      raise<Error>("[{}] backward returned a gradient of shape {} for input {} of shape {} "
                   "(a bug in the op's vjp)", op_->name(), shape_str(g.shape()), i,
                   shape_str(input_meta_[i].shape));
    }
  }
  return grads_in;
}

void OpNode::for_each_held(const std::function<void(const Tensor&)>& f) const {
  for (const auto& s : saved_inputs_) f(s.held());
  for (const auto& s : saved_outputs_) f(s.held());
}

void OpNode::release_saved() {
  for (auto& s : saved_inputs_) s.reset();
  for (auto& s : saved_outputs_) s.reset();
  released_ = saved_inputs_.size() + saved_outputs_.size() > 0;
}

}  // namespace ember
