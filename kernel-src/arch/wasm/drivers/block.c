// SPDX-License-Identifier: GPL-2.0
/*
 * The host block device: a bio-based driver that hands every bio to the
 * host (harness/block). The host owns the disk contents and decides, per
 * bio, when it completes (inside submission, or later as an interrupt on
 * a CPU it chooses) and how (success or a chosen blk_status_t).
 * Disks are /dev/wda, /dev/wdb, ... in the order the host lists them.
 */
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/hardirq.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/version.h>
#include <asm/wasm_irq_entry.h>
#include <asm/wasm_host.h>

#define WASM_MAX_DISKS	8
#define WASM_STACK_SEGS	16

struct wasm_disk {
	unsigned int index;
	struct gendisk *gd;
};

static struct wasm_disk wasm_disks[WASM_MAX_DISKS];
static int wasm_blk_major;

/* The host's flag bits (harness/block/device.ts), the same for every tree. */
#define WASM_BLK_NOWAIT		1
#define WASM_BLK_FUA		2
#define WASM_BLK_PREFLUSH	4
#define WASM_BLK_SYNC		8
#define WASM_BLK_META		16

static unsigned int wasm_blk_flags(blk_opf_t opf)
{
	return (opf & REQ_NOWAIT ? WASM_BLK_NOWAIT : 0) |
	       (opf & REQ_FUA ? WASM_BLK_FUA : 0) |
	       (opf & REQ_PREFLUSH ? WASM_BLK_PREFLUSH : 0) |
	       (opf & REQ_SYNC ? WASM_BLK_SYNC : 0) |
	       (opf & REQ_META ? WASM_BLK_META : 0);
}

/*
 * Ends a bio with the host's status. Only an error is written, as blk-mq's
 * completion does: a bio that succeeds keeps the status it has, which a
 * sibling's end_io may have set (block/fops.c keeps a multi-bio request's
 * first error in its embedded bio).
 */
static void wasm_blk_end(struct bio *bio, unsigned int status)
{
	if (status)
		bio->bi_status = status;
	bio_endio(bio);
}

static void wasm_blk_submit_bio(struct bio *bio)
{
	struct wasm_disk *d = bio->bi_bdev->bd_disk->private_data;
	struct wasm_blk_seg stack_segs[WASM_STACK_SEGS], *segs = stack_segs;
	unsigned int nsegs = 0, n = bio_segments(bio);
	struct bvec_iter iter;
	struct bio_vec bv;
	int status;

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
	/* Debian's 6.1.192 has the 6.2 name (stable backport of the rename). */
	bio = bio_split_to_limits(bio);
	if (!bio)
		return;
	n = bio_segments(bio);
#endif
	if (n > WASM_STACK_SEGS) {
		segs = kmalloc_array(n, sizeof(*segs), GFP_NOIO);
		if (!segs) {
			bio->bi_status = BLK_STS_RESOURCE;
			bio_endio(bio);
			return;
		}
	}
	bio_for_each_segment(bv, bio, iter) {
		segs[nsegs].addr = (u32)(unsigned long)bvec_virt(&bv);
		segs[nsegs].len = bv.bv_len;
		nsegs++;
	}
	status = host_blk_submit(d->index, bio, bio_op(bio), wasm_blk_flags(bio->bi_opf),
				 bio->bi_iter.bi_sector, segs, nsegs);
	if (segs != stack_segs)
		kfree(segs);
	if (status >= 0)
		wasm_blk_end(bio, status);
}

/* Host entry point: a bio the host kept completes (an interrupt on this CPU). */
void wasm_blk_interrupt(struct bio *bio, unsigned int status)
{
	bool was_enabled = wasm_irq_entry();

	irq_enter();
	wasm_blk_end(bio, status);
	irq_exit();
	wasm_irq_return(was_enabled);
}

static const struct block_device_operations wasm_blk_fops = {
	.owner		= THIS_MODULE,
	.submit_bio	= wasm_blk_submit_bio,
};

static int __init wasm_blk_add(unsigned int index, u64 sectors)
{
	struct wasm_disk *d = &wasm_disks[index];
	struct gendisk *gd;
	int err;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
	/* 6.11+: queue features are limits given at allocation. */
	struct queue_limits lim = {
		.logical_block_size	= 512,
		.physical_block_size	= 4096,
		.max_hw_sectors		= 256,
		.features		= BLK_FEAT_NOWAIT,
	};

	gd = blk_alloc_disk(&lim, NUMA_NO_NODE);
	if (IS_ERR(gd))
		return PTR_ERR(gd);
#else
	gd = blk_alloc_disk(NUMA_NO_NODE);
	if (!gd)
		return -ENOMEM;
	blk_queue_logical_block_size(gd->queue, 512);
	blk_queue_physical_block_size(gd->queue, 4096);
	blk_queue_max_hw_sectors(gd->queue, 256);
	/* REQ_NOWAIT bios reach the driver instead of failing with EOPNOTSUPP. */
	blk_queue_flag_set(QUEUE_FLAG_NOWAIT, gd->queue);
#endif
	d->index = index;
	d->gd = gd;
	gd->major = wasm_blk_major;
	gd->first_minor = index;
	gd->minors = 1;
	gd->fops = &wasm_blk_fops;
	gd->private_data = d;
	/* No partition scan (it would vmalloc, and the images are whole-disk). */
	gd->flags |= GENHD_FL_NO_PART;
	snprintf(gd->disk_name, DISK_NAME_LEN, "wd%c", 'a' + index);
	set_capacity(gd, sectors);
	err = add_disk(gd);
	if (err)
		put_disk(gd);
	return err;
}

static int __init wasm_blk_init(void)
{
	unsigned int i;
	u64 sectors;
	int err;

	wasm_blk_major = register_blkdev(0, "wd");
	if (wasm_blk_major < 0)
		return wasm_blk_major;
	for (i = 0; i < WASM_MAX_DISKS; i++) {
		if (host_blk_info(i, &sectors) < 0)
			break;
		err = wasm_blk_add(i, sectors);
		if (err) {
			pr_err("wd%c: %d\n", 'a' + i, err);
			return err;
		}
	}
	return 0;
}
device_initcall(wasm_blk_init);
