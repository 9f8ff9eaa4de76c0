# CMake toolchain file for bare-metal Cortex-M with Debian/Ubuntu's
# gcc-arm-none-eabi and libnewlib-arm-none-eabi (newlib-nano).
# examples/cortex-m/CMakeLists.txt uses it by default; other projects pass
#   -DCMAKE_TOOLCHAIN_FILE=/absolute/path/to/toolchain-arm-none-eabi.cmake
#   [-DBNNC_CPU=cortex-m0plus|cortex-m4|cortex-m7|cortex-m33|cortex-m55]
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(BNNC_CPU cortex-m4 CACHE STRING "Cortex-M core: cortex-m0plus, cortex-m4, cortex-m7, cortex-m33, cortex-m55")
if(BNNC_CPU STREQUAL "cortex-m0plus")
  set(cpu_flags "-mcpu=cortex-m0plus -mthumb -mfloat-abi=soft")
elseif(BNNC_CPU STREQUAL "cortex-m4")
  set(cpu_flags "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16")
elseif(BNNC_CPU STREQUAL "cortex-m7")
  set(cpu_flags "-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16")
elseif(BNNC_CPU STREQUAL "cortex-m33")
  set(cpu_flags "-mcpu=cortex-m33 -mthumb -mfloat-abi=hard -mfpu=fpv5-sp-d16")
elseif(BNNC_CPU STREQUAL "cortex-m55")
  set(cpu_flags "-mcpu=cortex-m55 -mthumb -mfloat-abi=hard")
else()
  message(FATAL_ERROR "BNNC_CPU: unknown core '${BNNC_CPU}'")
endif()
set(CMAKE_C_FLAGS_INIT "${cpu_flags} -ffunction-sections -fdata-sections")
set(CMAKE_EXE_LINKER_FLAGS_INIT "--specs=nano.specs -nostartfiles -Wl,--gc-sections")
