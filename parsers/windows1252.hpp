#pragma once

// windows-1252 as the WHATWG Encoding Standard defines it: the charset
// decoder's fallback for text that is not UTF-8, and what HTML reads
// numeric references to 0x80-0x9F as.
namespace feedd::parsers::detail {

// The code point of a windows-1252 byte; the five bytes Microsoft leaves
// undefined map to the C1 controls of the same value.
char32_t windows1252_code_point(unsigned char byte);

}  // namespace feedd::parsers::detail
