// SPDX-License-Identifier: GPL-2.0
/*
 * HEXO's tools are linked statically (the testbed VMs and small boards have
 * no C library to share). libnl carries helpers that call glibc's name
 * service (getaddrinfo, getprotobyname), which glibc cannot offer in a static
 * binary and warns about at link time. HEXO's tools never reach those
 * helpers; these definitions keep glibc's out of the link and fail cleanly if
 * anything ever calls them.
 */
#include <netdb.h>
#include <stddef.h>

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		struct addrinfo **res)
{
	return EAI_FAIL;
}

void freeaddrinfo(struct addrinfo *res)
{
}

struct protoent *getprotobyname(const char *name)
{
	return NULL;
}

struct protoent *getprotobynumber(int proto)
{
	return NULL;
}
