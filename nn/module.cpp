#include "nn/module.h"

#include <absl/container/flat_hash_set.h>

#include <algorithm>

#include "core/attribute_error.h"
#include "core/device_copy.h"
#include "core/ops.h"
#include "eager/autograd.h"

namespace ember::nn {

Module::Module(std::string type_name) : type_name_(std::move(type_name)) {}

TensorList Module::forward(const TensorList& inputs) {
  if (inputs.size() != 1) {
    raise<ValueError>("[{}] forward takes 1 input, got {}", type_name(), inputs.size());
  }
  return {forward(inputs[0])};
}

Tensor Module::forward(const Tensor&) {
  raise<NotImplementedError>("[{}] has no forward(); subclasses must implement it", type_name());
}

TensorList Module::operator()(const TensorList& inputs) {
  if (pre_hooks_.empty() && post_hooks_.empty()) return forward(inputs);
  TensorList in = inputs;
  for (auto& [id, h] : pre_hooks_) {
    TensorList r = h(*this, in);
    if (!r.empty()) in = std::move(r);
  }
  TensorList out = forward(in);
  for (auto& [id, h] : post_hooks_) {
    TensorList r = h(*this, in, out);
    if (!r.empty()) out = std::move(r);
  }
  return out;
}

Tensor Module::operator()(const Tensor& input) {
  if (pre_hooks_.empty() && post_hooks_.empty()) return forward(input);
  TensorList out = (*this)(TensorList{input});
  return out.at(0);
}

void Module::check_new_name(const std::string& name, std::string_view what) const {
  if (name.empty() || name.find('.') != std::string::npos) {
    raise<ValueError>("[{}] {} name '{}' must be non-empty and contain no '.'", type_name(), what,
                      name);
  }
  if (has_parameter(name) || has_buffer(name) || has_child(name)) {
    raise<ValueError>("[{}] attribute '{}' already exists", type_name(), name);
  }
}

Tensor Module::register_parameter(const std::string& name, Tensor t, bool requires_grad) {
  check_new_name(name, "parameter");
  forget_removed(name);
  if (t.defined() && requires_grad && !t.requires_grad()) set_requires_grad(t, true);
  params_.push_back({name, t});
  return t;
}

Tensor Module::register_buffer(const std::string& name, Tensor t, bool persistent) {
  check_new_name(name, "buffer");
  forget_removed(name);
  buffers_.push_back({name, t, persistent});
  return t;
}

std::shared_ptr<Module> Module::register_module(const std::string& name, std::shared_ptr<Module> m) {
  check_new_name(name, "module");
  children_.emplace_back(name, std::move(m));
  return children_.back().second;
}

bool Module::set_parameter(const std::string& name, Tensor t) {
  for (auto& p : params_) {
    if (p.name == name) {
      p.tensor = std::move(t);
      return true;
    }
  }
  return false;
}

bool Module::set_buffer(const std::string& name, Tensor t) {
  for (auto& b : buffers_) {
    if (b.name == name) {
      b.tensor = std::move(t);
      return true;
    }
  }
  return false;
}

bool Module::set_module(const std::string& name, std::shared_ptr<Module> m) {
  for (auto& [n, c] : children_) {
    if (n == name) {
      c = std::move(m);
      return true;
    }
  }
  return false;
}

bool Module::remove(const std::string& name) {
  auto erase = [&](auto& v, auto key) {
    auto it = std::find_if(v.begin(), v.end(), key);
    if (it == v.end()) return false;
    v.erase(it);
    return true;
  };
  if (erase(params_, [&](auto& p) { return p.name == name; }) ||
      erase(buffers_, [&](auto& b) { return b.name == name; })) {
    removed_.push_back(name);
    return true;
  }
  return erase(children_, [&](auto& c) { return c.first == name; });
}

void Module::raise_removed(const std::string& name, std::string_view what) const {
  raise<AttributeError>("[{}] {} '{}' was removed (del module.{}); assign or register a new one "
                        "before using the module", type_name_, what, name, name);
}

void Module::forget_removed(const std::string& name) {
  std::erase(removed_, name);
}

Tensor Module::parameter(const std::string& name) const {
  for (auto& p : params_) if (p.name == name) return p.tensor;
  if (!removed_.empty() && std::ranges::count(removed_, name)) raise_removed(name, "parameter");
  return {};
}
Tensor Module::buffer(const std::string& name) const {
  for (auto& b : buffers_) if (b.name == name) return b.tensor;
  if (!removed_.empty() && std::ranges::count(removed_, name)) raise_removed(name, "buffer");
  return {};
}
std::shared_ptr<Module> Module::child(const std::string& name) const {
  for (auto& [n, c] : children_) if (n == name) return c;
  return nullptr;
}
bool Module::has_parameter(const std::string& name) const {
  return std::any_of(params_.begin(), params_.end(), [&](auto& p) { return p.name == name; });
}
bool Module::has_buffer(const std::string& name) const {
  return std::any_of(buffers_.begin(), buffers_.end(), [&](auto& b) { return b.name == name; });
}
bool Module::has_child(const std::string& name) const {
  return std::any_of(children_.begin(), children_.end(), [&](auto& c) { return c.first == name; });
}

namespace {
std::string join(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}
}  // namespace

NamedTensors Module::named_parameters(const std::string& prefix, bool recurse) const {
  NamedTensors out;
  absl::flat_hash_set<const TensorImpl*> seen;
  std::function<void(const Module&, const std::string&)> visit = [&](const Module& m,
                                                                     const std::string& pre) {
    for (auto& p : m.params_) {
      if (p.tensor.defined() && seen.insert(p.tensor.impl()).second) {
        out.emplace_back(join(pre, p.name), p.tensor);
      }
    }
    if (!recurse) return;
    for (auto& [n, c] : m.children_) {
      if (c) visit(*c, join(pre, n));
    }
  };
  visit(*this, prefix);
  return out;
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [n, t] : named_parameters("", recurse)) out.push_back(t);
  return out;
}

NamedTensors Module::named_buffers(const std::string& prefix, bool recurse) const {
  NamedTensors out;
  std::function<void(const Module&, const std::string&)> visit = [&](const Module& m,
                                                                     const std::string& pre) {
    for (auto& b : m.buffers_) {
      if (b.tensor.defined()) out.emplace_back(join(pre, b.name), b.tensor);
    }
    if (!recurse) return;
    for (auto& [n, c] : m.children_) {
      if (c) visit(*c, join(pre, n));
    }
  };
  visit(*this, prefix);
  return out;
}

std::vector<Tensor> Module::buffers(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [n, t] : named_buffers("", recurse)) out.push_back(t);
  return out;
}

std::vector<std::shared_ptr<Module>> Module::children() const {
  std::vector<std::shared_ptr<Module>> out;
  for (auto& [n, c] : children_) if (c) out.push_back(c);
  return out;
}

std::vector<std::pair<std::string, std::shared_ptr<Module>>> Module::named_modules(
    const std::string& prefix) {
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> out;
  absl::flat_hash_set<const Module*> seen;
  std::function<void(const std::shared_ptr<Module>&, const std::string&)> visit =
      [&](const std::shared_ptr<Module>& m, const std::string& pre) {
        if (!seen.insert(m.get()).second) return;
        out.emplace_back(pre, m);
        for (auto& [n, c] : m->children_) {
          if (c) visit(c, join(pre, n));
        }
      };
  visit(shared_from_this(), prefix);
  return out;
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [n, c] : children_) {
    if (c) c->train(on);
  }
}

void Module::zero_grad(bool set_to_none) {
  for (const Tensor& p : parameters()) {
    Tensor g = grad_of(p);
    if (!g.defined()) continue;
    if (set_to_none) {
      set_grad(p, Tensor());
    } else {
      NoGradGuard ng;
      zero_(g);  // dispatched, so a traced step records it
    }
  }
}

void Module::requires_grad_(bool r) {
  for (const Tensor& p : parameters()) set_requires_grad(p, r);
}

void Module::to(DType dtype) {
  NoGradGuard ng;
  auto convert = [&](const Tensor& t) {
    if (!t.defined() || !is_floating(t.dtype()) || t.dtype() == dtype) return;
    Tensor c = to_dtype(t, dtype);
    t.impl()->set_data(*c.impl());
    Tensor g = grad_of(t);
    if (g.defined()) set_grad(t, to_dtype(g, dtype));
  };
  for (const Tensor& p : parameters()) convert(p);
  for (const Tensor& b : buffers()) convert(b);
}

void Module::to(Device device) {
  // In place, as in PyTorch: each parameter and buffer keeps its identity (optimizers and
  // state dicts hold them) and points at a copy on `device`; gradients move along.
  NoGradGuard ng;
  auto move = [&](const Tensor& t) {
    if (!t.defined() || t.device() == device) return;
    Tensor c = to_device(t, device);
    t.impl()->set_data(*c.impl());
    Tensor g = grad_of(t);
    if (g.defined()) set_grad(t, to_device(g, device));
  };
  for (const Tensor& p : parameters()) move(p);
  for (const Tensor& b : buffers()) move(b);
}

void Module::apply(const std::function<void(Module&)>& fn) {
  for (auto& [n, c] : children_) {
    if (c) c->apply(fn);
  }
  fn(*this);
}

void Module::collect_state(const std::string& prefix, StateDict& out) const {
  for (auto& p : params_) {
    if (p.tensor.defined()) out.emplace_back(join(prefix, p.name), p.tensor);
  }
  for (auto& b : buffers_) {
    if (b.tensor.defined() && b.persistent) out.emplace_back(join(prefix, b.name), b.tensor);
  }
  for (auto& [n, c] : children_) {
    if (c) c->collect_state(join(prefix, n), out);
  }
}

StateDict Module::state_dict(const std::string& prefix) const {
  StateDict out;
  collect_state(prefix, out);
  // detach: a state dict holds data, not history (same storage, as in PyTorch)
  for (auto& [k, v] : out) v = detach(v);
  return out;
}

LoadStateDictResult Module::load_state_dict(const StateDict& state, bool strict) {
  StateDict own;
  collect_state("", own);
  LoadStateDictResult r;
  absl::flat_hash_set<std::string> expected;
  for (auto& [k, v] : own) expected.insert(k);
  for (auto& [k, v] : state) {
    if (!expected.contains(k)) r.unexpected_keys.push_back(k);
  }
  NoGradGuard ng;
  for (auto& [k, dst] : own) {
    // A named copy: clang before 16 cannot capture a structured binding.
    const std::string& key = k;
    auto it = std::find_if(state.begin(), state.end(), [&](auto& kv) { return kv.first == key; });
    if (it == state.end()) {
      r.missing_keys.push_back(k);
      continue;
    }
    const Tensor& src = it->second;
    if (src.shape() != dst.shape()) {
      r.mismatched.push_back(fmt::format(
          "size mismatch for {}: copying a param with shape {} from checkpoint, the shape in "
          "current model is {}", k, shape_str(src.shape()), shape_str(dst.shape())));
      continue;
    }
    copy_(dst, to_device(src, dst.device()));  // a CPU checkpoint loads into a CUDA model
  }
  bool fail = !r.mismatched.empty() || (strict && !r.ok());
  if (fail) {
    std::string msg = fmt::format("[{}.load_state_dict] Error(s) in loading state_dict for {}:",
                                  type_name(), type_name());
    if (strict && !r.missing_keys.empty()) {
      msg += fmt::format(" Missing key(s): \"{}\".", fmt::join(r.missing_keys, "\", \""));
    }
    if (strict && !r.unexpected_keys.empty()) {
      msg += fmt::format(" Unexpected key(s): \"{}\".", fmt::join(r.unexpected_keys, "\", \""));
    }
    for (auto& m : r.mismatched) msg += " " + m + ".";
    raise<Error>("{}", msg);
  }
  return r;
}

std::string Module::repr() const {
  std::string extra = extra_repr();
  if (children_.empty()) return type_name() + "(" + extra + ")";
  std::string out = type_name() + "(";
  if (!extra.empty()) out += "\n  " + extra;
  for (auto& [n, c] : children_) {
    std::string child = c ? c->repr() : "None";
    // indent nested lines
    std::string indented;
    for (char ch : child) {
      indented += ch;
      if (ch == '\n') indented += "  ";
    }
    out += "\n  (" + n + "): " + indented;
  }
  return out + "\n)";
}

int64_t Module::register_forward_pre_hook(PreHook h) {
  pre_hooks_.emplace_back(next_hook_, std::move(h));
  return next_hook_++;
}

int64_t Module::register_forward_hook(PostHook h) {
  post_hooks_.emplace_back(next_hook_, std::move(h));
  return next_hook_++;
}

void Module::remove_hook(int64_t handle) {
  std::erase_if(pre_hooks_, [&](auto& p) { return p.first == handle; });
  std::erase_if(post_hooks_, [&](auto& p) { return p.first == handle; });
}

}  // namespace ember::nn
