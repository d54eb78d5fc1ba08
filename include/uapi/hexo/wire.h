/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * The HEXO wire format: the frames hexo_link.ko (and HEXO's raw-socket tools)
 * put on Ethernet. This header is the contract; Documentation/wire.rst walks
 * through the state machines and timers around it.
 *
 * A frame is an Ethernet II header with EtherType HEXO_ETH_P, then struct
 * hexo_hdr, then data_len bytes of data. There is no IP. All multi-byte
 * fields are big-endian.
 *
 *  0               1               2               3
 *  +---------------+---------------+---------------+---------------+
 *  |    version    |    service    |      op       |     flags     |  0
 *  +---------------+---------------+---------------+---------------+
 *  |    status     |    hdr_len    |           data_len            |  4
 *  +---------------+---------------+---------------+---------------+
 *  |                            session                            |  8
 *  +---------------------------------------------------------------+
 *  |                              tag                              | 12
 *  +---------------------------------------------------------------+
 *  |                          index (64)                           | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                           seq (64)                            | 24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                             count                             | 32
 *  +---------------------------------------------------------------+
 *  |                           data_off                            | 36
 *  +---------------------------------------------------------------+
 *  |                           data_crc                            | 40
 *  +---------------------------------------------------------------+
 *  |                            hdr_crc                            | 44
 *  +---------------------------------------------------------------+
 *  |                       data (data_len bytes)                   | 48
 *
 * version   HEXO_WIRE_VERSION. A receiver drops frames of another version
 *           and counts them. A HELLO request of another version is
 *           answered with HEXO_ST_VERSION, in version 1's format to a
 *           version 1 client (the only older one) and in this version's
 *           otherwise, so that a client of another version is told why,
 *           not left waiting. The first 16 bytes (to tag) keep their place
 *           in every version.
 * service   which user of the link the frame is for (enum hexo_service).
 * op        the service's operation (enum hexo_link_op, enum netswap_op, ...).
 * flags     HEXO_F_*: REPLY marks a reply; RETRY a retransmission (and a
 *           reply to one: replies carry the RETRY bit of the frame they
 *           answer, so a client tells an answer that was only late from one
 *           to its retransmission, and undoes a needless slowdown); ABSENT,
 *           in a READ reply, that the server holds no data for the page (the
 *           data is zeros) so a client that believed the page stored knows
 *           it was lost.
 * status    in replies, enum hexo_status; 0 in requests.
 * hdr_len   header length in bytes, a multiple of 4, at least
 *           HEXO_HDR_LEN; bytes past the fields this version knows are
 *           covered by hdr_crc and otherwise ignored (room to grow).
 * data_len  bytes of data following the header in this frame.
 * session   the session the frame belongs to; 0 in HELLO requests. Sessions
 *           are chosen at random by the server, so a server that restarted
 *           does not recognise its old sessions (HEXO_ST_SESSION).
 * tag       chosen by the requester, echoed in every frame of the reply.
 * index     first page of the request (pages are HEXO_PAGE_SIZE bytes), in
 *           every frame of the request and of its reply.
 * count     pages in the request, or op-specific.
 * seq       order of state-changing requests in a session (netswap WRITE and
 *           DISCARD), 64 bits, starting at 1 and never reused in a session:
 *           a server applies such a request to a page only if its seq is
 *           greater than that of the last one applied there, so a late
 *           duplicate never undoes newer data, however long the page went
 *           untouched (a 32-bit order, version 1's, misjudged a page left
 *           alone for 2^31 requests). In HELLO requests: the number of the
 *           client's HELLO exchange (from 1, counting up; its
 *           retransmissions keep it); a server takes new terms for a session
 *           only from a later exchange than the last it answered, and
 *           ignores a late copy of an earlier one.
 * data_off  offset of this frame's data within the request's data (page i
 *           of the request at i * HEXO_PAGE_SIZE): a page larger than what a
 *           frame carries travels in fragments of equal size (the last one
 *           shorter), agreed at HELLO. A frame never spans pages.
 * data_crc  in frames carrying page data: CRC-32C of the 8 bytes of the
 *           page's own index (big-endian) followed by the whole page. End to end: the client
 *           computes it before sending, the server stores it with the page
 *           and sends it back with the data, the receiver checks it after
 *           reassembly, so data is never accepted corrupted or for the wrong
 *           page. In HELLO and READV frames: the same over their data, with
 *           index 0; in ECHO and DATA frames, with the header's index
 *           (an ECHO's page answer: index 0).
 * hdr_crc   CRC-32C of the hdr_len header bytes with hdr_crc zero. A frame
 *           whose header fails it is dropped and counted.
 *
 * CRC-32C is Castagnoli's CRC (reflected, polynomial 0x1EDC6F41, initial
 * value and final xor 0xFFFFFFFF; "123456789" gives 0xE3069283).
 */
#ifndef _UAPI_HEXO_WIRE_H
#define _UAPI_HEXO_WIRE_H

#include <linux/types.h>

/* IEEE Std 802 "Local Experimental EtherType 1". */
#define HEXO_ETH_P		0x88B5
#define HEXO_WIRE_VERSION	2
#define HEXO_PAGE_SIZE		4096
#define HEXO_HDR_LEN		48

struct hexo_hdr {
	__u8	version;
	__u8	service;
	__u8	op;
	__u8	flags;
	__u8	status;
	__u8	hdr_len;
	__be16	data_len;
	__be32	session;
	__be32	tag;
	__be64	index;
	__be64	seq;
	__be32	count;
	__be32	data_off;
	__be32	data_crc;
	__be32	hdr_crc;
} __attribute__((packed));

enum hexo_service {
	/* hexo_link itself: echo for liveness and measurement. */
	HEXO_SVC_LINK		= 0,
	/* Netswap: a board's swap pages in a server's RAM. */
	HEXO_SVC_NETSWAP	= 1,
	/* hexo_kvm: VM state and on-demand guest memory. */
	HEXO_SVC_KVM		= 2,
	__HEXO_SVC_MAX
};

#define HEXO_F_REPLY		0x01
#define HEXO_F_RETRY		0x02
#define HEXO_F_ABSENT		0x04

enum hexo_status {
	HEXO_ST_OK		= 0,
	/* The HELLO's version is not spoken here. */
	HEXO_ST_VERSION		= 1,
	/* Unknown session: the server restarted, or forgot the client. */
	HEXO_ST_SESSION		= 2,
	/* Over the capacity the server granted (or has). */
	HEXO_ST_NOSPC		= 3,
	/* Temporarily out of resources: retry after a timeout. */
	HEXO_ST_BUSY		= 4,
	/* data_crc did not match the data received: resend. */
	HEXO_ST_CSUM		= 5,
	/* Malformed request (bad count, index beyond the granted size...). */
	HEXO_ST_INVAL		= 6,
	/*
	 * Nothing serves this service on the interface (a port there serves
	 * others). To a HELLO, with its nonce echoed as every HELLO reply.
	 */
	HEXO_ST_NOSVC		= 7,
	/* HELLO: the server serves as many clients as it may; try later. */
	HEXO_ST_FULL		= 8,
	/* HELLO: this server serves keyed sessions only (HEXO_CAP_KEYED). */
	HEXO_ST_KEY		= 9,
	__HEXO_ST_MAX
};

/*
 * Operations, one namespace for all services. HELLO, BYE and PING manage
 * sessions and mean the same for every service that has sessions.
 *
 * HELLO    request data: struct hexo_hello (what the client wants); reply
 *          data: struct hexo_hello (what the server grants), and the new
 *          session in the header. Idempotent: a retransmitted HELLO with the
 *          same tag and nonce gets the same session.
 * BYE      ends the session; the server frees everything it held for it.
 * PING     liveness of a session: HEXO_ST_OK, or HEXO_ST_SESSION if the
 *          server no longer knows it.
 * ECHO     (LINK) the link's round trip, answered by hexo_link itself on
 *          interfaces where its echo is on (off by default: a page answers
 *          a frame of a header): count 0, reply with the same data, and
 *          the request's data_crc; count 1, a request without data, reply
 *          with one page of data in fragments of seq bytes (a multiple of
 *          8, at most what the answering interface carries, 64 fragments
 *          at most; else HEXO_ST_INVAL), as a READ reply travels: byte i
 *          of the page is i % 256, data_crc is that page's with index 0.
 *          Tag and index are the requester's, echoed.
 * DATA     (LINK) no reply: one-way data, for bulk measurement.
 * READ     (NETSWAP) reply data: count pages from index.
 * READV    (NETSWAP) several READs in one frame: the data is count struct
 *          hexo_readv entries; each is answered as a READ with its own tag,
 *          index and count (replies are READ replies). data_crc covers the
 *          entries (index taken as 0); a READV failing it is dropped whole.
 *          Clients batch the reads they have in hand, so random 4 KiB reads
 *          do not cost a request frame each. Retransmissions are plain READs.
 *          Only in sessions that agreed on HEXO_CAP_READV.
 * WRITE    (NETSWAP) request data: count pages for index; applied if seq is
 *          newer than the pages' last change; reply without data.
 * DISCARD  (NETSWAP) frees count pages from index (if seq is newer); count
 *          is at most HEXO_MAX_DISCARD_PAGES.
 * FLUSH    (NETSWAP) succeeds when every write acknowledged before it is
 *          held by the same server instance (the session is still alive).
 */
enum hexo_op {
	HEXO_OP_HELLO		= 1,
	HEXO_OP_BYE		= 2,
	HEXO_OP_PING		= 3,

	HEXO_OP_ECHO		= 16,
	HEXO_OP_DATA		= 17,

	HEXO_OP_READ		= 32,
	HEXO_OP_WRITE		= 33,
	HEXO_OP_DISCARD		= 34,
	HEXO_OP_FLUSH		= 35,
	HEXO_OP_READV		= 36,
};

/* Most pages one DISCARD may free: bounds the server's work per frame. */
#define HEXO_MAX_DISCARD_PAGES	1024

/*
 * Capabilities, in HELLO: each end lists what it speaks; the session uses
 * what both do (the intersection), so an end that lacks one is still served,
 * without it.
 */
/* READV requests. */
#define HEXO_CAP_READV		(1U << 0)
/*
 * Replies echo the RETRY flag of the request they answer (without it, a
 * client cannot tell a late answer from one to its retransmission).
 */
#define HEXO_CAP_RETRY_ECHO	(1U << 1)
/*
 * Keyed session: every frame ends with struct hexo_auth (see below). Both
 * ends hold the same pre-shared key; a keyed client takes no unkeyed
 * session, a keyed server serves no unkeyed client (HEXO_ST_KEY).
 */
#define HEXO_CAP_KEYED		(1U << 2)

/*
 * Keyed frames. A pre-shared key is HEXO_KEY_LEN bytes. From it, both ends
 * derive, with keyed BLAKE2s-256 (RFC 7693; the key is the pre-shared key):
 *   hello key    BLAKE2s(key, "hexo hello v2")
 *   session keys BLAKE2s(key, "hexo c2s v2" or "hexo s2c v2", then the
 *                client's nonce, the server's nonce (struct hexo_hello,
 *                both big-endian) and the session, big-endian)
 * (labels without their NUL). HELLO requests and replies are sealed with
 * the hello key, every other frame with its direction's session key.
 *
 * A sealed frame carries struct hexo_auth right after its data (data_len
 * does not count it): pn numbers the frames of one direction of a session
 * from 1 (HELLOs: 0). mac covers the HEXO header with hdr_crc taken as
 * zero, the data, then pn:
 *   HELLO        the first 16 bytes of BLAKE2s-256(hello key, that)
 *   other frames Poly1305(otk, that) (RFC 8439 section 2.5), with the
 *                one-time key otk = BLAKE2s-256(session key, "hexo otk"
 *                || pn), pn big-endian as on the wire
 * A frame number is never reused under one session key. A receiver
 * drops, never answers and counts a frame whose mac fails, and one whose pn
 * it saw already or that is older than the last HEXO_REPLAY_WINDOW it
 * accepted (a replay).
 */
#define HEXO_KEY_LEN		32
#define HEXO_REPLAY_WINDOW	1024

struct hexo_auth {
	__be64	pn;
	__u8	mac[16];
} __attribute__((packed));

#define HEXO_AUTH_LEN		24

/* One READ of a READV request. */
struct hexo_readv {
	__be32	tag;
	__be32	count;
	__be64	index;
} __attribute__((packed));

/* The data of HELLO requests and replies. */
struct hexo_hello {
	/* Request: random per HELLO exchange (its retransmissions keep it); echoed by the reply. */
	__be64	nonce;
	/*
	 * Request: random per start of the client's hexo_link. Once a session
	 * of a new value from a MAC is in use, the server closes that MAC's
	 * sessions of other values that have fallen silent (the client
	 * restarted); a HELLO alone closes nothing (anyone can send one).
	 */
	__be64	boot;
	/*
	 * Request: bytes wanted. Reply: bytes granted; with HEXO_ST_NOSPC, the
	 * most the server could grant.
	 */
	__be64	size;
	/* Reply: the server instance, random at each start of service. 0 in requests. */
	__be64	epoch;
	/* Reply: the server's nonce, random per session (keyed sessions). 0 in requests. */
	__be64	snonce;
	/* Request: the session this client had, 0 if none (reattach). */
	__be32	prev_session;
	/* HEXO_CAP_* the sender speaks; unknown bits are ignored. */
	__be32	caps;
	/* Largest frame the sender receives, Ethernet header excluded. */
	__be16	mtu;
	/* Pages in flight. Request: wanted. Reply: granted. */
	__be16	window;
	/* Pages in one request. Request: wanted. Reply: granted. */
	__be16	max_pages;
	/* Zero. A server ignores a HELLO whose fields are not all sane. */
	__be16	reserved;
	/* The sender's host name, for display; NUL-padded, NUL-terminated. */
	char	name[32];
} __attribute__((packed));

/*
 * HEXO_SVC_KVM: VMs handed from one hexo_kvm to another. Every node that
 * sends or takes VMs serves it (hexoctl kvm serve). A session's pages
 * (a client asks for HEXO_KVM_SPACE bytes, or less):
 *   index 0          the inbox: a WRITE there carries one struct
 *                    hexo_kvm_msg at the start of its page (rest zero)
 *   export e, gfn    index e * HEXO_KVM_SPAN + 1 + gfn: guest page gfn of
 *                    the server's export e (1 to HEXO_KVM_MAX_EXPORTS),
 *                    READ only. Pages the export does not hold, and pages
 *                    of zeros, are answered ABSENT (the reader zeroes them).
 *                    Guest pages stop below HEXO_KVM_MAP_GFN.
 *   export e, map k  index e * HEXO_KVM_SPAN + 1 + HEXO_KVM_MAP_GFN + k: page
 *                    k of the export's dirty map, once its final OFFER after
 *                    a PRECOPY was sent (ABSENT before, and where it is all
 *                    zeros): bit g % 8 of byte g / 8 of the map (page k
 *                    holds bytes k * 4096 on) is set when guest page g
 *                    changed after the PRECOPY, READ only.
 * An offload: the source exports the stopped VM's control block, data and
 * heap, and WRITEs an OFFER naming the export to the target's inbox; the
 * target READs what it needs from the source and WRITEs DONE (it takes
 * the VM: the source lets go) or ABORT (it does not: the VM runs on at the
 * source) to the source's inbox. Post-copy: the target READs only what the
 * guest needs to start, WRITEs TAKE (the source lets go of the VM but keeps
 * lending its memory), READs the rest on demand and in the background, and
 * WRITEs RELEASE once it holds every page. The source resumes the VM when
 * no DONE or TAKE comes within its deadline. Later the source may WRITE
 * RECLAIM, echoing the export and token: the target offloads the VM back.
 * Pre-copy: the source first WRITEs PRECOPY, with the guest running on; the
 * target READs the heap up to PRECOPY's heap_top and WRITEs COPIED. Then
 * the source stops the guest, and the export's final OFFER (the same
 * export and token) comes: the target READs the control block, the data,
 * the heap pages the dirty map names and the heap above PRECOPY's top, and
 * answers DONE or ABORT as after any OFFER. A source that does not OFFER
 * within PRECOPY's timeout_ms after COPIED has given up. A source whose
 * offload ends without a hand-off WRITEs WITHDRAW, echoing export and token.
 *
 * The report, index HEXO_KVM_REPORT_INDEX (READ only): a struct
 * hexo_kvm_report at the start of the page, the rest zeros. What this node
 * has and runs, for the reader: a server's policy reads it from its boards
 * (hexoctl kvm report, HEXO_KVM_CMD_REPORT). It lists only the VMs this node
 * took from the reader and runs now, each named by the export and token of
 * the OFFER that brought it, as a RECLAIM names it. A node answers with a
 * snapshot at most HEXO_KVM_REPORT_FRESH_MS old, and HEXO_ST_BUSY while it
 * takes a newer one: the reader sends again after its RTO. A node that does
 * not report answers HEXO_ST_INVAL.
 */
#define HEXO_KVM_SPAN		(1ULL << 24)	/* pages per export: 64 GiB of guest */
#define HEXO_KVM_MAX_EXPORTS	15
/* The dirty map's pages: one bit per page of the largest guest. */
#define HEXO_KVM_MAP_PAGES	(HEXO_KVM_SPAN / (8 * 4096))
#define HEXO_KVM_MAP_GFN	(HEXO_KVM_SPAN - 1 - HEXO_KVM_MAP_PAGES)
#define HEXO_KVM_SPACE		((HEXO_KVM_MAX_EXPORTS + 1) * HEXO_KVM_SPAN * 4096)
#define HEXO_KVM_MSG_MAGIC	0x48584b4d	/* "HXKM" */
#define HEXO_KVM_REPORT_INDEX	1
#define HEXO_KVM_REPORT_MAGIC	0x48584b52	/* "HXKR" */
#define HEXO_KVM_REPORT_FRESH_MS	1000
#define HEXO_KVM_REPORT_MAX_VMS	64

enum hexo_kvm_msg_type {
	/* source -> target: take export */
	HEXO_KVM_MSG_OFFER	= 1,
	/* target -> source: it runs the VM now and holds all it needs */
	HEXO_KVM_MSG_DONE	= 2,
	/* target -> source: it does not take the VM */
	HEXO_KVM_MSG_ABORT	= 3,
	/* target -> source: it runs the VM now and pulls the rest (post-copy) */
	HEXO_KVM_MSG_TAKE	= 4,
	/* target -> source: it holds every page; the export may go */
	HEXO_KVM_MSG_RELEASE	= 5,
	/*
	 * source -> target, after DONE or RELEASE: send the VM of this export
	 * back (an OFFER follows from the target, now its source). Answered
	 * OK when the target runs that VM; it then starts the offload.
	 */
	HEXO_KVM_MSG_RECLAIM	= 6,
	/*
	 * source -> target: pull the guest's heap up to heap_top now, while it
	 * runs on at the source (pre-copy); its final OFFER follows COPIED.
	 */
	HEXO_KVM_MSG_PRECOPY	= 7,
	/* target -> source, after PRECOPY: it holds the heap; stop the guest */
	HEXO_KVM_MSG_COPIED	= 8,
	/*
	 * source -> target: the offload of this export ended without a
	 * hand-off (no answer in time, the VMM gone, cancelled); the target
	 * drops the offer unless it took it. Best effort: a target also drops
	 * an offer that nobody used for HEXO_KVM_TIMEOUT_MAX_MS. Answered OK
	 * whether or not there was such an offer.
	 */
	HEXO_KVM_MSG_WITHDRAW	= 9,
};

struct hexo_kvm_msg {
	__be32	magic;		/* HEXO_KVM_MSG_MAGIC */
	__be16	type;		/* enum hexo_kvm_msg_type */
	__be16	export;		/* the source's export, 1 to HEXO_KVM_MAX_EXPORTS */
	__be64	token;		/* random per export; DONE and ABORT echo the OFFER's */
	/* OFFER and PRECOPY only (zero otherwise): */
	__be64	mem_size;	/* bytes of guest memory from GPA 0 */
	__be64	heap_top;	/* the guest's heap ends here (struct hexo_cb) */
	__be32	isa;		/* enum hexo_isa of the source */
	__be32	layout;		/* the guest's data layout checksum (PRECOPY: 0) */
	__be32	point;		/* where the guest stopped (PRECOPY: 0) */
	/*
	 * RECLAIM: each step's bound, 0 for the default. PRECOPY: the
	 * source's bound on stopping the guest after COPIED. Zero otherwise.
	 */
	__be32	timeout_ms;
	/* OFFER and PRECOPY only (zero otherwise): */
	char	app[32];	/* the application's name, NUL-terminated */
	/* RELEASE only (zero otherwise): what the target pulled after TAKE */
	__be64	demand;		/* pages pulled at the guest's faults */
	__be64	background;	/* pages pulled in the background */
} __attribute__((packed));

/* struct hexo_kvm_report_vm.flags */
#define HEXO_KVM_REPORT_F_POINTS	0x1	/* points is the guest's own count */

/* A VM in a report (big-endian, as all of HEXO_SVC_KVM). */
struct hexo_kvm_report_vm {
	__be64	token;		/* the OFFER's that brought it here */
	__be16	export;		/* the OFFER's export */
	__be16	flags;		/* HEXO_KVM_REPORT_F_* */
	__be32	vcpus;		/* vCPUs created */
	/* struct hexo_cb.points: migration points crossed, on every node */
	__be64	points;
	/*
	 * CPU time the process that runs its vCPUs got, all its threads, in
	 * ns since it started (the rate's divisor: points per CPU-second).
	 */
	__be64	cpu_ns;
	__be64	rss;		/* bytes of that process resident in RAM */
	__be64	swap;		/* bytes of it swapped out */
} __attribute__((packed));

struct hexo_kvm_report {
	__be32	magic;		/* HEXO_KVM_REPORT_MAGIC */
	__be16	count;		/* entries in vm[], at most HEXO_KVM_REPORT_MAX_VMS */
	__be16	isa;		/* enum hexo_isa of the reporter */
	/* The reporter's monotonic clock at the snapshot, ns: its age */
	__be64	time_ns;
	__be32	cpus;		/* CPUs online */
	__be32	vms;		/* VMs attached to its hexo_kvm, from any node */
	__be32	age_ms;		/* the snapshot's age when this answer left */
	__be32	reserved;	/* zero */
	__be64	mem_total;	/* bytes of RAM */
	__be64	mem_available;	/* bytes free for new work, as MemAvailable */
	__be64	swap_free;	/* bytes of swap free (Netswap's, on a board) */
	struct hexo_kvm_report_vm vm[];
} __attribute__((packed));

#endif /* _UAPI_HEXO_WIRE_H */
