# Turn a text file into a C string constant: ha__schema_rng / ha__schema_rng_len.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR len "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
file(WRITE ${OUT} "/* Generated from ha-cib.rng by embed.cmake. */\n#include <stddef.h>\n"
  "extern const char ha__schema_rng[];\nextern const size_t ha__schema_rng_len;\n"
  "const char ha__schema_rng[] = {${body}0x00};\nconst size_t ha__schema_rng_len = ${len};\n")
