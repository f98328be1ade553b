# Cross-compiling for a 64-bit ARM kiosk board (Debian arm64) on Debian's
# multiarch: the cross compiler from crossbuild-essential-arm64 and the
# target's -dev packages installed as <pkg>:arm64 (toolchain/dev deps-cross
# installs both). Tests run through qemu-user (CMAKE_CROSSCOMPILING_EMULATOR),
# the target's loader and libraries coming from the multiarch paths.
#   cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=toolchain/aarch64-linux-gnu.cmake \
#         -DHK_CORE_ONLY=ON
set(HK_CROSS_TRIPLE aarch64-linux-gnu)
set(HK_CROSS_QEMU qemu-aarch64)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/cross-common.cmake)
