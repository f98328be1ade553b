# Cross-compiling for a 32-bit ARM kiosk board (Debian armhf); see
# aarch64-linux-gnu.cmake. Needs crossbuild-essential-armhf and <pkg>:armhf.
set(HK_CROSS_TRIPLE arm-linux-gnueabihf)
set(HK_CROSS_QEMU qemu-arm)
set(CMAKE_SYSTEM_PROCESSOR arm)
include(${CMAKE_CURRENT_LIST_DIR}/cross-common.cmake)
