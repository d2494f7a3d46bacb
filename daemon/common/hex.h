/* Hexadecimal digits (hex.c). */
#ifndef HEX_H
#define HEX_H

#include <stddef.h>
#include <stdint.h>

int	hex_digit(int);
int	hex_decode(const char *, size_t, uint8_t *);

#endif
