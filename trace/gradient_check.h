#pragma once
// Check mode for replays that carry gradients (FunctionOptions::check_calls): runs the
// callable eagerly and the differentiable replay from the same state, on clones of the
// arguments, and compares the outputs, the captured state after the call, and the
// gradients that backward through each (eager autograd vs TracedFunctionBackward) gives
// for the arguments and captured tensors that require grad. Gradients are taken with
// grad(), so no .grad is touched; state and the random generator are restored afterwards,
// so the caller's real call starts from where it would have.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace ember::trace {

struct GradientCheck {
  using Run = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;
  // The replay; nullopt when it has no graphs for these arguments (then nothing is checked).
  using TryRun = std::function<std::optional<std::vector<Tensor>>(const std::vector<Tensor>&)>;
  Run eager;
  TryRun traced;
  std::vector<Tensor> state;         // captured tensors (parameters, buffers)
  std::vector<std::string> state_names;
  double rtol = 1e-5, atol = 1e-6;
  std::string name = "function";
};

// Returns whether the check ran; raises "[name check] ..." naming each output, state tensor
// or gradient that differs, with its largest difference.
bool check_gradients(const GradientCheck& check, const std::vector<Tensor>& args);

}  // namespace ember::trace
