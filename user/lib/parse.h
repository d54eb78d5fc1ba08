/* SPDX-License-Identifier: GPL-2.0 */
/* Parsing of command-line values shared by HEXO's tools. */
#ifndef _HEXO_PARSE_H
#define _HEXO_PARSE_H

#include <stdbool.h>
#include <stdint.h>

/* Decimal or 0x-hex, the whole string, within [0, max]. 0 or -EINVAL/-ERANGE. */
int parse_u64(const char *s, uint64_t max, uint64_t *out);
int parse_u32(const char *s, uint32_t max, uint32_t *out);
/* A byte count with an optional binary suffix: 4096, 64K, 512M, 2G, 1T. */
int parse_size(const char *s, uint64_t *out);
/* "52:54:00:00:00:01" (or with '-'). */
int parse_mac(const char *s, uint8_t mac[6]);
/*
 * A 32-byte key in base64 (44 characters, as `wg genkey` and `hexoctl
 * netswap genkey` write it), the whole string but for trailing white space.
 */
int parse_key(const char *s, uint8_t key[32]);
/* key in base64 into buf (at least 45 bytes). */
void fmt_key(const uint8_t key[32], char *buf);
/*
 * Reads a key file (base64, one line). 0, or -errno (-EINVAL: not a key);
 * the key material read is wiped from memory but for *key.
 */
int read_key_file(const char *path, uint8_t key[32]);

/* Human-readable size into buf ("1.5G", "512M", "4096"). */
const char *fmt_size(uint64_t bytes, char *buf, int len);
const char *fmt_mac(const uint8_t mac[6], char *buf, int len);

#endif /* _HEXO_PARSE_H */
