# CMake toolchain for the firmware: Debian's gcc-arm-none-eabi with picolibc
# (picolibc-arm-none-eabi, libstdc++-arm-none-eabi-picolibc) for a Cortex-M4 without
# the FPU in use (the verifier needs no floating point), bare metal.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(ITC_FW_CPU_FLAGS "-mcpu=cortex-m4 -mthumb -mfloat-abi=soft --specs=picolibc.specs")
set(CMAKE_C_FLAGS_INIT "${ITC_FW_CPU_FLAGS}")
set(CMAKE_CXX_FLAGS_INIT "${ITC_FW_CPU_FLAGS}")
set(CMAKE_ASM_FLAGS_INIT "${ITC_FW_CPU_FLAGS}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostartfiles")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
