#pragma once
// A node whose backward is a user callback: the engine side of custom autograd functions
// (torch.autograd.Function). The forward ran outside autograd; attach_function_node links
// its outputs to its inputs through one node that calls `backward` with the output grads.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "eager/node.h"

namespace ember {

// Gets one gradient per output (undefined where none arrived) and returns one per input
// (undefined: no gradient for that input).
using FunctionBackward = std::function<TensorList(TensorList)>;

class FunctionNode final : public Node {
 public:
  FunctionNode(std::string name, size_t num_outputs, FunctionBackward backward,
               std::vector<TensorMeta> input_meta);
  std::string name() const override { return name_; }
  TensorList apply(TensorList grads_out) override;
  // Drops the callback (and what it holds) after a backward without retain_graph.
  void release_saved() override { backward_ = nullptr; }

 private:
  std::string name_;
  FunctionBackward backward_;
  std::vector<TensorMeta> input_meta_;
};

// Makes `outputs` (fresh tensors with no history) outputs of one FunctionNode whose edges
// lead to `inputs` (undefined entries: non-tensor arguments). Does nothing when grad mode
// is off or no input requires grad. Returns whether history was recorded.
bool attach_function_node(const std::string& name, std::span<const Tensor> inputs,
                          std::span<const Tensor> outputs, FunctionBackward backward);

}  // namespace ember
