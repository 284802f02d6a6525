#pragma once
// Shared declarations of the binding files. Each python/src/*.cpp registers its binder with
// EMBER_PY_BINDING(order, fn); module.cpp runs them by order (the Tensor class first), so
// adding a binding file needs no edit elsewhere. Bindings only convert arguments and call
// one C++ function: no logic lives here that C++ lacks.
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "core/ops.h"
#include "eager/autograd.h"

namespace py = pybind11;

namespace ember::python {

using Binder = void (*)(py::module_&);
int register_binder(int order, Binder b);

// Orders: 0 types (dtype, device, errors), 10 Tensor class, 20+ op families, 90 late sugar.
#define EMBER_PY_BINDING_CAT2_(a, b) a##b
#define EMBER_PY_BINDING_CAT_(a, b) EMBER_PY_BINDING_CAT2_(a, b)
#define EMBER_PY_BINDING(order, fn) \
  static const int EMBER_PY_BINDING_CAT_(ember_binder_, __COUNTER__) = \
      ::ember::python::register_binder(order, fn)

// Python number (bool/int/float, numpy scalars included) -> Scalar; nullopt otherwise.
std::optional<Scalar> as_scalar(py::handle h);
// A tensor from a Tensor, or a wrapped 0-dim tensor from a Python number; raises TypeError
// naming `op` otherwise.
Tensor as_tensor_arg(py::handle h, std::string_view op);
// Shapes from `f(2, 3)`, `f((2, 3))` or `f([2, 3])` call styles.
std::vector<int64_t> shape_from_args(const py::args& args, std::string_view op);
std::vector<int64_t> int_list(py::handle h, std::string_view op);
DType dtype_arg(py::handle h);

}  // namespace ember::python
