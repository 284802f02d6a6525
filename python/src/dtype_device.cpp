#include "python/src/bindings.h"

namespace ember::python {
namespace {

void bind_dtype_device(py::module_& m) {
  py::enum_<DType> dt(m, "dtype");
  for (int i = 0; i < kNumDTypes; ++i) {
    auto d = static_cast<DType>(i);
    dt.value(std::string(dtype_name(d)).c_str(), d);
  }
  dt.def("__repr__", [](DType d) { return "ember." + std::string(dtype_name(d)); })
      .def("__str__", [](DType d) { return "ember." + std::string(dtype_name(d)); })
      .def_property_readonly("is_floating_point", [](DType d) { return is_floating(d); })
      .def_property_readonly("itemsize", [](DType d) { return itemsize(d); });
  m.def("promote_types", &promote_types);
  m.def("dtype_from_name", [](const std::string& n) { return dtype_from_name(n); });
  // The process-wide default floating dtype (core/default_dtype.h); ember.set_default_dtype
  // wraps the setter to accept dtype names too.
  m.def("get_default_dtype", &default_dtype, "The default floating dtype (float32 at start).");
  m.def(
      "_set_default_dtype", [](py::handle d) { set_default_dtype(dtype_arg(d)); },
      py::arg("dtype"));

  py::class_<Device>(m, "device")
      .def(py::init([](const std::string& s) { return Device(s); }))
      .def(py::init([](const std::string& type, int index) {
        return Device(type + ":" + std::to_string(index));
      }))
      .def_property_readonly("type", [](const Device& d) { return d.is_cpu() ? "cpu" : "cuda"; })
      .def_property_readonly("index", [](const Device& d) -> py::object {
        if (d.is_cpu()) return py::none();
        return py::int_(d.index);
      })
      .def("__str__", &Device::str)
      .def("__repr__", [](const Device& d) {
        return d.is_cpu() ? std::string("device(type='cpu')")
                          : fmt::format("device(type='cuda', index={})", d.index);
      })
      .def("__eq__", [](const Device& a, const Device& b) { return a == b; })
      .def("__eq__", [](const Device& a, const std::string& b) { return a == Device(b); })
      .def("__hash__", [](const Device& d) { return static_cast<int>(d.type) * 256 + d.index; });
  py::implicitly_convertible<py::str, Device>();
}
EMBER_PY_BINDING(0, bind_dtype_device);

}  // namespace
}  // namespace ember::python
