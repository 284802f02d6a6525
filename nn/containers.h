#pragma once
// Containers: Sequential (chains its children), ModuleList and ModuleDict (hold children
// for a parent's forward to use).
#include "nn/module.h"

namespace ember::nn {

class Sequential : public Module {
 public:
  Sequential() : Module("Sequential") {}
  explicit Sequential(std::vector<std::shared_ptr<Module>> modules);
  void append(std::shared_ptr<Module> m);
  size_t size() const { return named_children().size(); }
  std::shared_ptr<Module> at(int64_t index) const;  // negative counts from the end
  TensorList forward(const TensorList& inputs) override;
  Tensor forward(const Tensor& input) override;
};

class ModuleList : public Module {
 public:
  ModuleList() : Module("ModuleList") {}
  explicit ModuleList(std::vector<std::shared_ptr<Module>> modules);
  void append(std::shared_ptr<Module> m);
  void insert(int64_t index, std::shared_ptr<Module> m);
  size_t size() const { return named_children().size(); }
  std::shared_ptr<Module> at(int64_t index) const;
  void set(int64_t index, std::shared_ptr<Module> m);
};

class ModuleDict : public Module {
 public:
  ModuleDict() : Module("ModuleDict") {}
  void insert(const std::string& key, std::shared_ptr<Module> m);  // replaces an existing key
  std::shared_ptr<Module> at(const std::string& key) const;       // raises KeyError-like
  bool contains(const std::string& key) const { return has_child(key); }
  std::vector<std::string> keys() const;
  size_t size() const { return named_children().size(); }
};

// Wraps a negative index; raises IndexError naming the container.
int64_t container_index(int64_t index, size_t size, std::string_view what);

}  // namespace ember::nn
