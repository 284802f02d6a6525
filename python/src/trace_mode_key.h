#pragma once
// The train/eval flags of some modules and all their submodules (pre-order), as text: part
// of a Function's call signature. Computed in C++ on every call, since walking the module
// tree in Python cost more than replaying a small traced step.
#include <memory>
#include <string>
#include <vector>

#include "nn/module.h"

namespace ember::python {

class ModeKey {
 public:
  explicit ModeKey(std::vector<std::shared_ptr<nn::Module>> roots) : roots_(std::move(roots)) {}
  std::string operator()() const {
    std::string key;
    for (const auto& m : roots_) {
      append(*m, key);
      key.push_back('|');
    }
    return key;
  }

 private:
  static void append(const nn::Module& m, std::string& key) {
    key.push_back(m.is_training() ? 'T' : 'E');
    for (const auto& [name, child] : m.named_children()) {
      if (child) append(*child, key);
    }
  }
  std::vector<std::shared_ptr<nn::Module>> roots_;
};

}  // namespace ember::python
