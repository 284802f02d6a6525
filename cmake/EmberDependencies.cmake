# Third-party libraries, all from Debian packages (see scripts/install_deps.sh).
find_package(absl REQUIRED)
find_package(fmt REQUIRED)
find_package(OpenMP REQUIRED COMPONENTS CXX)
find_package(Threads REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(ZLIB REQUIRED)  # .npz archives (core/io/npz)

# Debian ships OpenBLAS in several variants behind one soname; BLA_VENDOR picks it over
# the reference BLAS.
set(BLA_VENDOR OpenBLAS)
find_package(BLAS REQUIRED)
find_path(OPENBLAS_INCLUDE_DIR cblas.h PATH_SUFFIXES openblas-pthread openblas x86_64-linux-gnu/openblas-pthread)

if(EMBER_CUDA)
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    # sm_90 SASS plus compute_90 PTX (newer GPUs JIT the PTX).
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES 90)
    endif()
    enable_language(CUDA)
    find_package(CUDAToolkit REQUIRED)
    message(STATUS "CUDA backend: nvcc ${CMAKE_CUDA_COMPILER_VERSION}, arch ${CMAKE_CUDA_ARCHITECTURES}, "
                   "toolkit libs in ${CUDAToolkit_LIBRARY_DIR}")
  else()
    message(WARNING "EMBER_CUDA=ON but no CUDA compiler found; building CPU only")
    set(EMBER_CUDA OFF)
  endif()
endif()
