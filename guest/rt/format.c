// SPDX-License-Identifier: GPL-2.0
/*
 * printf-style formatting for the console: %d %i %u %x %X %o %p %s %c %%,
 * the h/hh/l/ll/z/t length modifiers, flags '-', '0', '+', ' ', '#',
 * width and precision (also '*'), and %e %f %g for doubles. Doubles are
 * printed for people; results that must match exactly are compared as bits.
 */
#include "hexo_rt.h"

struct hexo_fmt_out {
	char *buf;
	size_t size;
	size_t len;
};

struct hexo_fmt_spec {
	bool left, zero, plus, space, alt;
	int width, prec;
};

static void hexo_fmt_putc(struct hexo_fmt_out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void hexo_fmt_pad(struct hexo_fmt_out *o, char c, int n)
{
	while (n-- > 0)
		hexo_fmt_putc(o, c);
}

/* One field: sign/prefix, zero padding to prec digits, then the digits. */
static void hexo_fmt_field(struct hexo_fmt_out *o, const struct hexo_fmt_spec *sp,
			   const char *prefix, const char *body, int len, int zeros)
{
	int plen = strlen(prefix);
	int pad = sp->width - plen - zeros - len;

	if (!sp->left && !sp->zero)
		hexo_fmt_pad(o, ' ', pad);
	while (*prefix)
		hexo_fmt_putc(o, *prefix++);
	if (!sp->left && sp->zero)
		hexo_fmt_pad(o, '0', pad);
	hexo_fmt_pad(o, '0', zeros);
	while (len--)
		hexo_fmt_putc(o, *body++);
	if (sp->left)
		hexo_fmt_pad(o, ' ', pad);
}

static void hexo_fmt_int(struct hexo_fmt_out *o, struct hexo_fmt_spec *sp,
			 uint64_t v, bool neg, unsigned int base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24], prefix[4] = "";
	int n = 0, zeros;

	while (v) {
		tmp[sizeof(tmp) - 1 - n++] = digits[v % base];
		v /= base;
	}
	if (!n && sp->prec != 0)
		tmp[sizeof(tmp) - 1 - n++] = '0';
	if (neg)
		prefix[0] = '-';
	else if (sp->plus)
		prefix[0] = '+';
	else if (sp->space)
		prefix[0] = ' ';
	if (sp->alt && base == 16) {
		prefix[0] = '0';
		prefix[1] = upper ? 'X' : 'x';
	}
	zeros = sp->prec > n ? sp->prec - n : 0;
	if (sp->prec >= 0)
		sp->zero = false;
	hexo_fmt_field(o, sp, prefix, tmp + sizeof(tmp) - n, n, zeros);
}

/*
 * v >= 0 as `digits` significant decimal digits and a decimal exponent:
 * v ~= d[0].d[1]d[2]... * 10^exp. Scaling by powers of ten rounds a little;
 * fine for display.
 */
static int hexo_fmt_digits(double v, char *d, int digits)
{
	int exp = 0;
	uint64_t m, lim = 1;

	for (int i = 0; i < digits; i++)
		lim *= 10;
	if (v == 0) {
		memset(d, '0', digits);
		return 0;
	}
	while (v >= 1e16) {
		v /= 1e16;
		exp += 16;
	}
	while (v >= 10) {
		v /= 10;
		exp++;
	}
	while (v < 1e-16) {
		v *= 1e16;
		exp -= 16;
	}
	while (v < 1) {
		v *= 10;
		exp--;
	}
	/* v in [1, 10): take digits - 1 more digits after the point. */
	for (int i = 1; i < digits; i++)
		v *= 10;
	m = (uint64_t)(v + 0.5);
	if (m >= lim) {
		m /= 10;
		exp++;
	}
	for (int i = digits - 1; i >= 0; i--) {
		d[i] = '0' + m % 10;
		m /= 10;
	}
	return exp;
}

static void hexo_fmt_double(struct hexo_fmt_out *o, struct hexo_fmt_spec *sp,
			    double v, char conv)
{
	char body[64], d[20], prefix[2] = "";
	int prec = sp->prec < 0 ? 6 : sp->prec, n = 0, exp;
	bool upper = conv == 'E' || conv == 'G';

	if (prec > 16)
		prec = 16;
	if (v < 0 || (v == 0 && hexo_double_bits(v) >> 63)) {
		prefix[0] = '-';
		v = -v;
	} else if (sp->plus) {
		prefix[0] = '+';
	} else if (sp->space) {
		prefix[0] = ' ';
	}
	if (v != v || v > 1.7976931348623157e308) {
		sp->zero = false;
		hexo_fmt_field(o, sp, prefix, v != v ? "nan" : "inf", 3, 0);
		return;
	}
	if (conv == 'g' || conv == 'G') {
		int p = prec ? prec : 1;

		exp = hexo_fmt_digits(v, d, p);
		if (exp < -4 || exp >= p) {
			conv = upper ? 'E' : 'e';
			prec = p - 1;
		} else {
			conv = 'f';
			prec = p - 1 - exp;
		}
	}
	if (conv == 'e' || conv == 'E') {
		exp = hexo_fmt_digits(v, d, prec + 1);
		body[n++] = d[0];
		if (prec)
			body[n++] = '.';
		for (int i = 1; i <= prec; i++)
			body[n++] = d[i];
		body[n++] = upper ? 'E' : 'e';
		body[n++] = exp < 0 ? '-' : '+';
		if (exp < 0)
			exp = -exp;
		if (exp >= 100)
			body[n++] = '0' + exp / 100;
		body[n++] = '0' + exp / 10 % 10;
		body[n++] = '0' + exp % 10;
	} else if (v < 1e15) {
		/* %f below 10^15: integer and fraction fit 64 bits. */
		uint64_t ip = (uint64_t)v, scale = 1, fr;
		char tmp[24];
		int k = 0;

		if (prec > 15)
			prec = 15;
		for (int i = 0; i < prec; i++)
			scale *= 10;
		fr = (uint64_t)((v - (double)ip) * (double)scale + 0.5);
		if (fr >= scale) {
			ip++;
			fr -= scale;
		}
		do {
			tmp[k++] = '0' + ip % 10;
			ip /= 10;
		} while (ip);
		while (k)
			body[n++] = tmp[--k];
		if (prec)
			body[n++] = '.';
		for (int i = prec - 1; i >= 0; i--) {
			body[n + i] = '0' + fr % 10;
			fr /= 10;
		}
		n += prec;
	} else {
		sp->prec = prec;
		hexo_fmt_double(o, sp, prefix[0] == '-' ? -v : v, upper ? 'E' : 'e');
		return;
	}
	hexo_fmt_field(o, sp, prefix, body, n, 0);
}

int hexo_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct hexo_fmt_out o = { .buf = buf, .size = size };

	for (; *fmt; fmt++) {
		struct hexo_fmt_spec sp = { .prec = -1 };
		int lng = 0;
		uint64_t u;
		int64_t s;

		if (*fmt != '%') {
			hexo_fmt_putc(&o, *fmt);
			continue;
		}
		for (;;) {
			switch (*++fmt) {
			case '-': sp.left = true; continue;
			case '0': sp.zero = true; continue;
			case '+': sp.plus = true; continue;
			case ' ': sp.space = true; continue;
			case '#': sp.alt = true; continue;
			}
			break;
		}
		if (*fmt == '*') {
			sp.width = va_arg(ap, int);
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			sp.width = sp.width * 10 + *fmt++ - '0';
		if (*fmt == '.') {
			sp.prec = 0;
			if (*++fmt == '*') {
				sp.prec = va_arg(ap, int);
				fmt++;
			}
			while (*fmt >= '0' && *fmt <= '9')
				sp.prec = sp.prec * 10 + *fmt++ - '0';
		}
		for (;; fmt++) {
			if (*fmt == 'l' || *fmt == 'z' || *fmt == 't' || *fmt == 'j')
				lng++;
			else if (*fmt != 'h')
				break;
		}
		switch (*fmt) {
		case 'd':
		case 'i':
			s = lng ? va_arg(ap, long long) : va_arg(ap, int);
			hexo_fmt_int(&o, &sp, s < 0 ? -(uint64_t)s : (uint64_t)s, s < 0, 10, false);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			u = lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned int);
			hexo_fmt_int(&o, &sp, u, false, *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16,
				     *fmt == 'X');
			break;
		case 'p':
			sp.alt = true;
			hexo_fmt_int(&o, &sp, (uintptr_t)va_arg(ap, void *), false, 16, false);
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);

			hexo_fmt_field(&o, &sp, "", &c, 1, 0);
			break;
		}
		case 's': {
			const char *str = va_arg(ap, const char *);
			int len;

			if (!str)
				str = "(null)";
			len = strlen(str);
			if (sp.prec >= 0 && len > sp.prec)
				len = sp.prec;
			sp.zero = false;
			hexo_fmt_field(&o, &sp, "", str, len, 0);
			break;
		}
		case 'e':
		case 'E':
		case 'f':
		case 'g':
		case 'G':
			hexo_fmt_double(&o, &sp, va_arg(ap, double), *fmt);
			break;
		case '%':
			hexo_fmt_putc(&o, '%');
			break;
		default:
			hexo_fmt_putc(&o, '%');
			if (!*fmt)
				fmt--;
			else
				hexo_fmt_putc(&o, *fmt);
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len;
}

int hexo_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = hexo_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
