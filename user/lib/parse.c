// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v;
	int ret = parse_u64(s, max, &v);

	if (!ret)
		*out = (uint32_t)v;
	return ret;
}

int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!s || !*s || *s == '-' || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (end == s || errno == ERANGE)
		return errno == ERANGE ? -ERANGE : -EINVAL;
	switch (toupper((unsigned char)*end)) {
	case '\0': break;
	case 'K': shift = 10; break;
	case 'M': shift = 20; break;
	case 'G': shift = 30; break;
	case 'T': shift = 40; break;
	default: return -EINVAL;
	}
	if (*end) {
		end++;
		/* Accept "2G", "2GB", "2GiB". */
		if (!strcasecmp(end, "b") || !strcasecmp(end, "ib"))
			end += strlen(end);
		if (*end)
			return -EINVAL;
	}
	if (shift && v > (~0ULL >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char sep[5];
	int n;

	if (strlen(s) != 17)
		return -EINVAL;
	n = sscanf(s, "%2x%c%2x%c%2x%c%2x%c%2x%c%2x", &b[0], &sep[0], &b[1], &sep[1],
		   &b[2], &sep[2], &b[3], &sep[3], &b[4], &sep[4], &b[5]);
	if (n != 11)
		return -EINVAL;
	for (int i = 0; i < 5; i++)
		if (sep[i] != ':' && sep[i] != '-')
			return -EINVAL;
	for (int i = 0; i < 6; i++) {
		if (!isxdigit((unsigned char)s[i * 3]) || !isxdigit((unsigned char)s[i * 3 + 1]))
			return -EINVAL;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

const char *fmt_size(uint64_t bytes, char *buf, int len)
{
	static const char units[] = "KMGT";
	double v = (double)bytes;
	int u = -1;

	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
	else if (v == (double)(uint64_t)v)
		snprintf(buf, len, "%llu%c", (unsigned long long)v, units[u]);
	else
		snprintf(buf, len, "%.1f%c", v, units[u]);
	return buf;
}

const char *fmt_mac(const uint8_t mac[6], char *buf, int len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_val(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;

	return p ? (int)(p - b64) : -1;
}

int parse_key(const char *s, uint8_t key[32])
{
	uint32_t acc = 0;
	size_t len = strlen(s);
	int i, v, bits = 0, n = 0;

	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	/* 32 bytes: 43 characters and one '=' of padding. */
	if (len != 44 || s[43] != '=')
		return -EINVAL;
	for (i = 0; i < 43; i++) {
		v = b64_val(s[i]);
		if (v < 0)
			return -EINVAL;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n < 32)
				key[n] = (uint8_t)(acc >> bits);
			n++;
		}
	}
	/* The last character's 2 spare bits must be zero (canonical form). */
	return n == 32 && !(acc & 3) ? 0 : -EINVAL;
}

void fmt_key(const uint8_t key[32], char *buf)
{
	uint32_t acc = 0;
	int i, bits = 0, n = 0;

	for (i = 0; i < 32; i++) {
		acc = acc << 8 | key[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			buf[n++] = b64[(acc >> bits) & 63];
		}
	}
	buf[n++] = b64[(acc << (6 - bits)) & 63];
	buf[n++] = '=';
	buf[n] = '\0';
}

int read_key_file(const char *path, uint8_t key[32])
{
	char line[128];
	FILE *f = fopen(path, "r");
	int ret = -EINVAL;

	if (!f)
		return -errno;
	if (fgets(line, sizeof(line), f))
		ret = parse_key(line, key);
	if (ret == 0 && fgetc(f) != EOF)
		ret = -EINVAL;	/* one key, nothing after it */
	fclose(f);
	memset(line, 0, sizeof(line));
	__asm__ __volatile__("" : : "r"(line) : "memory");
	return ret;
}
