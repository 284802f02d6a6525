#pragma once
// AttributeError: a named member that does not exist, e.g. a module parameter removed with
// `del module.weight`. Maps to Python's AttributeError (python/src/errors.cpp).
#include "core/error.h"

namespace ember {

class AttributeError : public Error {
 public:
  using Error::Error;
};

}  // namespace ember
