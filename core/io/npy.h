#pragma once
// NumPy .npy files (format versions 1-3, little-endian, C or Fortran order), so C++ tools
// exchange arrays with Python without extra dependencies. The reader validates the header
// and the data size before reading.
#include <string>

#include "core/tensor.h"

namespace ember::io {

Tensor load_npy(const std::string& path);
Tensor parse_npy(const uint8_t* data, size_t size);
void save_npy(const std::string& path, const Tensor& t);
std::string to_npy(const Tensor& t);

}  // namespace ember::io
