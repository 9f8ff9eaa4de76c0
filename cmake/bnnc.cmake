# bnnc.cmake - build a bnnc-generated model into a firmware or application
# target, regenerating its C whenever the model files or bnnc change.
#
#   include(/path/to/bnnc/cmake/bnnc.cmake)
#   bnnc_add_model(TARGET app
#                  SYMBOL model-symbol.json PARAMS model-0000.params
#                  INPUT data=1,1,8,8 [INPUT other=...]
#                  [PREFIX net] [STANDALONE] [OPTIONS --input-type u8 ...])
#
# writes <build>/bnnc/<PREFIX>/<PREFIX>.c and .h (PREFIX defaults to the
# target's name), adds the .c to TARGET and the directory to its include
# path, so `#include "<PREFIX>.h"` works. Without STANDALONE the target is
# linked with runtime_min: the project's own runtime_min target, else the
# installed bnnc::runtime_min (find_package(bnnc); built for the host it
# was installed from, so not when cross-compiling), else runtime_min built
# from the bnnc source tree for the target's toolchain.
#
# The compiler: BNNC_EXECUTABLE when set (a host bnnc), else the project's
# own bnnc target when it builds one, else the installed bnnc::bnnc, else
# bnnc is built from the source tree for the host (ExternalProject, host C
# compiler, needs cJSON and zlib; the build is refreshed at every build so
# that a changed bnnc regenerates the model).
#
# Used from the source tree (include(path/to/bnnc/cmake/bnnc.cmake)) or
# from an installed package (find_package(bnnc), which includes it).
#
#   bnnc_embed_npy(TARGET app NPY file.npy NAME symbol [COUNT n])
#
# writes <build>/bnnc/npy/<NAME>.h with the first COUNT elements (default:
# all) of a float32 or int64 .npy file as a static const array (see
# npy2c.cmake) and puts it on the target's include path.

include_guard(GLOBAL)
set(_BNNC_CMAKE_DIR "${CMAKE_CURRENT_LIST_DIR}")
get_filename_component(BNNC_SOURCE_DIR "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
if(NOT EXISTS "${BNNC_SOURCE_DIR}/runtime_min/CMakeLists.txt")
  set(BNNC_SOURCE_DIR "")          # an installed package: no source tree
endif()
set(BNNC_EXECUTABLE "" CACHE FILEPATH "Host bnnc used to generate models (empty: build or find one)")

# Sets ${out_exe} to the bnnc path and ${out_dep} to what depends on it.
function(_bnnc_executable out_exe out_dep)
  if(BNNC_EXECUTABLE)
    set(${out_exe} "${BNNC_EXECUTABLE}" PARENT_SCOPE)
    set(${out_dep} "${BNNC_EXECUTABLE}" PARENT_SCOPE)
  elseif(TARGET bnnc)
    set(${out_exe} "$<TARGET_FILE:bnnc>" PARENT_SCOPE)
    set(${out_dep} bnnc PARENT_SCOPE)
  elseif(TARGET bnnc::bnnc)
    set(${out_exe} "$<TARGET_FILE:bnnc::bnnc>" PARENT_SCOPE)
    set(${out_dep} "$<TARGET_FILE:bnnc::bnnc>" PARENT_SCOPE)
  elseif(NOT BNNC_SOURCE_DIR)
    message(FATAL_ERROR "bnnc_add_model: no bnnc: set BNNC_EXECUTABLE or find_package(bnnc)")
  else()
    set(dir "${CMAKE_BINARY_DIR}/bnnc-host")
    if(NOT TARGET bnnc_host)
      include(ExternalProject)
      ExternalProject_Add(bnnc_host
        SOURCE_DIR "${BNNC_SOURCE_DIR}"
        BINARY_DIR "${dir}"
        CMAKE_ARGS -DCMAKE_BUILD_TYPE=Release -DBNNC_BUILD_TESTS=OFF -DBNNC_NATIVE=OFF
        BUILD_COMMAND ${CMAKE_COMMAND} --build "${dir}" --target bnnc
        BUILD_ALWAYS 1
        INSTALL_COMMAND ""
        BUILD_BYPRODUCTS "${dir}/bnnc")
    endif()
    set(${out_exe} "${dir}/bnnc" PARENT_SCOPE)
    set(${out_dep} bnnc_host "${dir}/bnnc" PARENT_SCOPE)
  endif()
endfunction()

function(bnnc_add_model)
  cmake_parse_arguments(A "STANDALONE" "TARGET;SYMBOL;PARAMS;PREFIX" "INPUT;OPTIONS" ${ARGN})
  if(NOT A_TARGET OR NOT A_SYMBOL OR NOT A_PARAMS OR NOT A_INPUT)
    message(FATAL_ERROR "bnnc_add_model: TARGET, SYMBOL, PARAMS and INPUT are required")
  endif()
  if(A_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "bnnc_add_model: unknown arguments ${A_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT A_PREFIX)
    string(MAKE_C_IDENTIFIER "${A_TARGET}" A_PREFIX)
  endif()
  get_filename_component(sym "${A_SYMBOL}" ABSOLUTE)
  get_filename_component(params "${A_PARAMS}" ABSOLUTE)
  set(dir "${CMAKE_BINARY_DIR}/bnnc/${A_PREFIX}")
  set(inputs "")
  foreach(i ${A_INPUT})
    list(APPEND inputs --input "${i}")
  endforeach()
  set(extra "")
  if(A_STANDALONE)
    set(extra --standalone)
  endif()
  _bnnc_executable(exe dep)
  file(MAKE_DIRECTORY "${dir}")
  add_custom_command(
    OUTPUT "${dir}/${A_PREFIX}.c" "${dir}/${A_PREFIX}.h"
    COMMAND "${exe}" compile "${sym}" "${params}" ${inputs} --prefix "${A_PREFIX}"
            ${extra} ${A_OPTIONS} -o "${dir}/${A_PREFIX}.c"
    DEPENDS "${sym}" "${params}" ${dep}
    COMMENT "bnnc: generating ${A_PREFIX}.c from ${A_SYMBOL}"
    VERBATIM)
  target_sources(${A_TARGET} PRIVATE "${dir}/${A_PREFIX}.c" "${dir}/${A_PREFIX}.h")
  target_include_directories(${A_TARGET} PRIVATE "${dir}")
  if(NOT A_STANDALONE)
    if(TARGET runtime_min)
      target_link_libraries(${A_TARGET} PRIVATE runtime_min)
    elseif(TARGET bnnc::runtime_min AND NOT CMAKE_CROSSCOMPILING)
      target_link_libraries(${A_TARGET} PRIVATE bnnc::runtime_min)
    elseif(BNNC_SOURCE_DIR)
      add_subdirectory("${BNNC_SOURCE_DIR}/runtime_min" "${CMAKE_BINARY_DIR}/runtime_min")
      if(CMAKE_SYSTEM_NAME STREQUAL "Generic")
        set_target_properties(runtime_min PROPERTIES POSITION_INDEPENDENT_CODE OFF)
      endif()
      target_link_libraries(${A_TARGET} PRIVATE runtime_min)
    else()
      message(FATAL_ERROR "bnnc_add_model(${A_TARGET}): the installed bnnc::runtime_min is "
              "built for the host; when cross-compiling pass STANDALONE (the model's "
              "kernels inlined in ${A_PREFIX}.c) or include cmake/bnnc.cmake from a bnnc "
              "source tree, which builds runtime_min for the target")
    endif()
  endif()
endfunction()

function(bnnc_embed_npy)
  cmake_parse_arguments(A "" "TARGET;NPY;NAME;COUNT" "" ${ARGN})
  if(NOT A_TARGET OR NOT A_NPY OR NOT A_NAME)
    message(FATAL_ERROR "bnnc_embed_npy: TARGET, NPY and NAME are required")
  endif()
  get_filename_component(npy "${A_NPY}" ABSOLUTE)
  set(dir "${CMAKE_BINARY_DIR}/bnnc/npy")
  set(count "")
  if(A_COUNT)
    set(count -DCOUNT=${A_COUNT})
  endif()
  file(MAKE_DIRECTORY "${dir}")
  add_custom_command(
    OUTPUT "${dir}/${A_NAME}.h"
    COMMAND ${CMAKE_COMMAND} -DNPY=${npy} -DOUT=${dir}/${A_NAME}.h -DNAME=${A_NAME} ${count}
            -P "${_BNNC_CMAKE_DIR}/npy2c.cmake"
    DEPENDS "${npy}" "${_BNNC_CMAKE_DIR}/npy2c.cmake"
    COMMENT "embedding ${A_NPY} as ${A_NAME}.h"
    VERBATIM)
  target_sources(${A_TARGET} PRIVATE "${dir}/${A_NAME}.h")
  target_include_directories(${A_TARGET} PRIVATE "${dir}")
endfunction()
