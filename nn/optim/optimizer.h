#pragma once
// Optimizer base: parameter groups with options, per-parameter state, zero_grad, state
// dicts. Updates are ops on the parameters (under no_grad), so a traced training step
// contains them. Options (lr, betas, weight_decay, ...) are also kept as 0-dim float64
// tensors that the update reads: a scheduler changes their values, never a traced graph.
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/tensor.h"

namespace ember::optim {

using Options = std::map<std::string, double>;

struct ParamGroup {
  std::vector<Tensor> params;
  Options options;  // missing keys take the optimizer's defaults
};

// A serializable snapshot, PyTorch's layout: state per parameter index (over all groups in
// order) and the groups' options with their parameter indices.
struct OptimizerState {
  std::map<int64_t, std::map<std::string, Tensor>> state;
  std::vector<Options> group_options;
  std::vector<std::vector<int64_t>> group_params;
};

class Optimizer {
 public:
  Optimizer(std::string name, std::vector<ParamGroup> groups, Options defaults);
  virtual ~Optimizer() = default;

  virtual void step() = 0;
  void zero_grad(bool set_to_none = true);
  void add_param_group(ParamGroup group);

  const std::string& name() const { return name_; }
  size_t num_groups() const { return groups_.size(); }
  const std::vector<Tensor>& params(size_t group) const { return groups_.at(group).params; }
  double option(size_t group, const std::string& key) const;
  void set_option(size_t group, const std::string& key, double value);
  const Options& options(size_t group) const { return groups_.at(group).options; }
  const Options& defaults() const { return defaults_; }

  std::map<std::string, Tensor>& state_of(const Tensor& param);
  bool has_state(const Tensor& param) const;
  OptimizerState state_dict() const;
  void load_state_dict(const OptimizerState& s);

 protected:
  // The 0-dim float64 tensor holding an option's current value.
  const Tensor& option_tensor(size_t group, const std::string& key);

 private:
  struct Group {
    std::vector<Tensor> params;
    Options options;
    std::map<std::string, Tensor> tensors;
  };
  std::string name_;
  Options defaults_;
  std::vector<Group> groups_;
  std::unordered_map<const TensorImpl*, std::map<std::string, Tensor>> state_;
};

}  // namespace ember::optim
