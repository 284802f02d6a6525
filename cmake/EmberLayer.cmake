# ember_add_layer(NAME <target> DIR <folder> DEPS <targets...>)
# One shared library per architectural layer. Sources are globbed so adding a file to a
# layer needs no CMake edit; CONFIGURE_DEPENDS re-globs on every build.
function(ember_add_layer)
  cmake_parse_arguments(L "" "NAME;DIR" "DEPS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${L_DIR}/*.cpp)
  # CUDA sources (<layer>/cuda/) build into their own library (core/cuda/CMakeLists.txt).
  # Matched on the path inside the layer, so a checkout under a folder named cuda still builds.
  set(kept)
  foreach(src IN LISTS srcs)
    file(RELATIVE_PATH rel ${L_DIR} ${src})
    if(NOT rel MATCHES "(^|/)cuda/")
      list(APPEND kept ${src})
    endif()
  endforeach()
  set(srcs ${kept})
  add_library(${L_NAME} SHARED ${srcs})
  target_include_directories(${L_NAME} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${L_NAME} PUBLIC ${L_DEPS})
  # -fno-math-errno: nothing reads errno, and without it sqrt/floor/... cannot vectorize.
  target_compile_options(${L_NAME} PRIVATE -Wall -Wextra -Wno-unused-parameter
                         -Wno-missing-field-initializers -fno-math-errno)
  set_target_properties(${L_NAME} PROPERTIES
    CXX_VISIBILITY_PRESET default
    BUILD_RPATH "$ORIGIN"
    INSTALL_RPATH "$ORIGIN")
endfunction()
