#pragma once
// NumPy .npz archives (np.savez / np.savez_compressed): a zip of .npy members, stored or
// deflated. The reader validates every offset and size against the archive before reading,
// and bounds what a member may inflate to, so a damaged or hostile file raises
// ember::ValueError instead of reading out of bounds or exhausting memory.
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace ember::io {

using NpzArrays = std::vector<std::pair<std::string, Tensor>>;  // name without ".npy"

NpzArrays load_npz(const std::string& path);
NpzArrays parse_npz(const uint8_t* data, size_t size);

}  // namespace ember::io
