// SPDX-License-Identifier: GPL-2.0
/*
 * User memory without an MMU: every user access walks current->mm's page
 * tables in software. A missing or write-protected entry is a page fault,
 * handled by the real handle_mm_fault() unless page faults are disabled
 * (pagefault_disable(), or an iov_iter marked nofault), in which case the
 * access fails exactly as on hardware. Data moves page by page through the
 * direct map.
 */
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/uaccess.h>
#include <linux/pgtable.h>
#include <linux/version.h>

static pte_t *wasm_user_pte(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	p4d_t *p4d = p4d_offset(pgd, addr);
	pud_t *pud = pud_offset(p4d, addr);
	pmd_t *pmd = pmd_offset(pud, addr);

	if (pmd_none(*pmd))
		return NULL;
	return pte_offset_kernel(pmd, addr);
}

/* The kernel address of user byte addr, faulting it in if allowed; NULL on failure. */
static void *wasm_user_addr(unsigned long addr, bool write)
{
	struct mm_struct *mm = current->mm;
	int tries;

	if (!mm || addr >= TASK_SIZE)
		return NULL;
	for (tries = 0; tries < 3; tries++) {
		pte_t *ptep = wasm_user_pte(mm, addr);
		struct vm_area_struct *vma;
		vm_fault_t fault;

		if (ptep && pte_present(*ptep) && (!write || pte_write(*ptep))) {
			*ptep = write ? pte_mkdirty(pte_mkyoung(*ptep)) : pte_mkyoung(*ptep);
			return (char *)page_address(pte_page(*ptep)) + (addr & ~PAGE_MASK);
		}
		/* As a CPU's fault handler: no faults with page faults disabled or in atomic context. */
		if (faulthandler_disabled())
			return NULL;
		mmap_read_lock(mm);
		vma = find_vma(mm, addr);
		if (!vma || vma->vm_start > addr ||
		    !(vma->vm_flags & (write ? VM_WRITE : VM_READ))) {
			mmap_read_unlock(mm);
			return NULL;
		}
		fault = handle_mm_fault(vma, addr, write ? FAULT_FLAG_WRITE : 0, NULL);
		if (!(fault & (VM_FAULT_RETRY | VM_FAULT_COMPLETED)))
			mmap_read_unlock(mm);
		if (fault & VM_FAULT_ERROR)
			return NULL;
	}
	return NULL;
}

/* kbuf NULL with to_user: zero the user range (clear_user). */
static unsigned long wasm_user_copy(void *kbuf, unsigned long uaddr, unsigned long n, bool to_user)
{
	while (n) {
		unsigned long chunk = min(n, PAGE_SIZE - (uaddr & ~PAGE_MASK));
		void *p = wasm_user_addr(uaddr, to_user);

		if (!p)
			return n;
		if (!kbuf)
			memset(p, 0, chunk);
		else if (to_user)
			memcpy(p, kbuf, chunk);
		else
			memcpy(kbuf, p, chunk);
		if (kbuf)
			kbuf += chunk;
		uaddr += chunk;
		n -= chunk;
	}
	return 0;
}

unsigned long raw_copy_from_user(void *to, const void __user *from, unsigned long n)
{
	return wasm_user_copy(to, (unsigned long)from, n, false);
}

unsigned long raw_copy_to_user(void __user *to, const void *from, unsigned long n)
{
	return wasm_user_copy((void *)from, (unsigned long)to, n, true);
}

unsigned long __clear_user(void __user *to, unsigned long n)
{
	return wasm_user_copy(NULL, (unsigned long)to, n, true);
}

/* For the nofault kernel accessors (asm/uaccess.h): inside the RAM the kernel owns, above page 0. */
bool wasm_kernel_range_ok(const void *addr, unsigned long n)
{
	unsigned long a = (unsigned long)addr;

	return a >= PAGE_SIZE && a + n >= a && a + n <= (unsigned long)high_memory;
}
