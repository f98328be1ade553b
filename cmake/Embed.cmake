# Turn a file into a C array so the binary carries its defaults (the sample
# branch config) and needs nothing else on disk.
# Usage: cmake -DIN=file -DOUT=file.c -DNAME=symbol -P Embed.cmake
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" n)
math(EXPR bytes "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
file(WRITE "${OUT}" "/* generated from ${IN}; do not edit */\n#include <stddef.h>\nconst unsigned char ${NAME}[] = {${body}0x00};\nconst size_t ${NAME}_len = ${bytes};\n")
