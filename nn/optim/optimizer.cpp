#include "nn/optim/optimizer.h"

#include <absl/container/flat_hash_set.h>

#include "core/ops.h"
#include "eager/autograd.h"

namespace ember::optim {

Optimizer::Optimizer(std::string name, std::vector<ParamGroup> groups, Options defaults)
    : name_(std::move(name)), defaults_(std::move(defaults)) {
  if (groups.empty()) raise<ValueError>("[{}] optimizer got an empty parameter list", name_);
  for (auto& g : groups) add_param_group(std::move(g));
}

void Optimizer::add_param_group(ParamGroup group) {
  if (group.params.empty()) {
    raise<ValueError>("[{}] optimizer got an empty parameter list", name_);
  }
  absl::flat_hash_set<const TensorImpl*> seen;
  for (auto& g : groups_) {
    for (auto& p : g.params) seen.insert(p.impl());
  }
  for (const Tensor& p : group.params) {
    if (!p.defined()) raise<ValueError>("[{}] parameter list contains an undefined tensor", name_);
    if (!is_floating(p.dtype())) {
      raise<TypeError>("[{}] can only optimize floating-point tensors, got {}", name_,
                       dtype_name(p.dtype()));
    }
    if (!is_leaf(p)) raise<ValueError>("[{}] can't optimize a non-leaf tensor", name_);
    if (!seen.insert(p.impl()).second) {
      raise<ValueError>("[{}] some parameters appear in more than one parameter group", name_);
    }
  }
  Group g{std::move(group.params), defaults_, {}};
  for (auto& [k, v] : group.options) {
    if (!defaults_.count(k)) raise<ValueError>("[{}] unknown option '{}'", name_, k);
    g.options[k] = v;
  }
  // The option tensors exist from the start and are made without dispatch, so a traced
  // step captures them (by reference) instead of recording their creation.
  for (auto& [k, v] : g.options) {
    Tensor t = Tensor::empty({}, DType::Float64);
    fill_raw(t, v);
    g.tensors.emplace(k, std::move(t));
  }
  groups_.push_back(std::move(g));
}

void Optimizer::zero_grad(bool set_to_none) {
  for (auto& g : groups_) {
    for (const Tensor& p : g.params) {
      Tensor gr = grad_of(p);
      if (!gr.defined()) continue;
      if (set_to_none) {
        set_grad(p, Tensor());
      } else {
        NoGradGuard ng;
        zero_(gr);  // dispatched, so a traced step records it
      }
    }
  }
}

double Optimizer::option(size_t group, const std::string& key) const {
  const auto& o = groups_.at(group).options;
  auto it = o.find(key);
  if (it == o.end()) raise<ValueError>("[{}] unknown option '{}'", name_, key);
  return it->second;
}

void Optimizer::set_option(size_t group, const std::string& key, double value) {
  if (group >= groups_.size()) {
    raise<IndexError>("[{}] param group {} does not exist ({} groups)", name_, group, groups_.size());
  }
  auto& g = groups_[group];
  if (!g.options.count(key)) raise<ValueError>("[{}] unknown option '{}'", name_, key);
  g.options[key] = value;
  auto it = g.tensors.find(key);
  if (it != g.tensors.end()) fill_raw(it->second, value);  // same tensor: traced steps see it
}

const Tensor& Optimizer::option_tensor(size_t group, const std::string& key) {
  auto& g = groups_.at(group);
  auto it = g.tensors.find(key);
  if (it == g.tensors.end()) raise<ValueError>("[{}] unknown option '{}'", name_, key);
  return it->second;
}

std::map<std::string, Tensor>& Optimizer::state_of(const Tensor& param) { return state_[param.impl()]; }

bool Optimizer::has_state(const Tensor& param) const { return state_.count(param.impl()) > 0; }

OptimizerState Optimizer::state_dict() const {
  OptimizerState s;
  int64_t idx = 0;
  for (const auto& g : groups_) {
    std::vector<int64_t> ids;
    for (const Tensor& p : g.params) {
      auto it = state_.find(p.impl());
      if (it != state_.end() && !it->second.empty()) s.state[idx] = it->second;
      ids.push_back(idx++);
    }
    s.group_options.push_back(g.options);
    s.group_params.push_back(std::move(ids));
  }
  return s;
}

void Optimizer::load_state_dict(const OptimizerState& s) {
  if (s.group_options.size() != groups_.size() || s.group_params.size() != groups_.size()) {
    raise<ValueError>("[{}.load_state_dict] loaded state has {} parameter groups, the optimizer "
                      "has {}", name_, s.group_options.size(), groups_.size());
  }
  std::vector<const Tensor*> flat;
  for (size_t i = 0; i < groups_.size(); ++i) {
    if (s.group_params[i].size() != groups_[i].params.size()) {
      raise<ValueError>("[{}.load_state_dict] group {} has {} parameters in the loaded state but "
                        "{} in the optimizer", name_, i, s.group_params[i].size(),
                        groups_[i].params.size());
    }
    for (const Tensor& p : groups_[i].params) flat.push_back(&p);
  }
  std::unordered_map<const TensorImpl*, std::map<std::string, Tensor>> next;
  for (auto& [idx, st] : s.state) {
    if (idx < 0 || idx >= static_cast<int64_t>(flat.size())) {
      raise<ValueError>("[{}.load_state_dict] state refers to parameter {} of {}", name_, idx,
                        flat.size());
    }
    const Tensor& p = *flat[idx];
    auto& dst = next[p.impl()];
    for (auto& [k, v] : st) {
      // Moments must match their parameter; scalars (step) are free.
      if (v.dim() > 0 && v.shape() != p.shape()) {
        raise<ValueError>("[{}.load_state_dict] state '{}' of parameter {} has shape {}, the "
                          "parameter has shape {}", name_, k, idx, shape_str(v.shape()),
                          shape_str(p.shape()));
      }
      dst[k] = clone(v.dim() > 0 && is_floating(v.dtype()) ? to_dtype(v, p.dtype()) : v);
    }
  }
  state_ = std::move(next);
  for (size_t i = 0; i < groups_.size(); ++i) {
    for (auto& [k, v] : s.group_options[i]) {
      if (groups_[i].options.count(k)) set_option(i, k, v);
    }
  }
}

}  // namespace ember::optim
