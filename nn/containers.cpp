#include "nn/containers.h"

namespace ember::nn {

int64_t container_index(int64_t index, size_t size, std::string_view what) {
  int64_t n = static_cast<int64_t>(size);
  if (index < -n || index >= n) {
    raise<IndexError>("[{}] index {} is out of range for {} modules", what, index, n);
  }
  return index < 0 ? index + n : index;
}

Sequential::Sequential(std::vector<std::shared_ptr<Module>> modules) : Sequential() {
  for (auto& m : modules) append(std::move(m));
}

void Sequential::append(std::shared_ptr<Module> m) {
  register_module(std::to_string(size()), std::move(m));
}

std::shared_ptr<Module> Sequential::at(int64_t index) const {
  return named_children()[container_index(index, size(), "Sequential")].second;
}

TensorList Sequential::forward(const TensorList& inputs) {
  TensorList x = inputs;
  for (auto& [n, m] : named_children()) x = (*m)(x);
  return x;
}

Tensor Sequential::forward(const Tensor& input) {
  Tensor x = input;
  for (auto& [n, m] : named_children()) x = (*m)(x);
  return x;
}

ModuleList::ModuleList(std::vector<std::shared_ptr<Module>> modules) : ModuleList() {
  for (auto& m : modules) append(std::move(m));
}

void ModuleList::append(std::shared_ptr<Module> m) {
  register_module(std::to_string(size()), std::move(m));
}

std::shared_ptr<Module> ModuleList::at(int64_t index) const {
  return named_children()[container_index(index, size(), "ModuleList")].second;
}

void ModuleList::set(int64_t index, std::shared_ptr<Module> m) {
  set_module(std::to_string(container_index(index, size(), "ModuleList")), std::move(m));
}

void ModuleList::insert(int64_t index, std::shared_ptr<Module> m) {
  int64_t n = static_cast<int64_t>(size());
  int64_t at_ = index < 0 ? std::max<int64_t>(0, index + n) : std::min(index, n);
  std::vector<std::shared_ptr<Module>> all;
  for (auto& [k, c] : named_children()) all.push_back(c);
  all.insert(all.begin() + at_, std::move(m));
  while (size() > 0) remove(std::to_string(size() - 1));
  for (auto& c : all) append(c);
}

void ModuleDict::insert(const std::string& key, std::shared_ptr<Module> m) {
  if (!set_module(key, m)) register_module(key, std::move(m));
}

std::shared_ptr<Module> ModuleDict::at(const std::string& key) const {
  auto c = child(key);
  if (!c) raise<IndexError>("[ModuleDict] no module named '{}'", key);
  return c;
}

std::vector<std::string> ModuleDict::keys() const {
  std::vector<std::string> out;
  for (auto& [k, c] : named_children()) out.push_back(k);
  return out;
}

}  // namespace ember::nn
