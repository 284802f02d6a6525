#pragma once
// nn::Module: named parameters, buffers and submodules (in registration order), train/eval
// mode, state dicts, hooks. Layers subclass it and implement forward. Python classes
// subclass the same type through the bindings, so a Python module sits in a C++ Sequential
// and a C++ layer in a Python model alike.
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace ember::nn {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;
using StateDict = NamedTensors;  // ordered: the order parameters were registered

// What load_state_dict found wrong; `strict` loading raises when any list is non-empty.
struct LoadStateDictResult {
  std::vector<std::string> missing_keys;
  std::vector<std::string> unexpected_keys;
  std::vector<std::string> mismatched;  // "name: expected [..], got [..]"
  bool ok() const { return missing_keys.empty() && unexpected_keys.empty() && mismatched.empty(); }
};

class Module : public std::enable_shared_from_this<Module> {
 public:
  explicit Module(std::string type_name = "Module");
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // The class name shown in repr and errors ("Linear"); Python subclasses report theirs.
  virtual std::string type_name() const { return type_name_; }
  void set_type_name(std::string n) { type_name_ = std::move(n); }

  // The computation. Modules with one input and one output may override the Tensor form;
  // containers call the list form, which by default forwards to the Tensor form.
  virtual TensorList forward(const TensorList& inputs);
  virtual Tensor forward(const Tensor& input);
  // Runs forward pre-hooks, forward, then forward hooks.
  TensorList operator()(const TensorList& inputs);
  Tensor operator()(const Tensor& input);

  // Registration (names must be new, non-empty and without '.').
  Tensor register_parameter(const std::string& name, Tensor t, bool requires_grad = true);
  Tensor register_buffer(const std::string& name, Tensor t, bool persistent = true);
  std::shared_ptr<Module> register_module(const std::string& name, std::shared_ptr<Module> m);
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> m) {
    register_module(name, std::static_pointer_cast<Module>(m));
    return m;
  }
  // Replaces a registered entry (parameter, buffer or submodule); false if absent.
  bool set_parameter(const std::string& name, Tensor t);
  bool set_buffer(const std::string& name, Tensor t);
  bool set_module(const std::string& name, std::shared_ptr<Module> m);
  bool remove(const std::string& name);

  // Direct members (no recursion); null/undefined if absent. A parameter or buffer removed
  // with remove() (Python `del module.weight`) raises AttributeError until it is registered
  // again, so a layer's forward reports it instead of reading an undefined tensor.
  Tensor parameter(const std::string& name) const;
  Tensor buffer(const std::string& name) const;
  std::shared_ptr<Module> child(const std::string& name) const;
  bool has_parameter(const std::string& name) const;
  bool has_buffer(const std::string& name) const;
  bool has_child(const std::string& name) const;

  // Traversal, in registration order; duplicates (shared parameters) listed once.
  std::vector<Tensor> parameters(bool recurse = true) const;
  NamedTensors named_parameters(const std::string& prefix = "", bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  NamedTensors named_buffers(const std::string& prefix = "", bool recurse = true) const;
  std::vector<std::shared_ptr<Module>> children() const;
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& named_children() const {
    return children_;
  }
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_modules(
      const std::string& prefix = "");

  // Modes and bulk updates.
  virtual void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }
  void set_training_flag(bool on) { training_ = on; }  // this module only
  void zero_grad(bool set_to_none = true);
  void requires_grad_(bool requires_grad = true);
  void to(DType dtype);  // floating parameters and buffers, in place (same tensors)
  void to(Device device);
  void apply(const std::function<void(Module&)>& fn);

  StateDict state_dict(const std::string& prefix = "") const;
  LoadStateDictResult load_state_dict(const StateDict& state, bool strict = true);

  // Text after the type name in repr: "in_features=10, out_features=1, bias=True".
  virtual std::string extra_repr() const { return ""; }
  std::string repr() const;

  using PreHook = std::function<TensorList(Module&, const TensorList&)>;
  using PostHook = std::function<TensorList(Module&, const TensorList&, const TensorList&)>;
  int64_t register_forward_pre_hook(PreHook h);
  int64_t register_forward_hook(PostHook h);
  void remove_hook(int64_t handle);

 private:
  struct ParamSlot {
    std::string name;
    Tensor tensor;  // undefined: registered as None
  };
  struct BufferSlot {
    std::string name;
    Tensor tensor;
    bool persistent;
  };
  void check_new_name(const std::string& name, std::string_view what) const;
  [[noreturn]] void raise_removed(const std::string& name, std::string_view what) const;
  void forget_removed(const std::string& name);
  void collect_state(const std::string& prefix, StateDict& out) const;

  std::string type_name_;
  std::vector<ParamSlot> params_;
  std::vector<BufferSlot> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  std::vector<std::string> removed_;  // parameters and buffers taken out by remove()
  bool training_ = true;
  std::vector<std::pair<int64_t, PreHook>> pre_hooks_;
  std::vector<std::pair<int64_t, PostHook>> post_hooks_;
  int64_t next_hook_ = 0;
};

}  // namespace ember::nn
