#pragma once
// Graph IR: SSA values with metadata, and nodes (op, attributes, inputs, outputs).
//   - inputs: the traced function's tensor arguments, bound anew on every call;
//   - captures: tensors from outside the function (parameters, buffers, optimizer state),
//     bound by reference, so a replay reads and updates the live tensors;
//   - constants: values baked into the graph (Python numbers, folded results);
//   - node outputs.
// A node may write its result into its first input (in-place ops: `inplace`), which is how
// optimizer updates and running statistics reach captured tensors.
#include <memory>
#include <string>
#include <vector>

#include "core/op.h"

namespace ember::trace {

using ValueId = int32_t;

enum class ValueKind : uint8_t { Input, Capture, Constant, Node };

struct Value {
  ValueKind kind;
  TensorMeta meta;
  int32_t producer = -1;  // node index for Node values
  int32_t index = 0;      // input/capture/constant slot, or the node output number
  std::string name;       // for printing: "x", "fc.weight", ...
};

struct Node {
  std::shared_ptr<const Op> op;
  std::vector<ValueId> inputs;
  std::vector<ValueId> outputs;
  bool inplace = false;  // writes outputs[0]'s values into inputs[0] (then outputs[0] aliases it)
};

class Graph {
 public:
  ValueId add_input(const TensorMeta& meta, std::string name = "");
  ValueId add_capture(const Tensor& t, std::string name = "");
  ValueId add_constant(const Tensor& t);
  // Appends a node; its outputs get fresh values with the given metadata.
  std::vector<ValueId> add_node(std::shared_ptr<const Op> op, std::vector<ValueId> inputs,
                                const MetaList& out_meta, bool inplace = false);
  void set_outputs(std::vector<ValueId> outputs) { outputs_ = std::move(outputs); }

  const std::vector<Value>& values() const { return values_; }
  const Value& value(ValueId v) const { return values_.at(v); }
  const std::vector<Node>& nodes() const { return nodes_; }
  std::vector<Node>& mutable_nodes() { return nodes_; }
  const std::vector<ValueId>& inputs() const { return inputs_; }
  const std::vector<ValueId>& outputs() const { return outputs_; }
  std::vector<ValueId>& mutable_outputs() { return outputs_; }
  const std::vector<Tensor>& captures() const { return captures_; }
  const std::vector<ValueId>& capture_values() const { return capture_values_; }
  const std::vector<Tensor>& constants() const { return constants_; }
  const std::vector<ValueId>& constant_values() const { return constant_values_; }

  // Rebuilds the node list (passes produce new graphs through this).
  void set_nodes(std::vector<Node> nodes);
  // For re-specializing a traced graph to other sizes (trace/shape_params.h).
  std::vector<Value>& mutable_values() { return values_; }
  void set_constant(size_t index, Tensor t) { constants_.at(index) = std::move(t); }

  // Readable text, one node a line: "%5 = add(%3, %4)  f32[64, 10]".
  std::string str() const;
  size_t num_nodes() const { return nodes_.size(); }

 private:
  ValueId new_value(Value v);
  std::vector<Value> values_;
  std::vector<Node> nodes_;
  std::vector<ValueId> inputs_, outputs_;
  std::vector<Tensor> captures_;
  std::vector<ValueId> capture_values_;
  std::vector<Tensor> constants_;
  std::vector<ValueId> constant_values_;
};

std::string meta_str(const TensorMeta& m);  // "f32[64, 10]"

}  // namespace ember::trace
