#pragma once
// Saving and loading traced functions: one safetensors file holds the weights (captures)
// and constants as tensors, and the graph as JSON in the header metadata ("ember.graph").
// Ops are rebuilt by name and attributes through the op registry; the optimization passes
// run again after loading. A loaded function runs from C++ with no Python; a loaded
// training step keeps updating its weights (and optimizer state), and can be saved again.
#include <string>

#include "trace/executor.h"
#include "trace/passes/pipeline.h"

namespace ember::trace {

void save_function(const std::string& path, const Graph& traced, const SideEffects& effects);

class LoadedFunction {
 public:
  explicit LoadedFunction(const std::string& path, PassOptions passes = {});
  // Parses the bytes of a saved function (fuzzing, in-memory use).
  static LoadedFunction from_bytes(const uint8_t* data, size_t size, PassOptions passes = {});
  std::vector<Tensor> operator()(const std::vector<Tensor>& inputs) const;
  // Saves the graph with the current values of its weights.
  void save(const std::string& path) const;
  const Graph& graph() const { return *traced_; }
  const Graph& optimized_graph() const { return executor_->graph(); }
  // The captured tensors by name (weights, buffers, optimizer state).
  std::vector<std::pair<std::string, Tensor>> named_captures() const;

 private:
  LoadedFunction() = default;
  void init(const std::string& where, const std::string& graph_json,
            const std::vector<std::pair<std::string, Tensor>>& tensors, const PassOptions& passes);
  std::shared_ptr<Graph> traced_;
  SideEffects effects_;
  std::unique_ptr<Executor> executor_;
};

}  // namespace ember::trace
