#pragma once
// Shared helpers for the keras_like tests: seeding and error-message checks.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/random/generator.h"
#include "core/tensor.h"

namespace ember::keras::testing {

template <class T>
Tensor from_vector(const std::vector<T>& values, IntList shape) {
  Tensor t = Tensor::empty(shape, dtype_v<T>);
  std::memcpy(t.data<T>(), values.data(), values.size() * sizeof(T));
  return t;
}

inline void seed(uint64_t s) { default_generator().manual_seed(s); }

// Runs fn, expects an ember::Error whose message contains every fragment.
template <class Fn>
void expect_error(Fn&& fn, std::initializer_list<std::string> fragments) {
  try {
    fn();
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    std::string msg = e.what();
    for (const auto& f : fragments) EXPECT_NE(msg.find(f), std::string::npos) << msg;
  }
}

}  // namespace ember::keras::testing
