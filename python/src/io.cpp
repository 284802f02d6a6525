// Checkpoint files (safetensors layout); ember/serialization.py builds save/load on these.
#include "core/io/safetensors.h"
#include "python/src/bindings.h"

namespace ember::python {
namespace {

py::tuple to_py(const io::Safetensors& st) {
  py::list tensors;
  for (auto& [k, t] : st.tensors) tensors.append(py::make_tuple(k, t));
  return py::make_tuple(tensors, st.metadata);
}

void bind_io(py::module_& m) {
  m.def("_save_safetensors", [](const std::string& path, const io::NamedTensors& tensors,
                                const io::Metadata& meta) {
    py::gil_scoped_release nogil;
    io::save_safetensors(path, tensors, meta);
  });
  m.def("_load_safetensors", [](const std::string& path) { return to_py(io::load_safetensors(path)); });
  m.def("_to_safetensors_bytes", [](const io::NamedTensors& tensors, const io::Metadata& meta) {
    return py::bytes(io::to_safetensors(tensors, meta));
  });
  m.def("_from_safetensors_bytes", [](py::bytes b) {
    std::string_view v = b;
    return to_py(io::from_safetensors(reinterpret_cast<const uint8_t*>(v.data()), v.size()));
  });
}
EMBER_PY_BINDING(30, bind_io);

}  // namespace
}  // namespace ember::python
