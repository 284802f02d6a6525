# Sanitizer and fuzzer builds (see docs/reliability.md).
#
#   EMBER_SANITIZE=ON       every target (libraries, tests, tools) is built with
#                           AddressSanitizer + UndefinedBehaviorSanitizer. Undefined behaviour
#                           aborts (no recovery), so a ctest run fails on the first report.
#   EMBER_BUILD_FUZZERS=ON  the libFuzzer targets in tests/fuzz/ (clang only; implies
#                           EMBER_SANITIZE). The libraries get coverage instrumentation
#                           (-fsanitize=fuzzer-no-link) so the fuzzer sees inside them.
#
# The one-command build is scripts/sanitize.sh (clang, build-asan/, Python off): the
# sanitizer runtime is linked into executables only, so the pybind11 module is not built.
option(EMBER_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(EMBER_BUILD_FUZZERS "Build the libFuzzer targets in tests/fuzz (clang)" OFF)

if(EMBER_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "EMBER_BUILD_FUZZERS needs clang (CC=clang CXX=clang++): libFuzzer "
                        "ships with compiler-rt")
  endif()
  set(EMBER_SANITIZE ON CACHE BOOL "" FORCE)
endif()

if(EMBER_SANITIZE)
  if(EMBER_BUILD_PYTHON)
    message(WARNING "EMBER_SANITIZE: the Python module would need the sanitizer runtime "
                    "preloaded into python; configure with -DEMBER_BUILD_PYTHON=OFF")
  endif()
  if(EMBER_CUDA)
    message(FATAL_ERROR "EMBER_SANITIZE: configure with -DEMBER_CUDA=OFF (the sanitizer flags "
                        "are host-compiler flags; nvcc does not take them)")
  endif()
  set(ember_san -fsanitize=address,undefined)
  # float-divide-by-zero is not in 'undefined' by default and is well defined in IEEE
  # arithmetic (1/0 -> inf), which tensors rely on; keep it off. -fno-sanitize-recover makes
  # UBSan abort like ASan does.
  add_compile_options(${ember_san} -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(${ember_san})
  if(EMBER_BUILD_FUZZERS)
    add_compile_options(-fsanitize=fuzzer-no-link)
  endif()
  message(STATUS "Ember: building with ASan + UBSan (fuzzers: ${EMBER_BUILD_FUZZERS})")
endif()
