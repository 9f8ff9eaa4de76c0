# TFLite / Larq Compute Engine fixtures (tflite/, written by
# scripts/gen-tflite-fixtures with LCE's own converter and interpreter):
# every float32 case is compiled by bnnc, built and run, and its output
# compared with the interpreter's (bnnc verify); cases whose outputs are
# exact integers or +-1 (binary layers without a float multiplier) must
# match exactly. Int8 models are not supported yet: compile and inspect
# must reject them with exit status 1, naming the operator and its index.

# cases whose every output element is an exact integer in LCE
set(tflite_exact lce_quantize_dequantize lce_bconv_relu lce_bconv_relu6
    lce_bconv_relu_n1_to_1)

file(GLOB tflite_cases LIST_DIRECTORIES true CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_SOURCE_DIR}/tflite/*)
foreach(dir ${tflite_cases})
  if(NOT EXISTS ${dir}/meta.json OR NOT EXISTS ${dir}/model.tflite)
    continue()
  endif()
  get_filename_component(case ${dir} NAME)
  if(case MATCHES "int8" OR case STREQUAL "quantize_dequantize")
    # the first operator touches an int8 tensor in every such case
    file(READ ${dir}/meta.json json)
    string(JSON op0 GET "${json}" reading subgraphs 0 operators 0 name)
    foreach(cmd compile inspect)
      add_test(NAME tflite_unsupported_${cmd}_${case}
               COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/check-tflite-unsupported.sh
                       $<TARGET_FILE:bnnc> ${cmd} ${dir}/model.tflite
                       "${dir}/model.tflite: operator 0 (${op0}): " "is int8: int8 tensors")
    endforeach()
    continue()
  endif()
  file(GLOB ins ${dir}/input*.npy)
  list(SORT ins)
  set(in_args "")
  foreach(f ${ins})
    list(APPEND in_args --in ${f})
  endforeach()
  set(tol "")
  if(case IN_LIST tflite_exact)
    set(tol --atol 0 --rtol 0)
  endif()
  add_test(NAME tflite_golden_${case}
           COMMAND bnnc verify ${dir}/model.tflite ${in_args} --expect ${dir}/output.npy
                   ${tol} -q ${BNNC_GOLDEN_VERIFY_BUILD})
  if(case IN_LIST threads_tflite_cases)
    add_test(NAME threads_tflite_${case}
             COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/check-threads.sh 4
                     $<TARGET_FILE:bnnc> verify ${dir}/model.tflite ${in_args}
                     --expect ${dir}/output.npy ${tol} -q --threads 4 --cflags ${threads_flags})
  endif()
  if(case IN_LIST golden_host_cases)
    add_test(NAME tflite_host_${case}
             COMMAND bnnc verify ${dir}/model.tflite ${in_args} --expect ${dir}/output.npy
                     ${tol} -q)
  endif()
endforeach()

# --input overrides a dynamic batch (shape_signature -1) and nothing else
set(flat ${CMAKE_CURRENT_SOURCE_DIR}/tflite/flatten_dynamic_batch)
add_test(NAME tflite_dynamic_batch
         COMMAND sh -c "$<TARGET_FILE:bnnc> inspect ${flat}/model.tflite \
--input serving_default_input_1:0=3,3,4,5 | grep -q '^ *4 .* (3, 6) '")
add_test(NAME tflite_static_dim_refused
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/check-tflite-unsupported.sh
                 $<TARGET_FILE:bnnc> compile ${flat}/model.tflite
                 "--input serving_default_input_1:0: (1, 3, 4, 6) given, the model's input is (1, 3, 4, 5)"
                 "only a dynamic batch may change"
                 --input serving_default_input_1:0=1,3,4,6)
