/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-bench-xdp-gen: the traffic source and the sink of bench/xdp_veth.sh
 * (end-to-end packets per second over veth), programs in
 * bench_xdp_gen.bpf.c.
 *
 *   fp-bench-xdp-gen sink --iface IF --pin PATH [--size BYTES] [--hook xdp|tc]
 *     Attaches fpv_sink_drop to IF in native XDP mode, or fpv_sink_tc to
 *     its tc ingress hook (--hook tc): it counts and drops every frame.
 *     Pins the counter map as PATH and exits; the program stays attached
 *     (no bpf_link) until removed or the interface goes.  --size: the
 *     frame size the sink checks the inner frames against (as for run).
 *
 *   fp-bench-xdp-gen read --pin PATH
 *     Prints the sink's counters, summed over the CPUs.
 *
 *   fp-bench-xdp-gen run --iface IF --sink PATH [--size BYTES] [--flows N]
 *                        [--batch N] [--chunk N] [--warm S] [--win S]
 *                        [--nwin N] [--rate auto|max|PPS] [--headroom X]
 *                        [--hold IF] [--sched idle|normal] [--fwd-pid PID]
 *                        [--spin CPU] [--label TEXT]
 *     The source: a thread runs fpv_gen_tx through bpf_prog_test_run_opts()
 *     with BPF_F_TEST_XDP_LIVE_FRAMES (repeat --chunk, batch_size --batch,
 *     ingress_ifindex IF of the network namespace it runs in) until the
 *     main thread stops it with a signal.  Every frame the program returns
 *     XDP_TX for is sent into IF, i.e. to IF's veth peer.  The frame is
 *     Ethernet/IPv4/UDP, --size bytes on the wire with the FCS (64: 60
 *     bytes in memory), 02:00:00:00:0a:01 -> 02:00:00:00:0a:02,
 *     10.1.0.1:1024+i -> 10.2.0.1:5001, i cycling through --flows; it sits
 *     GEN_PAD bytes into the test run's data, and fpv_gen_tx moves its
 *     start there (more headroom: see bench_xdp_gen.bpf.c).
 *     The main thread reads the sink's counters and the program's frame
 *     count after --warm seconds and then every --win seconds, --nwin
 *     times, and prints one line per window and one JSON line.
 *
 *     --rate auto (default) paces the source at --headroom (1.2) times
 *     what the sink received over the last 20 ms, re-set every 5 ms (at
 *     least 100 kpps): above what the path delivers, so that it stays
 *     full, without overrunning the first veth by several times (every
 *     frame the veth refuses goes back to the source's page pool through
 *     the ring the far end returns the others to, and the two CPUs then
 *     fight over its lock).  max: as fast as the source can; a number: a
 *     fixed rate in frames/s.  The pacing is a busy wait in fpv_gen_tx.
 *     --hold IF: fpv_gen_tx is attached to IF (generic mode; an idle
 *     interface) while the source runs.  Every test run puts its program
 *     into the XDP dispatcher and takes it out again, each time with a
 *     synchronize_rcu(), unless the program is attached somewhere.
 *     --sched: the source thread's policy; idle (SCHED_IDLE, the
 *     default) gives its CPU to any other thread that wants it.
 *     --fwd-pid PID: the CPU time of that thread (the forwarding NAPI
 *     thread, /proc/PID/schedstat) per frame the sink received, and the
 *     share of each window it ran, are reported too.
 *     --spin CPU: a thread of the lowest priority (SCHED_IDLE) spins on
 *     CPU while the source runs: any other thread there preempts it at
 *     once, but the CPU never halts idle.  On a virtual machine a halted
 *     CPU waits for its hypervisor to wake it (up to milliseconds), and a
 *     NAPI thread that sleeps whenever its ring is empty then forwards a
 *     ring (256 frames) per wake-up.
 *
 * Needs root.  Exit status 0, 1 on error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench_xdp_gen.skel.h"
#include "version.h"

#define FCS_SIZE 4
#define FRAME_SIZE_MIN 64   /* on the wire, with the FCS */
#define FRAME_SIZE_MAX 1518 /* the veths' MTU 1500 */
#define FLOWS_MAX 50000	    /* gen_pcaps.py varies the source address after that */
#define NWIN_MAX 1000
#define GEN_PAD 64	  /* bytes before the frame, which fpv_gen_tx takes off */
#define CTRL_S 0.005	  /* --rate auto: the rate is re-set this often */
#define CTRL_SPAN 4	  /* over this many periods of CTRL_S */
#define RATE_FLOOR 100000 /* frames/s, the least --rate auto sends */

/* The sink's counters (struct fpv_sink_cnt of bench_xdp_gen.bpf.c). */
struct sink_cnt {
	uint64_t rx;	   /* frames */
	uint64_t bytes;	   /* their bytes */
	uint64_t vxlan_ok; /* the expected VXLAN frames */
};

struct opts {
	const char *cmd;   /* sink, read, run */
	const char *iface; /* interface */
	const char *pin;   /* the sink's pinned counter map */
	const char *label; /* copied into the JSON line */
	const char *hold;  /* interface that holds fpv_gen_tx (generic mode) */
	int sched_idle;	   /* the generator thread runs SCHED_IDLE */
	int sink_tc;	   /* sink --hook tc */
	uint32_t size;	   /* frame size on the wire, with the FCS */
	uint32_t flows;	   /* distinct 5-tuples */
	uint32_t batch;	   /* batch_size of the test run */
	uint32_t chunk;	   /* repeat of one test run */
	uint32_t nwin;	   /* windows */
	double warm, win;  /* seconds */
	int rate_auto;	   /* --rate auto */
	uint64_t rate;	   /* --rate PPS, 0: max */
	double headroom;   /* --rate auto: offered / received */
	uint32_t fwd_pid;  /* thread whose CPU time per packet is reported, 0: none */
	int spin_cpu;	   /* --spin CPU, -1: none */
};

/* One reading of the counters. */
struct sample {
	double t;	      /* CLOCK_MONOTONIC, s */
	uint64_t offered;     /* frames fpv_gen_tx returned XDP_TX for */
	uint64_t fwd_ns;      /* --fwd-pid's time on a CPU, ns */
	struct sink_cnt sink; /* the sink's counters */
};

/* What the generator thread shares with the main thread. */
struct gen {
	int prog;		   /* fpv_gen_tx */
	const uint8_t *frame;	   /* the test run's data: GEN_PAD bytes, the frame */
	uint32_t len;		   /* its bytes */
	uint32_t ifindex;	   /* where it is sent */
	uint32_t batch, chunk;	   /* test run parameters */
	int sched_idle;		   /* SCHED_IDLE */
	atomic_int stop;	   /* set by the main thread */
	atomic_uint_fast64_t runs; /* test runs done */
	atomic_int err;		   /* first test run error, -errno */
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void
sleep_until(double t)
{
	struct timespec ts = { .tv_sec = (time_t)t };

	ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: fp-bench-xdp-gen sink --iface IF --pin PATH [--size BYTES] [--hook xdp|tc]\n"
		"       fp-bench-xdp-gen read --pin PATH\n"
		"       fp-bench-xdp-gen run --iface IF --sink PATH [--size BYTES] [--flows N]\n"
		"                            [--batch N] [--chunk N] [--warm S] [--win S] [--nwin N]\n"
		"                            [--rate auto|max|PPS] [--headroom X] [--hold IF]\n"
		"                            [--fwd-pid PID] [--spin CPU]\n"
		"                            [--sched idle|normal] [--label TEXT]\n"
		"  --size BYTES    frame size on the wire with the 4-byte FCS, %u..%u (64)\n"
		"  --hook xdp|tc   sink: native XDP (default) or tc ingress\n"
		"  --flows N       distinct UDP 5-tuples, 1..%u (1)\n"
		"  --batch N       batch_size of the live-frames test run, 1..256 (64)\n"
		"  --chunk N       repeat of one test run (2^30: until stopped)\n"
		"  --warm S --win S --nwin N  warm-up, window length, windows (2 2 5)\n"
		"  --rate R        auto (default): --headroom X (1.2) times what the sink\n"
		"                  receives; max: as fast as it can; or frames/s\n"
		"  --hold IF       an idle interface that holds the source's program (generic\n"
		"                  mode) while it runs: test runs then skip synchronize_rcu()\n"
		"  --sched P       the source thread: idle (SCHED_IDLE, default) or normal\n"
		"  --fwd-pid PID   report that thread's CPU time per frame the sink received\n"
		"  --spin CPU      a SCHED_IDLE thread spins there so that it never halts idle\n"
		"  --label TEXT    copied into the output\n"
		"fp-bench-xdp-gen --version: print the version and exit\n",
		FRAME_SIZE_MIN, FRAME_SIZE_MAX, FLOWS_MAX);
}

static int
parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || end == s || *end || x < lo || x > hi)
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "pin", required_argument, NULL, 'p' },
		{ "sink", required_argument, NULL, 'p' },
		{ "size", required_argument, NULL, 's' },
		{ "flows", required_argument, NULL, 'f' },
		{ "batch", required_argument, NULL, 'b' },
		{ "chunk", required_argument, NULL, 'c' },
		{ "warm", required_argument, NULL, 'W' },
		{ "win", required_argument, NULL, 'w' },
		{ "nwin", required_argument, NULL, 'n' },
		{ "label", required_argument, NULL, 'l' },
		{ "hold", required_argument, NULL, 'H' },
		{ "sched", required_argument, NULL, 'S' },
		{ "rate", required_argument, NULL, 'r' },
		{ "headroom", required_argument, NULL, 'x' },
		{ "hook", required_argument, NULL, 'k' },
		{ "fwd-pid", required_argument, NULL, 'P' },
		{ "spin", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc = 0;

	*o = (struct opts){ .size = 64,
			    .flows = 1,
			    .batch = 64,
			    .chunk = 1U << 30,
			    .nwin = 5,
			    .warm = 2,
			    .win = 2,
			    .label = "",
			    .sched_idle = 1,
			    .rate_auto = 1,
			    .headroom = 1.2,
			    .spin_cpu = -1 };
	if (argc < 2) {
		usage(stderr);
		return -EINVAL;
	}
	o->cmd = argv[1];
	if (strcmp(o->cmd, "-h") == 0 || strcmp(o->cmd, "--help") == 0) {
		usage(stdout);
		exit(0);
	}
	if (strcmp(o->cmd, "-V") == 0 || strcmp(o->cmd, "--version") == 0) {
		fp_version_print(stdout, "fp-bench-xdp-gen");
		exit(0);
	}
	if (strcmp(o->cmd, "sink") != 0 && strcmp(o->cmd, "read") != 0 &&
	    strcmp(o->cmd, "run") != 0) {
		usage(stderr);
		return -EINVAL;
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->iface = optarg;
			break;
		case 'p':
			o->pin = optarg;
			break;
		case 'l':
			o->label = optarg;
			break;
		case 'H':
			o->hold = optarg;
			break;
		case 'S':
			if (strcmp(optarg, "idle") == 0)
				o->sched_idle = 1;
			else if (strcmp(optarg, "normal") == 0)
				o->sched_idle = 0;
			else
				rc = -EINVAL;
			break;
		case 's':
			rc = parse_u32(optarg, FRAME_SIZE_MIN, FRAME_SIZE_MAX, &o->size);
			break;
		case 'f':
			rc = parse_u32(optarg, 1, FLOWS_MAX, &o->flows);
			break;
		case 'b':
			rc = parse_u32(optarg, 1, 256, &o->batch);
			break;
		case 'c':
			rc = parse_u32(optarg, 1, 1U << 30, &o->chunk);
			break;
		case 'n':
			rc = parse_u32(optarg, 1, NWIN_MAX, &o->nwin);
			break;
		case 'P':
			rc = parse_u32(optarg, 1, 1U << 30, &o->fwd_pid);
			break;
		case 'C': {
			uint32_t v;

			rc = parse_u32(optarg, 0, CPU_SETSIZE - 1, &v);
			o->spin_cpu = (int)v;
		} break;
		case 'k':
			if (strcmp(optarg, "tc") == 0)
				o->sink_tc = 1;
			else if (strcmp(optarg, "xdp") == 0)
				o->sink_tc = 0;
			else
				rc = -EINVAL;
			break;
		case 'r':
			o->rate_auto = strcmp(optarg, "auto") == 0;
			if (o->rate_auto || strcmp(optarg, "max") == 0) {
				o->rate = 0;
			} else {
				uint32_t v;

				rc = parse_u32(optarg, 1000, 1000000000, &v);
				o->rate = v;
			}
			break;
		case 'x': {
			char *end;
			double x = strtod(optarg, &end);

			if (end == optarg || *end || !(x >= 1.01 && x <= 10))
				rc = -EINVAL;
			else
				o->headroom = x;
		} break;
		case 'W':
		case 'w': {
			char *end;
			double x = strtod(optarg, &end);

			if (end == optarg || *end || !(x >= 0 && x <= 3600) ||
			    (c == 'w' && x < 0.1))
				rc = -EINVAL;
			else if (c == 'W')
				o->warm = x;
			else
				o->win = x;
		} break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
		if (rc) {
			fprintf(stderr, "fp-bench-xdp-gen: bad value for option: %s\n", optarg);
			return rc;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return -EINVAL;
	}
	if (o->pin == NULL || (strcmp(o->cmd, "read") != 0 && o->iface == NULL)) {
		fprintf(stderr, "fp-bench-xdp-gen %s: --iface and --pin/--sink are required\n",
			o->cmd);
		return -EINVAL;
	}
	return 0;
}

static int
libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static struct bench_xdp_gen *
load(uint32_t flows, uint32_t sink_inner_len)
{
	struct bench_xdp_gen *s = bench_xdp_gen__open();
	int rc;

	if (s == NULL)
		return NULL;
	s->rodata->gen_flows = flows;
	s->rodata->sink_inner_len = sink_inner_len;
	s->rodata->gen_pad = GEN_PAD;
	rc = bench_xdp_gen__load(s);
	if (rc) {
		bench_xdp_gen__destroy(s);
		errno = -rc;
		return NULL;
	}
	return s;
}

static int
sink_read(int fd, struct sink_cnt *sum)
{
	int n_cpus = libbpf_num_possible_cpus(), i;
	struct sink_cnt *v;
	uint32_t zero = 0;

	if (n_cpus < 1)
		return n_cpus < 0 ? n_cpus : -EINVAL;
	v = calloc((size_t)n_cpus, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &zero, v)) {
		free(v);
		return -errno;
	}
	*sum = (struct sink_cnt){ 0 };
	for (i = 0; i < n_cpus; i++) {
		sum->rx += v[i].rx;
		sum->bytes += v[i].bytes;
		sum->vxlan_ok += v[i].vxlan_ok;
	}
	free(v);
	return 0;
}

static int
cmd_sink(const struct opts *o)
{
	struct bench_xdp_gen *s;
	unsigned int ifindex = if_nametoindex(o->iface);
	int rc;

	if (ifindex == 0) {
		fprintf(stderr, "fp-bench-xdp-gen sink: no interface %s\n", o->iface);
		return -ENODEV;
	}
	s = load(1, o->size - FCS_SIZE);
	if (s == NULL) {
		rc = -errno;
		fprintf(stderr, "fp-bench-xdp-gen sink: loading the BPF object: %s\n",
			strerror(-rc));
		return rc;
	}
	rc = bpf_map__pin(s->maps.fpv_sink, o->pin);
	if (rc) {
		fprintf(stderr, "fp-bench-xdp-gen sink: pinning %s: %s\n", o->pin, strerror(-rc));
		goto out;
	}
	if (o->sink_tc) {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)ifindex,
			    .attach_point = BPF_TC_INGRESS);
		LIBBPF_OPTS(bpf_tc_opts, tco, .prog_fd = bpf_program__fd(s->progs.fpv_sink_tc));

		rc = bpf_tc_hook_create(&hook);
		if (rc == -EEXIST)
			rc = 0;
		if (rc == 0)
			rc = bpf_tc_attach(&hook, &tco);
	} else {
		rc = bpf_xdp_attach((int)ifindex, bpf_program__fd(s->progs.fpv_sink_drop),
				    XDP_FLAGS_DRV_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
	}
	if (rc) {
		fprintf(stderr, "fp-bench-xdp-gen sink: attaching to %s (%s): %s\n", o->iface,
			o->sink_tc ? "tc ingress" : "XDP, native", strerror(-rc));
		unlink(o->pin);
		goto out;
	}
	printf("sink: %s attached to %s (%s), counters pinned as %s\n",
	       o->sink_tc ? "fpv_sink_tc" : "fpv_sink_drop", o->iface,
	       o->sink_tc ? "tc ingress" : "XDP, native", o->pin);
out:
	bench_xdp_gen__destroy(s);
	return rc;
}

static int
cmd_read(const struct opts *o)
{
	struct sink_cnt c = { 0 };
	int fd = bpf_obj_get(o->pin), rc;

	if (fd < 0) {
		fprintf(stderr, "fp-bench-xdp-gen read: %s: %s\n", o->pin, strerror(errno));
		return -errno;
	}
	rc = sink_read(fd, &c);
	close(fd);
	if (rc) {
		fprintf(stderr, "fp-bench-xdp-gen read: %s\n", strerror(-rc));
		return rc;
	}
	printf("{\"rx\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"vxlan_ok\":%" PRIu64 "}\n", c.rx,
	       c.bytes, c.vxlan_ok);
	return 0;
}

/* The frame of flow 0 (gen_pcaps.py's inner_frame(0), len bytes). */
static void
frame_build(uint8_t *f, uint32_t len)
{
	static const uint8_t head[] = {
		0x02, 0x00, 0x00, 0x00, 0x0a, 0x02, /* dst VM2 */
		0x02, 0x00, 0x00, 0x00, 0x0a, 0x01, /* src VM1 */
		0x08, 0x00,			    /* IPv4 */
		0x45, 0x00, 0x00, 0x00,		    /* total length below */
		0x00, 0x00, 0x40, 0x00,		    /* id 0, DF */
		0x40, 0x11, 0x00, 0x00,		    /* TTL 64, UDP, checksum below */
		10,   1,    0,	  1,		    /* 10.1.0.1 */
		10,   2,    0,	  1,		    /* 10.2.0.1 */
		0x04, 0x00, 0x13, 0x89,		    /* 1024 -> 5001 */
		0x00, 0x00, 0x00, 0x00,		    /* length below, checksum 0 */
	};
	uint32_t ip_len = len - 14, udp_len = ip_len - 20, sum = 0, i;

	memset(f, 0, len);
	memcpy(f, head, sizeof(head));
	f[16] = (uint8_t)(ip_len >> 8);
	f[17] = (uint8_t)ip_len;
	f[38] = (uint8_t)(udp_len >> 8);
	f[39] = (uint8_t)udp_len;
	for (i = 14; i < 34; i += 2)
		sum += (uint32_t)f[i] << 8 | f[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	f[24] = (uint8_t)(sum >> 8);
	f[25] = (uint8_t)sum;
}

static void *
gen_thread(void *arg)
{
	struct gen *g = arg;
	struct xdp_md ctx = { .data_end = g->len, .ingress_ifindex = g->ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = g->frame, .data_size_in = g->len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = g->chunk,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = g->batch);

	if (g->sched_idle &&
	    sched_setscheduler(0, SCHED_IDLE, &(struct sched_param){ .sched_priority = 0 })) {
		g->err = -errno;
		return NULL;
	}
	while (!atomic_load(&g->stop)) {
		if (bpf_prog_test_run_opts(g->prog, &t)) {
			/* The main thread's SIGUSR1 ends a run with EINTR. */
			if (errno != EINTR || !atomic_load(&g->stop))
				g->err = -errno;
			break;
		}
		atomic_fetch_add(&g->runs, 1);
	}
	return NULL;
}

/* --spin: keeps its CPU out of the idle halt at the lowest priority (see
 * cmd_run).
 */
struct spin {
	int cpu;	 /* where */
	atomic_int stop; /* set by the main thread */
	int err;	 /* -errno of the setup */
};

static void *
spin_thread(void *arg)
{
	struct spin *sp = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(sp->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) ||
	    sched_setscheduler(0, SCHED_IDLE, &(struct sched_param){ .sched_priority = 0 })) {
		sp->err = -errno;
		return NULL;
	}
	while (!atomic_load_explicit(&sp->stop, memory_order_relaxed))
		__builtin_ia32_pause();
	return NULL;
}

static void
on_usr1(int sig)
{
	(void)sig;
}

/* The time thread pid has run, ns, or 0. */
static uint64_t
run_ns(uint32_t pid)
{
	char path[64];
	unsigned long long ns = 0;
	FILE *f;

	if (pid == 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%u/schedstat", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	if (fscanf(f, "%llu", &ns) != 1)
		ns = 0;
	fclose(f);
	return ns;
}

static int
take(struct sample *s, int sink_fd, const volatile __u64 *offered, uint32_t fwd_pid)
{
	s->t = now();
	s->offered = *offered;
	s->fwd_ns = run_ns(fwd_pid);
	return sink_read(sink_fd, &s->sink);
}

/* The median of v[0..n-1], n <= NWIN_MAX (v is not changed). */
static double
median_of(const double *v, uint32_t n)
{
	double c[NWIN_MAX];

	memcpy(c, v, n * sizeof(*v));
	qsort(c, n, sizeof(*c), cmp_double);
	return n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
}

/* "name":[v0,v1,...], with prec decimals. */
static void
print_list(const char *name, const double *v, uint32_t n, int prec)
{
	uint32_t i;

	printf("\"%s\":[", name);
	for (i = 0; i < n; i++)
		printf("%s%.*f", i ? "," : "", prec, v[i]);
	printf("],");
}

static int
cmd_run(const struct opts *o)
{
	uint32_t len = o->size - FCS_SIZE, w;
	struct gen g = {
		.len = len, .batch = o->batch, .chunk = o->chunk, .sched_idle = o->sched_idle
	};
	int hold = 0;
	struct sample *smp = calloc(o->nwin + 2, sizeof(*smp));
	double *rx = calloc(o->nwin, sizeof(double)), *off = calloc(o->nwin, sizeof(double));
	double *busy = calloc(o->nwin, sizeof(double)), *nspp = calloc(o->nwin, sizeof(double));
	const struct sample *a, *b;
	char rate[32];
	double t0;
	uint8_t frame[GEN_PAD + FRAME_SIZE_MAX];
	struct bench_xdp_gen *s = NULL;
	struct spin sp = { .cpu = o->spin_cpu };
	struct sample ctl[CTRL_SPAN], cur;
	pthread_t spin_th;
	int spinning = 0;
	double rate_sum = 0;
	uint64_t n_rate = 0, k;
	pthread_t th;
	int sink_fd = -1, rc = -ENOMEM, jrc;

	if (smp == NULL || rx == NULL || off == NULL || busy == NULL || nspp == NULL)
		goto out;
	g.ifindex = if_nametoindex(o->iface);
	if (g.ifindex == 0) {
		rc = -ENODEV;
		fprintf(stderr, "fp-bench-xdp-gen run: no interface %s\n", o->iface);
		goto out;
	}
	sink_fd = bpf_obj_get(o->pin);
	if (sink_fd < 0) {
		rc = -errno;
		fprintf(stderr, "fp-bench-xdp-gen run: sink %s: %s\n", o->pin, strerror(-rc));
		goto out;
	}
	s = load(o->flows, 0);
	if (s == NULL) {
		rc = -errno;
		fprintf(stderr, "fp-bench-xdp-gen run: loading the BPF object: %s\n",
			strerror(-rc));
		goto out;
	}
	memset(frame, 0, GEN_PAD);
	frame_build(frame + GEN_PAD, len);
	g.frame = frame;
	g.len = GEN_PAD + len;
	s->bss->gen_iv_ns = o->rate_auto ? 1000000000 / RATE_FLOOR :
			    o->rate	 ? 1000000000 / o->rate :
					   0;
	g.prog = bpf_program__fd(s->progs.fpv_gen_tx);
	/* Every test run adds the program to the XDP dispatcher and takes
	 * it out again, each with a synchronize_rcu() (milliseconds here),
	 * unless the program is attached somewhere (--hold); and the runs are
	 * long anyway (--chunk frames), ended by a signal.
	 */
	if (o->hold) {
		hold = (int)if_nametoindex(o->hold);
		rc = hold ? bpf_xdp_attach(hold, g.prog,
					   XDP_FLAGS_SKB_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL) :
			    -ENODEV;
		if (rc) {
			fprintf(stderr, "fp-bench-xdp-gen run: attaching to %s: %s\n", o->hold,
				strerror(-rc));
			hold = 0;
			goto out;
		}
	}
	if (o->spin_cpu >= 0) {
		rc = pthread_create(&spin_th, NULL, spin_thread, &sp);
		if (rc) {
			rc = -rc;
			goto out;
		}
		spinning = 1;
	}
	sigaction(SIGUSR1, &(struct sigaction){ .sa_handler = on_usr1 }, NULL);
	rc = pthread_create(&th, NULL, gen_thread, &g);
	if (rc) {
		rc = -rc;
		goto out;
	}
	t0 = now();
	/* smp[0]: the start of the warm-up; smp[1..nwin+1]: window edges. */
	rc = take(&smp[0], sink_fd, &s->bss->gen_frames, o->fwd_pid);
	for (w = 0; w < CTRL_SPAN; w++)
		ctl[w] = smp[0];
	for (w = 0, k = 0; rc == 0 && w <= o->nwin && !g.err;) {
		double edge = t0 + o->warm + o->win * w, t = now();

		if (t >= edge) {
			rc = take(&smp[w + 1], sink_fd, &s->bss->gen_frames, o->fwd_pid);
			w++;
			continue;
		}
		if (!o->rate_auto) {
			sleep_until(edge);
			continue;
		}
		/* --rate auto: headroom times the rate of the last
		 * CTRL_SPAN periods, re-set every period.
		 */
		sleep_until(t + CTRL_S < edge ? t + CTRL_S : edge);
		rc = take(&cur, sink_fd, &s->bss->gen_frames, 0);
		if (rc)
			break;
		{
			const struct sample *old = &ctl[k % CTRL_SPAN];
			double r = (double)(cur.sink.rx - old->sink.rx) / (cur.t - old->t);

			r *= o->headroom;
			if (r < RATE_FLOOR)
				r = RATE_FLOOR;
			s->bss->gen_iv_ns = (uint64_t)(1e9 / r);
			rate_sum += r;
			n_rate++;
		}
		ctl[k++ % CTRL_SPAN] = cur;
	}
	atomic_store(&g.stop, 1);
	/* Again until it ends: a signal just before the thread enters the
	 * test run would otherwise be lost.
	 */
	do {
		struct timespec ts;

		pthread_kill(th, SIGUSR1);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		jrc = pthread_timedjoin_np(th, NULL, &ts);
	} while (jrc == ETIMEDOUT);
	if (rc == 0 && g.err)
		rc = g.err;
	if (rc) {
		fprintf(stderr, "fp-bench-xdp-gen run: %s: %s\n",
			g.err ? "bpf_prog_test_run_opts (live frames)" : "reading the sink",
			strerror(-rc));
		goto out;
	}
	for (w = 0; w < o->nwin; w++) {
		const struct sample *a = &smp[w + 1], *b = &smp[w + 2];
		double dt = b->t - a->t, n = (double)(b->sink.rx - a->sink.rx);

		rx[w] = n / dt;
		off[w] = (double)(b->offered - a->offered) / dt;
		busy[w] = (double)(b->fwd_ns - a->fwd_ns) / 1e9 / dt;
		nspp[w] = n > 0 ? (double)(b->fwd_ns - a->fwd_ns) / n : 0;
		printf("%s window %u: %.3f s, offered %.3f Mpps, sink %.3f Mpps, %" PRIu64
		       " of %" PRIu64 " expected VXLAN",
		       o->label, w + 1, dt, off[w] / 1e6, rx[w] / 1e6,
		       b->sink.vxlan_ok - a->sink.vxlan_ok, b->sink.rx - a->sink.rx);
		if (o->fwd_pid)
			printf("; forwarding thread on CPU %.0f%% of the time, %.0f ns/frame",
			       100 * busy[w], nspp[w]);
		printf("\n");
	}
	if (o->rate_auto)
		snprintf(rate, sizeof(rate), "\"auto\"");
	else if (o->rate)
		snprintf(rate, sizeof(rate), "%" PRIu64, o->rate);
	else
		snprintf(rate, sizeof(rate), "\"max\"");
	a = &smp[1];
	b = &smp[o->nwin + 1];
	printf("{\"label\":\"%s\",\"git\":\"%s\",\"size\":%u,\"flows\":%u,\"batch\":%u,"
	       "\"chunk\":%u,\"pad\":%u,\"warm_s\":%.3f,\"win_s\":%.3f,\"rate\":%s,"
	       "\"headroom\":%.2f,\"paced_pps_mean\":%.0f,\"wait_s\":%.3f,",
	       o->label, fp_version_git(), o->size, o->flows, o->batch, o->chunk, GEN_PAD, o->warm,
	       o->win, rate, o->rate_auto ? o->headroom : 0, n_rate ? rate_sum / (double)n_rate : 0,
	       (double)s->bss->gen_wait_ns / 1e9);
	print_list("rx_pps", rx, o->nwin, 0);
	print_list("offered_pps", off, o->nwin, 0);
	if (o->fwd_pid) {
		print_list("fwd_busy", busy, o->nwin, 3);
		print_list("fwd_ns_per_pkt", nspp, o->nwin, 1);
	}
	printf("\"rx_pps_median\":%.0f,\"offered_pps_median\":%.0f,"
	       "\"measured\":{\"s\":%.6f,\"offered\":%" PRIu64 ",\"rx\":%" PRIu64
	       ",\"rx_bytes\":%" PRIu64 ",\"vxlan_ok\":%" PRIu64 ",\"fwd_ns\":%" PRIu64 "},"
	       "\"total\":{\"s\":%.6f,\"offered\":%" PRIu64 ",\"rx\":%" PRIu64
	       ",\"vxlan_ok\":%" PRIu64 ",\"test_runs\":%" PRIu64 "}}\n",
	       median_of(rx, o->nwin), median_of(off, o->nwin), b->t - a->t,
	       b->offered - a->offered, b->sink.rx - a->sink.rx, b->sink.bytes - a->sink.bytes,
	       b->sink.vxlan_ok - a->sink.vxlan_ok, b->fwd_ns - a->fwd_ns, b->t - smp[0].t,
	       (uint64_t)s->bss->gen_frames, b->sink.rx - smp[0].sink.rx,
	       b->sink.vxlan_ok - smp[0].sink.vxlan_ok, (uint64_t)atomic_load(&g.runs));
out:
	if (spinning) {
		atomic_store(&sp.stop, 1);
		pthread_join(spin_th, NULL);
		if (sp.err)
			fprintf(stderr, "fp-bench-xdp-gen run: --spin %d: %s\n", o->spin_cpu,
				strerror(-sp.err));
	}
	if (hold)
		bpf_xdp_detach(hold, XDP_FLAGS_SKB_MODE, NULL);
	if (sink_fd >= 0)
		close(sink_fd);
	bench_xdp_gen__destroy(s);
	free(smp);
	free(rx);
	free(off);
	free(busy);
	free(nspp);
	return rc;
}

int
main(int argc, char **argv)
{
	struct opts o;
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(libbpf_print);
	if (parse_opts(argc, argv, &o))
		return 1;
	if (strcmp(o.cmd, "sink") == 0)
		rc = cmd_sink(&o);
	else if (strcmp(o.cmd, "read") == 0)
		rc = cmd_read(&o);
	else if (strcmp(o.cmd, "run") == 0)
		rc = cmd_run(&o);
	else {
		usage(stderr);
		rc = -EINVAL;
	}
	return rc ? 1 : 0;
}
