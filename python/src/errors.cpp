// Maps Ember's C++ exceptions to the matching Python exception types.
#include "core/attribute_error.h"
#include "python/src/bindings.h"

namespace ember::python {
namespace {
void bind_errors(py::module_& m) {
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const IndexError& e) {
      PyErr_SetString(PyExc_IndexError, e.what());
    } catch (const TypeError& e) {
      PyErr_SetString(PyExc_TypeError, e.what());
    } catch (const ValueError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const AttributeError& e) {
      PyErr_SetString(PyExc_AttributeError, e.what());
    } catch (const NotImplementedError& e) {
      PyErr_SetString(PyExc_NotImplementedError, e.what());
    } catch (const Error& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    }
  });
}
EMBER_PY_BINDING(0, bind_errors);
}  // namespace
}  // namespace ember::python
