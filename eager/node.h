#pragma once
// Autograd graph nodes. Each differentiable op call that needs history creates one Node;
// edges point from a node to the nodes that produced its inputs. Leaves end in an
// AccumulateGrad node that adds into `.grad`.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/op.h"

namespace ember {

class Node;

struct Edge {
  std::shared_ptr<Node> fn;  // null: the input needs no gradient
  int input_nr = 0;          // which gradient slot of fn this edge feeds
};

// A gradient hook: may return a replacement gradient (or an undefined tensor to keep it).
using GradHook = std::function<Tensor(const Tensor&)>;

// A tensor kept for backward, with the version it had when saved.
class SavedTensor {
 public:
  SavedTensor() = default;
  SavedTensor(const Tensor& t, bool is_output);
  // The saved tensor; raises if it was modified in place since saving. For outputs,
  // `owner` re-attaches the producing node so double backward sees the history.
  Tensor unpack(const std::shared_ptr<Node>& owner, int output_nr, std::string_view op) const;
  void reset() { t_ = Tensor(); }
  bool defined() const { return t_.defined(); }
  // The tensor held, unchecked (for counting references; use unpack() to read it).
  const Tensor& held() const { return t_; }

 private:
  Tensor t_;
  uint32_t version_ = 0;
  bool is_output_ = false;
};

class Node : public std::enable_shared_from_this<Node> {
 public:
  virtual ~Node() = default;
  virtual std::string name() const = 0;
  // Gradients for this node's inputs from the gradients of its outputs.
  virtual TensorList apply(TensorList grads_out) = 0;
  virtual void release_saved() {}
  // Calls f with each tensor this node holds for its backward (the tracer counts them to
  // tell autograd history from state kept by user code).
  virtual void for_each_held(const std::function<void(const Tensor&)>& f) const { (void)f; }

  std::vector<Edge>& next_edges() { return next_; }
  size_t num_outputs() const { return num_outputs_; }
  uint64_t sequence_nr() const { return seq_; }

  // Hooks on the gradient of output `i` (tensor.register_hook on a non-leaf), run before
  // apply; the retained-grad slot is filled the same way.
  std::vector<std::vector<GradHook>>& pre_hooks() { return pre_hooks_; }

 protected:
  explicit Node(size_t num_outputs);
  std::vector<Edge> next_;
  size_t num_outputs_;
  uint64_t seq_;
  std::vector<std::vector<GradHook>> pre_hooks_;
};

// The node an op call records: runs the op's vjp.
class OpNode final : public Node {
 public:
  // inplace_target: an input about to be overwritten; it is saved as a snapshot copy.
  OpNode(const Op& op, std::span<const Tensor> inputs, std::span<Tensor> outputs,
         int inplace_target = -1);
  std::string name() const override;
  TensorList apply(TensorList grads_out) override;
  void release_saved() override;
  void for_each_held(const std::function<void(const Tensor&)>& f) const override;
  const Op& op() const { return *op_; }

 private:
  std::unique_ptr<Op> op_;
  std::vector<SavedTensor> saved_inputs_;
  std::vector<TensorMeta> input_meta_;
  std::vector<SavedTensor> saved_outputs_;
  std::vector<TensorMeta> output_meta_;
  std::vector<bool> needs_grad_;
  bool released_ = false;
};

// Sink for a leaf: accumulates into the leaf's .grad.
class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(const Tensor& leaf);
  std::string name() const override { return "AccumulateGrad"; }
  TensorList apply(TensorList grads_out) override;
  const Tensor& variable() const { return leaf_; }

 private:
  Tensor leaf_;
};

}  // namespace ember
