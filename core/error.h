#pragma once
// Errors. Every message starts with the op or API name in brackets, e.g.
// "[add] shapes [2, 3] and [4] cannot be broadcast". The Python bindings map each
// class to the matching Python exception type.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <stdexcept>
#include <string>

namespace ember {

// Base of all Ember errors; maps to RuntimeError.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// Wrong argument value or shape; maps to ValueError.
class ValueError : public Error {
 public:
  using Error::Error;
};
// Wrong argument type or dtype; maps to TypeError.
class TypeError : public Error {
 public:
  using Error::Error;
};
// Index out of range; maps to IndexError.
class IndexError : public Error {
 public:
  using Error::Error;
};
// Feature not available in this build or on this device; maps to NotImplementedError.
class NotImplementedError : public Error {
 public:
  using Error::Error;
};

template <class E = Error, class... Args>
[[noreturn]] void raise(fmt::format_string<Args...> f, Args&&... args) {
  throw E(fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace ember

// EMBER_CHECK(cond, "[op] message {}", arg): throws ember::ValueError when cond is false.
#define EMBER_CHECK(cond, ...)                                        \
  do {                                                                \
    if (!(cond)) [[unlikely]] ::ember::raise<::ember::ValueError>(__VA_ARGS__); \
  } while (0)
#define EMBER_CHECK_TYPE(cond, ...)                                  \
  do {                                                               \
    if (!(cond)) [[unlikely]] ::ember::raise<::ember::TypeError>(__VA_ARGS__); \
  } while (0)
#define EMBER_CHECK_INDEX(cond, ...)                                  \
  do {                                                                \
    if (!(cond)) [[unlikely]] ::ember::raise<::ember::IndexError>(__VA_ARGS__); \
  } while (0)
