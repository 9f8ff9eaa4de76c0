# TFLite / Larq Compute Engine fixtures (tflite/, written by
# scripts/gen-tflite-fixtures with LCE's own converter and interpreter):
# every case is compiled by bnnc, built and run, and its output compared
# with the interpreter's (bnnc verify); cases whose outputs are exact
# integers or +-1 (binary layers without a float multiplier) must match
# exactly. An int8 output must match within 1 LSB (verify's rule for int8
# outputs) and the test pins the number of 1-LSB differences, each case's
# own (tflite_int8_lsb1; 0 when absent): bnnc and TFLite round the same
# real values the same way except where a float result is rounded to int8
# (LceBconv2d's int8 output: bnnc rounds its float output divided by s, plus
# z; LCE rounds (K - dot) * (-m / s) + ((b + K m) / s + z), its constants
# divided by s before the float arithmetic). Int8 models made of builtins
# only also carry TFLite's reference-kernel output, which bnnc must equal
# exactly (tflite_reference_<case>). Int8 operators bnnc does not
# compile yet must be rejected by compile and inspect with exit status 1,
# naming the operator and its index (tflite_int8_unsupported).

# cases whose every output element bnnc must reproduce bit for bit: exact
# integers in LCE, and LceBconv2d float outputs, computed in LCE's order
# (K - dot) * (-m) + (b + K m) (the conceptual dot * m + b differs from it in
# the last bit on hundreds of elements of each of these)
set(tflite_exact lce_quantize_dequantize lce_bconv_relu lce_bconv_relu6
    lce_bconv_relu_n1_to_1 lce_bconv_bitpacked lce_bconv_dilation
    lce_bconv_dilation_same_one lce_bconv_groups lce_bconv_same_one lce_bconv_same_zero
    lce_bconv_same_zero_even_kernel lce_bconv_same_zero_odd lce_bconv_scaled
    lce_bconv_stride lce_quantize_dequantize_int8 lce_bitpacked_input
    lce_bitpacked_input_maxpool lce_bitpacked_input_dequantize
    # float CONV_2D in TFLite's order: from the bias, one fused multiply-add
    # per tap (BNN_CONV_ORDER_FMA); products rounded then summed from 0
    # differ in the last bit on a third to two thirds of these outputs
    conv2d conv2d_dilated split pad_channels
    # float DEPTHWISE_CONV_2D (multiplier 1) in TFLite's order: from the
    # bias, products rounded (BNN_CONV_ORDER_BIAS)
    depthwise_conv2d_stride2
    # ROUND, MINIMUM and MAXIMUM: exact by definition
    round round_int8 minimum_maximum)

# int8-output cases with 1-LSB differences: case, count
set(tflite_int8_lsb1 lce_bconv_int8_relu 13
    # LCE's interpreter runs the optimized int8 convolution, whose x86
    # requantisation rounds one tie otherwise; bnnc equals TFLite's
    # reference kernels (tflite_reference_split_int8)
    split_int8 1)

# int8 cases bnnc rejects: case, index and name of the first operator
# it cannot compile (none of the fixtures now; cc_test_tflite checks the
# message on a model changed in memory)
set(tflite_int8_unsupported)

file(GLOB tflite_cases LIST_DIRECTORIES true CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_SOURCE_DIR}/tflite/*)
foreach(dir ${tflite_cases})
  if(NOT EXISTS ${dir}/meta.json OR NOT EXISTS ${dir}/model.tflite)
    continue()
  endif()
  get_filename_component(case ${dir} NAME)
  list(FIND tflite_int8_unsupported ${case} at)
  if(at GREATER -1)
    math(EXPR at1 "${at} + 1")
    math(EXPR at2 "${at} + 2")
    list(GET tflite_int8_unsupported ${at1} opi)
    list(GET tflite_int8_unsupported ${at2} opn)
    foreach(cmd compile inspect)
      add_test(NAME tflite_unsupported_${cmd}_${case}
               COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/check-tflite-unsupported.sh
                       $<TARGET_FILE:bnnc> ${cmd} ${dir}/model.tflite
                       "${dir}/model.tflite: operator ${opi} (${opn}): "
                       "int8 ${opn} is not supported yet")
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
  if(case STREQUAL "quantize_dequantize")
    # float output of an int8 convolution: one step of its int8 output
    # (scale 0.0235294122) apart at most
    set(tol --atol 0.02353 --rtol 0)
  endif()
  add_test(NAME tflite_golden_${case}
           COMMAND bnnc verify ${dir}/model.tflite ${in_args} --expect ${dir}/output.npy
                   ${tol} -q ${BNNC_GOLDEN_VERIFY_BUILD})
  file(READ ${dir}/meta.json json)
  string(JSON out_type GET "${json}" outputs 0 dtype)
  if(out_type STREQUAL "int8")
    list(FIND tflite_int8_lsb1 ${case} at)
    set(lsb1 0)
    if(at GREATER -1)
      math(EXPR at "${at} + 1")
      list(GET tflite_int8_lsb1 ${at} lsb1)
    endif()
    set_tests_properties(tflite_golden_${case} PROPERTIES PASS_REGULAR_EXPRESSION
                         "int8 output: ${lsb1} of [0-9]+ differ by 1 LSB [^\n]*, 0 by more")
  endif()
  # int8 models of builtins only: TFLite's reference kernels
  # (output_reference.npy) compute what bnnc computes, bit for bit; the
  # 1-LSB differences from LCE's interpreter are its optimized kernels'
  # rounding (docs/SUPPORTED.md)
  if(EXISTS ${dir}/output_reference.npy)
    add_test(NAME tflite_reference_${case}
             COMMAND bnnc verify ${dir}/model.tflite ${in_args}
                     --expect ${dir}/output_reference.npy --atol 0 --rtol 0 -q
                     ${BNNC_GOLDEN_VERIFY_BUILD})
    if(out_type STREQUAL "int8")
      set_tests_properties(tflite_reference_${case} PROPERTIES PASS_REGULAR_EXPRESSION
                           "int8 output: 0 of [0-9]+ differ by 1 LSB [^\n]*, 0 by more")
    endif()
  endif()
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
