# Cross toolchain for Cortex-M4F bare metal (Debian's gcc-arm-none-eabi
# with newlib); test drivers run on QEMU's mps2-an386 board with
# semihosting (tests/cross/cortex-m4/).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR cortex-m4)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(BNNC_CPU_FLAGS "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16")
set(CMAKE_C_FLAGS_INIT "${BNNC_CPU_FLAGS}")
set(BNNC_CROSS_BARE_METAL ON)
