// Convolution and pooling: modules under ember._C.nn (re-exported by ember/nn/__init__.py) and
// functional forms under ember._C.nn.functional. Bindings only convert arguments.
#include "nn/conv.h"
#include "nn/pool.h"
#include "python/src/bindings.h"

namespace ember::python {
namespace {

using namespace ember::nn;

template <class T, class Base = Module>
using Cls = py::class_<T, Base, std::shared_ptr<T>>;

// An int or a sequence of `n` ints -> n values.
std::vector<int64_t> sizes(py::handle h, size_t n, std::string_view op, std::string_view what) {
  std::vector<int64_t> v = int_list(h, op);
  if (v.size() == 1 && n == 2) v.push_back(v[0]);
  if (v.size() != n) {
    raise<ValueError>("[{}] {} must be an int or a tuple of {} ints, got {} values", op, what, n,
                      v.size());
  }
  return v;
}
Pair pair(py::handle h, std::string_view op, std::string_view what) {
  auto v = sizes(h, 2, op, what);
  return {v[0], v[1]};
}
// Pooling modules keep the form given (int or pair) for repr.
std::vector<int64_t> as_given(py::handle h, std::string_view op, std::string_view what) {
  if (h.is_none() && what == "stride") return {};  // stride=None: the kernel size
  auto v = int_list(h, op);
  if (v.size() != 1 && v.size() != 2) {
    raise<ValueError>("[{}] {} must be an int or a pair of ints, got {} values", op, what,
                      v.size());
  }
  return v;
}
DType dtype_or_default(py::handle d) { return d.is_none() ? default_float_dtype() : dtype_arg(d); }
Tensor opt_tensor(py::handle h) { return h.is_none() ? Tensor() : h.cast<Tensor>(); }
void check_padding_mode(const std::string& mode, std::string_view mod) {
  if (mode != "zeros") {
    raise<ValueError>("[{}] padding_mode '{}' is not supported (only 'zeros')", mod, mode);
  }
}
py::tuple to_tuple(const std::vector<int64_t>& v) {
  py::tuple t(v.size());
  for (size_t i = 0; i < v.size(); ++i) t[i] = v[i];
  return t;
}
py::object size_obj(const std::vector<int64_t>& v) {
  if (v.size() == 1) return py::int_(v[0]);
  return to_tuple(v);
}

Tensor conv2d_fn(const Tensor& x, const Tensor& w, py::object bias, py::handle stride,
                 py::handle padding, py::handle dilation, int64_t groups) {
  Pair s = pair(stride, "conv2d", "stride"), d = pair(dilation, "conv2d", "dilation");
  if (py::isinstance<py::str>(padding)) {
    return conv2d_padding(x, w, opt_tensor(bias), s, padding.cast<std::string>(), d, groups);
  }
  return conv2d(x, w, opt_tensor(bias), s, pair(padding, "conv2d", "padding"), d, groups);
}

Tensor conv1d_fn(const Tensor& x, const Tensor& w, py::object bias, py::handle stride,
                 py::handle padding, py::handle dilation, int64_t groups) {
  int64_t s = sizes(stride, 1, "conv1d", "stride")[0];
  int64_t d = sizes(dilation, 1, "conv1d", "dilation")[0];
  if (py::isinstance<py::str>(padding)) {
    return conv1d_padding(x, w, opt_tensor(bias), s, padding.cast<std::string>(), d, groups);
  }
  return conv1d(x, w, opt_tensor(bias), s, sizes(padding, 1, "conv1d", "padding")[0], d, groups);
}

void bind_conv(py::module_& m) {
  py::module_ nm = m.attr("nn");

  py::class_<ConvNd, Module, std::shared_ptr<ConvNd>>(nm, "_ConvNd", py::dynamic_attr())
      .def("forward", [](ConvNd& c, const Tensor& x) { return c.forward(x); })
      .def("reset_parameters", &ConvNd::reset_parameters)
      .def_readonly("in_channels", &ConvNd::in_channels)
      .def_readonly("out_channels", &ConvNd::out_channels)
      .def_readonly("groups", &ConvNd::groups)
      .def_readonly("transposed", &ConvNd::transposed)
      .def_property_readonly("kernel_size", [](ConvNd& c) { return to_tuple(c.kernel_size); })
      .def_property_readonly("stride", [](ConvNd& c) { return to_tuple(c.stride); })
      .def_property_readonly("dilation", [](ConvNd& c) { return to_tuple(c.dilation); })
      .def_property_readonly("output_padding", [](ConvNd& c) { return to_tuple(c.output_padding); })
      .def_property_readonly("padding", [](ConvNd& c) -> py::object {
        if (!c.padding_str.empty()) return py::str(c.padding_str);
        return to_tuple(c.padding);
      })
      .def_property_readonly("padding_mode", [](ConvNd&) { return "zeros"; });

  Cls<Conv1d, ConvNd>(nm, "Conv1d", py::dynamic_attr())
      .def(py::init([](int64_t in, int64_t out, py::handle k, py::handle s, py::handle p,
                       py::handle d, int64_t g, bool bias, std::string mode, py::handle device,
                       py::handle dtype) {
        check_padding_mode(mode, "Conv1d");
        auto one = [](py::handle h, const char* what) { return sizes(h, 1, "Conv1d", what)[0]; };
        const bool ps = py::isinstance<py::str>(p);
        return std::make_shared<Conv1d>(in, out, one(k, "kernel_size"), one(s, "stride"),
                                        ps ? 0 : one(p, "padding"), one(d, "dilation"), g, bias,
                                        dtype_or_default(dtype), ps ? p.cast<std::string>() : "");
      }), py::arg("in_channels"), py::arg("out_channels"), py::arg("kernel_size"),
         py::arg("stride") = 1, py::arg("padding") = 0, py::arg("dilation") = 1,
         py::arg("groups") = 1, py::arg("bias") = true, py::arg("padding_mode") = "zeros",
         py::arg("device") = py::none(), py::arg("dtype") = py::none());

  Cls<Conv2d, ConvNd>(nm, "Conv2d", py::dynamic_attr())
      .def(py::init([](int64_t in, int64_t out, py::handle k, py::handle s, py::handle p,
                       py::handle d, int64_t g, bool bias, std::string mode, py::handle device,
                       py::handle dtype) {
        check_padding_mode(mode, "Conv2d");
        const bool ps = py::isinstance<py::str>(p);
        return std::make_shared<Conv2d>(
            in, out, pair(k, "Conv2d", "kernel_size"), pair(s, "Conv2d", "stride"),
            ps ? Pair{0, 0} : pair(p, "Conv2d", "padding"), pair(d, "Conv2d", "dilation"), g,
            bias, dtype_or_default(dtype), ps ? p.cast<std::string>() : "");
      }), py::arg("in_channels"), py::arg("out_channels"), py::arg("kernel_size"),
         py::arg("stride") = 1, py::arg("padding") = 0, py::arg("dilation") = 1,
         py::arg("groups") = 1, py::arg("bias") = true, py::arg("padding_mode") = "zeros",
         py::arg("device") = py::none(), py::arg("dtype") = py::none());

  Cls<ConvTranspose2d, ConvNd>(nm, "ConvTranspose2d", py::dynamic_attr())
      .def(py::init([](int64_t in, int64_t out, py::handle k, py::handle s, py::handle p,
                       py::handle op, int64_t g, bool bias, py::handle d, std::string mode,
                       py::handle device, py::handle dtype) {
        check_padding_mode(mode, "ConvTranspose2d");
        const char* n = "ConvTranspose2d";
        return std::make_shared<ConvTranspose2d>(
            in, out, pair(k, n, "kernel_size"), pair(s, n, "stride"), pair(p, n, "padding"),
            pair(op, n, "output_padding"), g, bias, pair(d, n, "dilation"),
            dtype_or_default(dtype));
      }), py::arg("in_channels"), py::arg("out_channels"), py::arg("kernel_size"),
         py::arg("stride") = 1, py::arg("padding") = 0, py::arg("output_padding") = 0,
         py::arg("groups") = 1, py::arg("bias") = true, py::arg("dilation") = 1,
         py::arg("padding_mode") = "zeros", py::arg("device") = py::none(),
         py::arg("dtype") = py::none());

  Cls<MaxPool2d>(nm, "MaxPool2d", py::dynamic_attr())
      .def(py::init([](py::handle k, py::handle s, py::handle p, py::handle d, bool ri, bool cm) {
        const char* n = "MaxPool2d";
        return std::make_shared<MaxPool2d>(as_given(k, n, "kernel_size"),
                                           as_given(s, n, "stride"),
                                           as_given(p, n, "padding"), as_given(d, n, "dilation"),
                                           ri, cm);
      }), py::arg("kernel_size"), py::arg("stride") = py::none(), py::arg("padding") = 0,
         py::arg("dilation") = 1, py::arg("return_indices") = false, py::arg("ceil_mode") = false)
      .def("forward", [](MaxPool2d& mp, const Tensor& x) -> py::object {
        if (!mp.return_indices) return py::cast(mp.forward(x));
        TensorList r = mp.forward(TensorList{x});
        return py::make_tuple(r[0], r[1]);
      })
      .def_property_readonly("kernel_size", [](MaxPool2d& p) { return size_obj(p.kernel_size); })
      .def_property_readonly("stride", [](MaxPool2d& p) { return size_obj(p.stride); })
      .def_property_readonly("padding", [](MaxPool2d& p) { return size_obj(p.padding); })
      .def_property_readonly("dilation", [](MaxPool2d& p) { return size_obj(p.dilation); })
      .def_readonly("return_indices", &MaxPool2d::return_indices)
      .def_readonly("ceil_mode", &MaxPool2d::ceil_mode);

  Cls<AvgPool2d>(nm, "AvgPool2d", py::dynamic_attr())
      .def(py::init([](py::handle k, py::handle s, py::handle p, bool cm, bool cip,
                       std::optional<int64_t> dov) {
        const char* n = "AvgPool2d";
        return std::make_shared<AvgPool2d>(as_given(k, n, "kernel_size"),
                                           as_given(s, n, "stride"),
                                           as_given(p, n, "padding"), cm, cip, dov);
      }), py::arg("kernel_size"), py::arg("stride") = py::none(), py::arg("padding") = 0,
         py::arg("ceil_mode") = false, py::arg("count_include_pad") = true,
         py::arg("divisor_override") = py::none())
      .def("forward", [](AvgPool2d& p, const Tensor& x) { return p.forward(x); })
      .def_property_readonly("kernel_size", [](AvgPool2d& p) { return size_obj(p.kernel_size); })
      .def_property_readonly("stride", [](AvgPool2d& p) { return size_obj(p.stride); })
      .def_property_readonly("padding", [](AvgPool2d& p) { return size_obj(p.padding); })
      .def_readonly("ceil_mode", &AvgPool2d::ceil_mode)
      .def_readonly("count_include_pad", &AvgPool2d::count_include_pad)
      .def_readonly("divisor_override", &AvgPool2d::divisor_override);

  Cls<AdaptiveAvgPool2d>(nm, "AdaptiveAvgPool2d", py::dynamic_attr())
      .def(py::init([](py::handle o) {
        std::vector<int64_t> v;
        if (py::isinstance<py::sequence>(o) && !py::isinstance<py::str>(o)) {
          for (py::object e : py::reinterpret_borrow<py::sequence>(o)) {
            v.push_back(e.is_none() ? -1 : int_list(e, "AdaptiveAvgPool2d").at(0));
          }
        } else {
          v = int_list(o, "AdaptiveAvgPool2d");
        }
        return std::make_shared<AdaptiveAvgPool2d>(v);
      }), py::arg("output_size"))
      .def("forward", [](AdaptiveAvgPool2d& p, const Tensor& x) { return p.forward(x); })
      .def_property_readonly("output_size", [](AdaptiveAvgPool2d& p) -> py::object {
        if (p.output_size.size() == 1) return py::int_(p.output_size[0]);
        py::tuple t(2);
        for (int i = 0; i < 2; ++i) {
          const int64_t v = p.output_size[i];
          t[i] = v < 0 ? py::object(py::none()) : py::object(py::int_(v));
        }
        return t;
      });

  // Functional forms.
  py::module_ F = nm.attr("functional");
  F.def("conv2d", &conv2d_fn, py::arg("input"), py::arg("weight"), py::arg("bias") = py::none(),
        py::arg("stride") = 1, py::arg("padding") = 0, py::arg("dilation") = 1,
        py::arg("groups") = 1);
  F.def("conv1d", &conv1d_fn, py::arg("input"), py::arg("weight"), py::arg("bias") = py::none(),
        py::arg("stride") = 1, py::arg("padding") = 0, py::arg("dilation") = 1,
        py::arg("groups") = 1);
  F.def("conv_transpose2d", [](const Tensor& x, const Tensor& w, py::object bias, py::handle s,
                               py::handle p, py::handle op, int64_t g, py::handle d) {
    const char* n = "conv_transpose2d";
    return conv_transpose2d(x, w, opt_tensor(bias), pair(s, n, "stride"), pair(p, n, "padding"),
                            pair(op, n, "output_padding"), g, pair(d, n, "dilation"));
  }, py::arg("input"), py::arg("weight"), py::arg("bias") = py::none(), py::arg("stride") = 1,
     py::arg("padding") = 0, py::arg("output_padding") = 0, py::arg("groups") = 1,
     py::arg("dilation") = 1);
  auto maxpool = [](const Tensor& x, py::handle k, py::handle s, py::handle p, py::handle d,
                    bool cm) {
    const char* n = "max_pool2d";
    std::optional<Pair> st;
    if (!s.is_none() && !(py::isinstance<py::sequence>(s) && py::len(s) == 0)) {
      st = pair(s, n, "stride");
    }
    return max_pool2d_with_indices(x, pair(k, n, "kernel_size"), st, pair(p, n, "padding"),
                                   pair(d, n, "dilation"), cm);
  };
  F.def("max_pool2d", [maxpool](const Tensor& x, py::handle k, py::handle s, py::handle p,
                                py::handle d, bool cm, bool ri) -> py::object {
    auto r = maxpool(x, k, s, p, d, cm);
    if (ri) return py::make_tuple(r.values, r.indices);
    return py::cast(r.values);
  }, py::arg("input"), py::arg("kernel_size"), py::arg("stride") = py::none(),
     py::arg("padding") = 0, py::arg("dilation") = 1, py::arg("ceil_mode") = false,
     py::arg("return_indices") = false);
  F.def("max_pool2d_with_indices", [maxpool](const Tensor& x, py::handle k, py::handle s,
                                             py::handle p, py::handle d, bool cm, bool) {
    auto r = maxpool(x, k, s, p, d, cm);
    return py::make_tuple(r.values, r.indices);
  }, py::arg("input"), py::arg("kernel_size"), py::arg("stride") = py::none(),
     py::arg("padding") = 0, py::arg("dilation") = 1, py::arg("ceil_mode") = false,
     py::arg("return_indices") = true);
  F.def("avg_pool2d", [](const Tensor& x, py::handle k, py::handle s, py::handle p, bool cm,
                         bool cip, std::optional<int64_t> dov) {
    const char* n = "avg_pool2d";
    std::optional<Pair> st;
    if (!s.is_none() && !(py::isinstance<py::sequence>(s) && py::len(s) == 0)) {
      st = pair(s, n, "stride");
    }
    if (dov && *dov <= 0) {
      raise<ValueError>("[avg_pool2d] divisor_override must be positive, got {}", *dov);
    }
    return avg_pool2d(x, pair(k, n, "kernel_size"), st, pair(p, n, "padding"), cm, cip,
                      dov.value_or(0));
  }, py::arg("input"), py::arg("kernel_size"), py::arg("stride") = py::none(),
     py::arg("padding") = 0, py::arg("ceil_mode") = false, py::arg("count_include_pad") = true,
     py::arg("divisor_override") = py::none());
  F.def("adaptive_avg_pool2d", [](const Tensor& x, py::handle o) {
    Pair out{-1, -1};
    if (py::isinstance<py::sequence>(o) && !py::isinstance<py::str>(o)) {
      auto seq = py::reinterpret_borrow<py::sequence>(o);
      if (py::len(seq) != 2) {
        raise<ValueError>("[adaptive_avg_pool2d] output_size must be an int or a pair, got {} "
                          "values", py::len(seq));
      }
      for (int i = 0; i < 2; ++i) {
        if (!seq[i].is_none()) out[i] = int_list(seq[i], "adaptive_avg_pool2d").at(0);
      }
    } else {
      out = pair(o, "adaptive_avg_pool2d", "output_size");
    }
    if (x.dim() >= 2) {
      if (out[0] == -1) out[0] = x.size(-2);
      if (out[1] == -1) out[1] = x.size(-1);
    }
    return adaptive_avg_pool2d(x, out);
  }, py::arg("input"), py::arg("output_size"));
}
EMBER_PY_BINDING(56, bind_conv);

}  // namespace
}  // namespace ember::python
