// uringref: the physical-limit line of the workbook's benchmark table.
//
// The same loops the Go benchmarks run, written in C against liburing, so a
// figure for "how fast can this machine do it at all" comes from the same
// run as the executor's. Written for the workbook; built and run by
// bench/run.sh (needs Debian's liburing-dev and gcc).
//
//   uringref nop BATCH SECONDS          ns per IORING_OP_NOP, BATCH per enter
//   uringref read FILE SECONDS MODE     4 KiB random reads at queue depth 32
//        MODE plain  IORING_OP_READ (5.6)
//             fixed  IOSQE_FIXED_FILE + IORING_OP_READ_FIXED (5.1) on
//                    buffers registered with IORING_REGISTER_BUFFERS
//             pread  pread(2) in a loop, one at a time
//
// Each prints one line: "<name> <value> <unit>".
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define DEPTH 32
#define BS 4096

static double now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, int err) {
	fprintf(stderr, "uringref: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

// xorshift64*: a cheap generator so the loop measures I/O, not rand().
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t next_rand(void) {
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static int bench_nop(int batch, double secs) {
	struct io_uring ring;
	int ret = io_uring_queue_init(256, &ring, 0);
	if (ret < 0) die("io_uring_queue_init", ret);
	long ops = 0;
	double start = now(), end = start + secs;
	while (now() < end) {
		for (int rounds = 0; rounds < 64; rounds++) {
			for (int i = 0; i < batch; i++)
				io_uring_prep_nop(io_uring_get_sqe(&ring));
			ret = io_uring_submit_and_wait(&ring, batch);
			if (ret < 0) die("submit", ret);
			unsigned head, seen = 0;
			struct io_uring_cqe *cqe;
			io_uring_for_each_cqe(&ring, head, cqe) seen++;
			io_uring_cq_advance(&ring, seen);
			ops += seen;
		}
	}
	double el = now() - start;
	printf("nop-batch%d %.1f ns/op\n", batch, el * 1e9 / ops);
	io_uring_queue_exit(&ring);
	return 0;
}

static int bench_read(const char *path, double secs, const char *mode) {
	int fd = open(path, O_RDONLY);
	if (fd < 0) die("open", errno);
	struct stat st;
	if (fstat(fd, &st) < 0) die("fstat", errno);
	uint64_t blocks = st.st_size / BS;
	if (blocks == 0) die("file smaller than a block", EINVAL);
	static char bufs[DEPTH][BS] __attribute__((aligned(4096)));
	long ops = 0;
	double start, el;

	if (strcmp(mode, "pread") == 0) {
		start = now();
		double end = start + secs;
		while (now() < end) {
			for (int i = 0; i < 1024; i++) {
				if (pread(fd, bufs[0], BS, (next_rand() % blocks) * BS) != BS)
					die("pread", errno);
			}
			ops += 1024;
		}
		el = now() - start;
		printf("read-pread %.0f IOPS\n", ops / el);
		return 0;
	}

	int fixed = strcmp(mode, "fixed") == 0;
	if (!fixed && strcmp(mode, "plain") != 0) die("mode must be plain, fixed or pread", EINVAL);
	struct io_uring ring;
	int ret = io_uring_queue_init(256, &ring, 0);
	if (ret < 0) die("io_uring_queue_init", ret);
	if (fixed) {
		struct iovec iov[DEPTH];
		for (int i = 0; i < DEPTH; i++) iov[i] = (struct iovec){bufs[i], BS};
		if ((ret = io_uring_register_buffers(&ring, iov, DEPTH)) < 0) die("register buffers", ret);
		if ((ret = io_uring_register_files(&ring, &fd, 1)) < 0) die("register files", ret);
	}
	// Keep DEPTH reads in flight; one io_uring_enter per turn submits every
	// refill and waits for at least one completion, as the executor does.
	int pending = 0;
	start = now();
	double end = start + secs;
	int slot_free[DEPTH];
	for (int i = 0; i < DEPTH; i++) slot_free[i] = 1;
	while (1) {
		int stop = now() >= end;
		if (!stop) {
			for (int i = 0; i < DEPTH; i++) {
				if (!slot_free[i]) continue;
				struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
				off_t off = (next_rand() % blocks) * BS;
				if (fixed) {
					io_uring_prep_read_fixed(sqe, 0, bufs[i], BS, off, i);
					sqe->flags |= IOSQE_FIXED_FILE;
				} else {
					io_uring_prep_read(sqe, fd, bufs[i], BS, off);
				}
				io_uring_sqe_set_data64(sqe, i);
				slot_free[i] = 0;
				pending++;
			}
		}
		if (pending == 0) break;
		ret = io_uring_submit_and_wait(&ring, 1);
		if (ret < 0 && ret != -EINTR) die("submit", ret);
		unsigned head, seen = 0;
		struct io_uring_cqe *cqe;
		io_uring_for_each_cqe(&ring, head, cqe) {
			if (cqe->res != BS) die("short read", cqe->res < 0 ? cqe->res : EIO);
			slot_free[cqe->user_data] = 1;
			seen++;
		}
		io_uring_cq_advance(&ring, seen);
		pending -= seen;
		ops += seen;
	}
	el = now() - start;
	printf("read-%s %.0f IOPS\n", mode, ops / el);
	io_uring_queue_exit(&ring);
	close(fd);
	return 0;
}

int main(int argc, char **argv) {
	if (argc == 4 && strcmp(argv[1], "nop") == 0)
		return bench_nop(atoi(argv[2]), atof(argv[3]));
	if (argc == 5 && strcmp(argv[1], "read") == 0)
		return bench_read(argv[2], atof(argv[3]), argv[4]);
	fprintf(stderr, "usage: uringref nop BATCH SECONDS | uringref read FILE SECONDS plain|fixed|pread\n");
	return 2;
}
