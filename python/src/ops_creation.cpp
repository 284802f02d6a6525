// Factory functions (zeros, ones, full, empty, *_like, arange, linspace, logspace, eye,
// scalar_tensor), the Tensor.new_* methods, fill_ and zero_.
#include "core/device_copy.h"
#include "python/src/factory_args.h"

namespace ember::python {
namespace {

Tensor filled(const char* op, const py::args& args, py::handle size, const Scalar& value,
              py::handle dtype, py::handle device, bool requires_grad) {
  auto shape = size_arg(args, size, op);
  return with_grad(
      full(shape, value, opt_dtype(dtype).value_or(default_float_dtype()), device_arg(device)),
      requires_grad);
}

// *_like(t, device=d): made on t's device, then moved (rare; keeps the C++ API small).
Tensor like_device_check(Tensor t, py::handle device, std::string_view op) {
  if (!device.is_none() && device_arg(device) != t.device()) return to_device(t, device_arg(device));
  return t;
}

void bind_creation(py::module_& m) {
  auto T = py::reinterpret_borrow<py::class_<Tensor>>(m.attr("Tensor"));
  const auto kw_dtype = py::arg("dtype") = py::none();
  const auto kw_device = py::arg("device") = py::none();
  const auto kw_grad = py::arg("requires_grad") = false;
  const auto kw_size = py::arg("size") = py::none();

  m.def(
      "zeros",
      [](const py::args& a, py::handle dtype, py::handle device, bool rg, py::handle size) {
        return filled("zeros", a, size, 0, dtype, device, rg);
      },
      kw_dtype, kw_device, kw_grad, kw_size, "A tensor of zeros: zeros(2, 3) or zeros((2, 3)).");
  m.def(
      "ones",
      [](const py::args& a, py::handle dtype, py::handle device, bool rg, py::handle size) {
        return filled("ones", a, size, 1, dtype, device, rg);
      },
      kw_dtype, kw_device, kw_grad, kw_size, "A tensor of ones: ones(2, 3) or ones((2, 3)).");
  m.def(
      "empty",
      [](const py::args& a, py::handle dtype, py::handle device, bool rg, py::handle size) {
        auto shape = size_arg(a, size, "empty");
        return with_grad(
            empty(shape, opt_dtype(dtype).value_or(default_float_dtype()), device_arg(device)), rg);
      },
      kw_dtype, kw_device, kw_grad, kw_size, "An uninitialized tensor.");
  m.def(
      "full",
      [](py::handle size, py::handle value, py::handle dtype, py::handle device, bool rg) {
        return with_grad(full(int_list(size, "full"), scalar_arg(value, "full", "fill_value"),
                              opt_dtype(dtype), device_arg(device)),
                         rg);
      },
      py::arg("size"), py::arg("fill_value"), py::kw_only(), kw_dtype, kw_device, kw_grad,
      "A tensor filled with fill_value; the dtype follows the value (bool, int64, float32).");

  m.def(
      "zeros_like",
      [](const Tensor& t, py::handle dtype, py::handle device, bool rg) {
        return with_grad(like_device_check(zeros_like(t, opt_dtype(dtype)), device, "zeros_like"),
                         rg);
      },
      py::arg("input"), py::kw_only(), kw_dtype, kw_device, kw_grad);
  m.def(
      "ones_like",
      [](const Tensor& t, py::handle dtype, py::handle device, bool rg) {
        return with_grad(like_device_check(ones_like(t, opt_dtype(dtype)), device, "ones_like"),
                         rg);
      },
      py::arg("input"), py::kw_only(), kw_dtype, kw_device, kw_grad);
  m.def(
      "empty_like",
      [](const Tensor& t, py::handle dtype, py::handle device, bool rg) {
        return with_grad(like_device_check(empty_like(t, opt_dtype(dtype)), device, "empty_like"),
                         rg);
      },
      py::arg("input"), py::kw_only(), kw_dtype, kw_device, kw_grad);
  m.def(
      "full_like",
      [](const Tensor& t, py::handle value, py::handle dtype, py::handle device, bool rg) {
        Tensor r = full_like(t, scalar_arg(value, "full_like", "fill_value"), opt_dtype(dtype));
        return with_grad(like_device_check(r, device, "full_like"), rg);
      },
      py::arg("input"), py::arg("fill_value"), py::kw_only(), kw_dtype, kw_device, kw_grad);

  // arange(end), arange(start, end), arange(start, end, step); also start=/end=/step= keywords.
  m.def(
      "arange",
      [](const py::args& a, py::handle start, py::handle end, py::handle step, py::handle dtype,
         py::handle device, bool rg) {
        if (a.size() > 3)
          raise<TypeError>("[arange] takes at most 3 positional arguments, got {}", a.size());
        py::object s =
            start.is_none() ? py::object(py::int_(0)) : py::reinterpret_borrow<py::object>(start);
        py::object e = py::reinterpret_borrow<py::object>(end);
        py::object st =
            step.is_none() ? py::object(py::int_(1)) : py::reinterpret_borrow<py::object>(step);
        if (a.size() == 1) {
          if (!e.is_none()) {  // arange(start, end=...)
            s = a[0];
          } else {
            e = a[0];
          }
        } else if (a.size() >= 2) {
          s = a[0];
          e = a[1];
          if (a.size() == 3) st = a[2];
        }
        if (e.is_none()) raise<TypeError>("[arange] missing the end of the range");
        return with_grad(
            arange(scalar_arg(s, "arange", "start"), scalar_arg(e, "arange", "end"),
                   scalar_arg(st, "arange", "step"), opt_dtype(dtype), device_arg(device)),
            rg);
      },
      py::arg("start") = py::none(), py::arg("end") = py::none(), py::arg("step") = py::none(),
      kw_dtype, kw_device, kw_grad,
      "Values start, start + step, ... below end: int64 for integer bounds, float32 otherwise.");
  m.def(
      "linspace",
      [](py::handle start, py::handle end, int64_t steps, py::handle dtype, py::handle device,
         bool rg) {
        return with_grad(linspace(scalar_arg(start, "linspace", "start").to_double(),
                                  scalar_arg(end, "linspace", "end").to_double(), steps,
                                  opt_dtype(dtype), device_arg(device)),
                         rg);
      },
      py::arg("start"), py::arg("end"), py::arg("steps"), py::kw_only(), kw_dtype, kw_device,
      kw_grad);
  m.def(
      "logspace",
      [](py::handle start, py::handle end, int64_t steps, double base, py::handle dtype,
         py::handle device, bool rg) {
        return with_grad(logspace(scalar_arg(start, "logspace", "start").to_double(),
                                  scalar_arg(end, "logspace", "end").to_double(), steps, base,
                                  opt_dtype(dtype), device_arg(device)),
                         rg);
      },
      py::arg("start"), py::arg("end"), py::arg("steps"), py::arg("base") = 10.0, py::kw_only(),
      kw_dtype, kw_device, kw_grad);
  m.def(
      "eye",
      [](int64_t n, std::optional<int64_t> mcols, py::handle dtype, py::handle device, bool rg) {
        return with_grad(
            eye(n, mcols, opt_dtype(dtype).value_or(default_float_dtype()), device_arg(device)),
            rg);
      },
      py::arg("n"), py::arg("m") = py::none(), py::kw_only(), kw_dtype, kw_device, kw_grad);
  m.def(
      "scalar_tensor",
      [](py::handle v, py::handle dtype, py::handle device, bool rg) {
        Scalar s = scalar_arg(v, "scalar_tensor", "s");
        return with_grad(
            scalar_tensor(s, opt_dtype(dtype).value_or(default_float_dtype()), device_arg(device)),
            rg);
      },
      py::arg("s"), py::kw_only(), kw_dtype, kw_device, kw_grad);

  // Tensor.new_*: dtype and device default to self's.
  auto new_filled = [](const char* op, const Tensor& self, py::handle size_args, py::handle value,
                       py::handle dtype, py::handle device, bool rg) {
    std::vector<int64_t> shape = int_list(size_args, op);
    DType d = opt_dtype(dtype).value_or(self.dtype());
    Device dev = device.is_none() ? self.device() : device_arg(device);
    Tensor r = value.is_none() ? empty(shape, d, dev)
                               : full(shape, scalar_arg(value, op, "fill_value"), d, dev);
    return with_grad(r, rg);
  };
  T.def(
       "new_zeros",
       [new_filled](const Tensor& self, const py::args& a, py::handle dtype, py::handle device,
                    bool rg) {
         return new_filled("new_zeros", self, a.size() == 1 ? a[0] : py::handle(a), py::int_(0),
                           dtype, device, rg);
       },
       kw_dtype, kw_device, kw_grad)
      .def(
          "new_ones",
          [new_filled](const Tensor& self, const py::args& a, py::handle dtype, py::handle device,
                       bool rg) {
            return new_filled("new_ones", self, a.size() == 1 ? a[0] : py::handle(a), py::int_(1),
                              dtype, device, rg);
          },
          kw_dtype, kw_device, kw_grad)
      .def(
          "new_empty",
          [new_filled](const Tensor& self, const py::args& a, py::handle dtype, py::handle device,
                       bool rg) {
            return new_filled("new_empty", self, a.size() == 1 ? a[0] : py::handle(a), py::none(),
                              dtype, device, rg);
          },
          kw_dtype, kw_device, kw_grad)
      .def(
          "new_full",
          [new_filled](const Tensor& self, py::handle size, py::handle value, py::handle dtype,
                       py::handle device, bool rg) {
            return new_filled("new_full", self, size, value, dtype, device, rg);
          },
          py::arg("size"), py::arg("fill_value"), py::kw_only(), kw_dtype, kw_device, kw_grad)
      .def(
          "fill_",
          [](const Tensor& self, py::handle v) {
            return fill_(self, scalar_arg(v, "fill_", "value"));
          },
          py::arg("value"))
      .def("zero_", [](const Tensor& self) { return zero_(self); });
}
EMBER_PY_BINDING(30, bind_creation);

}  // namespace
}  // namespace ember::python
