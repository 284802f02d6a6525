#include "keras_like/functional.h"

#include <map>
#include <set>

namespace ember::keras {

Functional::Functional(std::vector<KerasTensor> inputs, std::vector<KerasTensor> outputs,
                       LayerOptions layer)
    : Model(std::move(layer), "Functional"), num_inputs_(inputs.size()) {
  EMBER_CHECK(!inputs.empty() && !outputs.empty(),
              "[Functional] model '{}' needs at least one input and one output", name());
  std::map<const KerasNode*, size_t> slot;
  for (size_t i = 0; i < inputs.size(); ++i) {
    EMBER_CHECK(inputs[i].is_input(), "[Functional] model '{}': input {} is not an Input() but "
                "the output of layer '{}'", name(), i, inputs[i].node()->layer->name());
    slot[inputs[i].node().get()] = i;
    input_shapes_.push_back(inputs[i].shape());
  }
  std::set<const Layer*> registered;
  // Depth-first from the outputs: a node's inputs get slots before the node itself.
  std::function<size_t(const KerasTensor&)> visit = [&](const KerasTensor& t) -> size_t {
    const KerasNode* node = t.node().get();
    if (auto it = slot.find(node); it != slot.end()) return it->second;
    if (t.is_input()) {
      raise<ValueError>("[Functional] model '{}': an output depends on Input '{}', which is not "
                        "among the model's inputs", name(), node->input_name);
    }
    Step step{node->layer, {}};
    for (const KerasTensor& in : node->inputs) step.args.push_back(visit(in));
    if (registered.insert(node->layer.get()).second) register_module(node->layer->name(), node->layer);
    steps_.push_back(std::move(step));
    return slot[node] = num_inputs_ + steps_.size() - 1;
  };
  for (const KerasTensor& out : outputs) outputs_.push_back(visit(out));
  set_built_shapes(inputs[0].shape(), outputs[0].shape());
}

TensorList Functional::run(const TensorList& inputs) {
  std::vector<Tensor> values(inputs.begin(), inputs.end());
  values.resize(num_inputs_ + steps_.size());
  for (size_t i = 0; i < steps_.size(); ++i) {
    TensorList args;
    for (size_t a : steps_[i].args) args.push_back(values[a]);
    TensorList out = (*steps_[i].layer)(args);
    values[num_inputs_ + i] = out[0];
  }
  TensorList result;
  for (size_t o : outputs_) result.push_back(values[o]);
  return result;
}

TensorList Functional::forward(const TensorList& inputs) {
  EMBER_CHECK(inputs.size() == num_inputs_, "[Functional] model '{}' takes {} inputs, got {}",
              name(), num_inputs_, inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!shape_matches(input_shapes_[i], inputs[i].shape())) {
      raise<ValueError>("[Functional] model '{}' expects input {} of shape {}, got shape {}",
                        name(), i, format_shape(input_shapes_[i]),
                        format_shape(ShapeSpec(inputs[i].shape().begin(), inputs[i].shape().end())));
    }
  }
  return run(inputs);
}

Tensor Functional::call(const Tensor& x) {
  EMBER_CHECK(num_inputs_ == 1, "[Functional] model '{}' takes {} inputs: call it with a list",
              name(), num_inputs_);
  return run(TensorList{x})[0];
}

}  // namespace ember::keras
