// SPDX-License-Identifier: GPL-2.0
/*
 * Application ELFs: load their segments into guest memory and read what
 * the aligned layout says about them: where .data/.bss lie, and a digest of
 * the data symbols that a checkpoint and the ELF restoring it must share.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hexovm.h"

struct hexovm_sym {
	const char *name;
	uint64_t value, size;
};

static int hexovm_sym_cmp(const void *a, const void *b)
{
	const struct hexovm_sym *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	return strcmp(x->name, y->name);
}

static bool hexovm_in_file(size_t len, uint64_t off, uint64_t size)
{
	return off <= len && size <= len - off;
}

/*
 * The layout digest: CRC-32C over the data objects in [HEXO_GPA_DATA,
 * HEXO_GPA_HEAP), sorted by address, size and name. Both ISA builds have
 * the same set (scripts/guest-layout-check), so the same digest.
 */
static int hexovm_elf_symbols(struct hexovm *vm, const uint8_t *f, size_t len,
			      const char *path)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(f + eh->e_shoff);
	struct hexovm_sym *syms = NULL;
	size_t nsyms = 0;
	uint32_t crc = 0;

	vm->elf.data_start = vm->elf.data_end = 0;
	for (unsigned int i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *strs;
		const Elf64_Sym *sym;
		size_t n;

		if (sh[i].sh_type != SHT_SYMTAB)
			continue;
		if (sh[i].sh_link >= eh->e_shnum ||
		    !hexovm_in_file(len, sh[i].sh_offset, sh[i].sh_size) ||
		    sh[i].sh_entsize != sizeof(Elf64_Sym))
			goto bad;
		strs = &sh[sh[i].sh_link];
		if (!hexovm_in_file(len, strs->sh_offset, strs->sh_size) || !strs->sh_size ||
		    f[strs->sh_offset + strs->sh_size - 1])
			goto bad;
		sym = (const Elf64_Sym *)(f + sh[i].sh_offset);
		n = sh[i].sh_size / sizeof(*sym);
		free(syms);
		syms = calloc(n, sizeof(*syms));
		if (!syms)
			return -ENOMEM;
		for (size_t k = 0; k < n; k++) {
			const char *name;

			if (sym[k].st_name >= strs->sh_size)
				goto bad;
			name = (const char *)f + strs->sh_offset + sym[k].st_name;
			if (!strcmp(name, "__hexo_data_start"))
				vm->elf.data_start = sym[k].st_value;
			else if (!strcmp(name, "__hexo_data_end"))
				vm->elf.data_end = sym[k].st_value;
			if (ELF64_ST_TYPE(sym[k].st_info) != STT_OBJECT ||
			    sym[k].st_value < HEXO_GPA_DATA || sym[k].st_value >= HEXO_GPA_HEAP)
				continue;
			syms[nsyms++] = (struct hexovm_sym){ name, sym[k].st_value, sym[k].st_size };
		}
	}
	if (vm->elf.data_start != HEXO_GPA_DATA || vm->elf.data_end < vm->elf.data_start ||
	    vm->elf.data_end > HEXO_GPA_HEAP || vm->elf.data_end % HEXO_PAGE_SIZE) {
		free(syms);
		hexovm_err("%s: no aligned data layout (__hexo_data_start/__hexo_data_end); "
			   "is it a HEXO guest built with guest/guest.lds.S?", path);
		return -EINVAL;
	}
	if (nsyms)
		qsort(syms, nsyms, sizeof(*syms), hexovm_sym_cmp);
	for (size_t k = 0; k < nsyms; k++) {
		uint64_t vs[2] = { syms[k].value, syms[k].size };

		crc = hexovm_crc32c(crc, syms[k].name, strlen(syms[k].name) + 1);
		crc = hexovm_crc32c(crc, vs, sizeof(vs));
	}
	free(syms);
	vm->elf.layout_crc = crc;
	return 0;
bad:
	free(syms);
	hexovm_err("%s: malformed symbol table", path);
	return -EINVAL;
}

/*
 * Loads the PT_LOAD segments; with load_data false, those in the aligned
 * data area are left to the image a restore copies in.
 */
static int hexovm_elf_segments(struct hexovm *vm, const uint8_t *f, size_t len,
			       const char *path, bool load_data)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(f + eh->e_phoff);

	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		uint8_t *dst;

		if (ph[i].p_type != PT_LOAD || !ph[i].p_memsz)
			continue;
		if (ph[i].p_filesz > ph[i].p_memsz ||
		    !hexovm_in_file(len, ph[i].p_offset, ph[i].p_filesz) ||
		    ph[i].p_paddr < HEXO_GPA_TEXT) {
			hexovm_err("%s: segment %u is malformed or below HEXO_GPA_TEXT", path, i);
			return -EINVAL;
		}
		dst = hexovm_gpa(vm, ph[i].p_paddr, ph[i].p_memsz);
		if (!dst) {
			hexovm_err("%s: segment %u at %#llx+%#llx does not fit in %llu MiB of guest "
				   "memory", path, i, (unsigned long long)ph[i].p_paddr,
				   (unsigned long long)ph[i].p_memsz,
				   (unsigned long long)(vm->mem_size >> 20));
			return -EINVAL;
		}
		if (!load_data && ph[i].p_paddr >= HEXO_GPA_DATA)
			continue;
		memcpy(dst, f + ph[i].p_offset, ph[i].p_filesz);
		memset(dst + ph[i].p_filesz, 0, ph[i].p_memsz - ph[i].p_filesz);
	}
	return 0;
}

int hexovm_map_file(const char *path, size_t min, const char *what, void **map, size_t *len)
{
	struct stat st;
	int fd, ret;
	void *p;

	/* O_NONBLOCK: a FIFO must not hang us; it is refused below. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st)) {
		ret = -errno;
		hexovm_err("%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	if (!S_ISREG(st.st_mode) || st.st_size < (off_t)min || !st.st_size) {
		hexovm_err("%s: %s", path, what);
		close(fd);
		return -EINVAL;
	}
	p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		ret = -errno;
		hexovm_err("%s: %s", path, strerror(errno));
		return ret;
	}
	*map = p;
	*len = st.st_size;
	return 0;
}

int hexovm_elf_load(struct hexovm *vm, const char *path, bool load_data)
{
	const Elf64_Ehdr *eh;
	size_t len;
	void *map;
	uint8_t *f;
	int ret;

	ret = hexovm_map_file(path, sizeof(*eh), "not an ELF file", &map, &len);
	if (ret)
		return ret;
	f = map;
	ret = -EINVAL;
	eh = (const Elf64_Ehdr *)f;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_type != ET_EXEC) {
		hexovm_err("%s: not a little-endian 64-bit executable ELF", path);
		goto out;
	}
	if (eh->e_machine != hexovm_elf_machine) {
		hexovm_err("%s is a guest for another ISA (ELF machine %u); this hexovm runs %s "
			   "guests: use build/%s/guest/ (or /hexo/guest/ in the testbed)",
			   path, eh->e_machine, hexovm_isa_name(HEXOVM_ISA),
			   hexovm_isa_name(HEXOVM_ISA));
		goto out;
	}
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    !hexovm_in_file(len, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr)) ||
	    !hexovm_in_file(len, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr))) {
		hexovm_err("%s: malformed ELF headers", path);
		goto out;
	}
	vm->elf.entry = eh->e_entry;
	ret = hexovm_elf_symbols(vm, f, len, path);
	if (!ret)
		ret = hexovm_elf_segments(vm, f, len, path, load_data);
out:
	munmap(map, len);
	return ret;
}
