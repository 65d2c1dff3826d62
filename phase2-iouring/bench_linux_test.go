//go:build linux

package iouring

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	executor "asyncworkbook/phase1-executor"
)

// Random 4 KiB reads of a cached file, queue depth 32: one executor
// keeping 32 READs in flight, against 32 goroutines calling ReadAt at
// GOMAXPROCS=1. The file is RANDREAD_MB MiB (default 1024), written once
// per run; fio's figure for the same shape is in the bench/ module.
//
//	go test -run '^$' -bench RandomRead -count 5 ./phase2-iouring/

const (
	readSize = 4096
	depth    = 32
)

func randReadFile(b *testing.B) (path string, blocks int64) {
	mb := int64(1024)
	if s := os.Getenv("RANDREAD_MB"); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v <= 0 {
			b.Fatalf("RANDREAD_MB=%q: want a positive number of MiB", s)
		}
		mb = v
	}
	path = filepath.Join(b.TempDir(), "randread")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	for i := range chunk {
		chunk[i] = byte(i)
	}
	for range mb {
		if _, err := f.Write(chunk); err != nil {
			b.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path, mb << 20 / readSize
}

// randReads keeps depth READs in flight until total have completed.
type randReads struct {
	f           *File
	blocks      int64
	total, done int
	issued      int
	bufs        [depth][]byte
	ops         [depth]executor.Future[executor.Result[int]]
	rng         *rand.Rand
	err         error
	fixed       bool // ReadAtFixed: registered file and buffers
	// lent: ReadAtLent, one LentRead per slot reused with Again, and the
	// lent buffer released at once (what a caller that has looked at the
	// bytes does), instead of copied out.
	lent  bool
	lrd   [depth]*LentRead
	lbusy [depth]bool
}

func (q *randReads) Poll(cx *executor.Context) executor.Poll[int] {
	if q.lent {
		return q.pollLent(cx)
	}
	for i := range q.ops {
		for {
			if q.ops[i] == nil {
				if q.issued == q.total {
					break
				}
				if q.fixed {
					q.ops[i] = q.f.ReadAtFixed(q.bufs[i], q.rng.Int64N(q.blocks)*readSize)
				} else {
					q.ops[i] = q.f.ReadAt(q.bufs[i], q.rng.Int64N(q.blocks)*readSize)
				}
				q.issued++
			}
			r, ok := q.ops[i].Poll(cx).Value()
			if !ok {
				break
			}
			q.ops[i] = nil
			if r.Err != nil || r.Value != readSize {
				q.err = r.Err
				return executor.PollReady(q.done)
			}
			q.done++
		}
	}
	if q.done < q.total {
		return executor.Pending[int]()
	}
	return executor.PollReady(q.done)
}

func BenchmarkRandomRead(b *testing.B) {
	path, blocks := randReadFile(b)
	for _, v := range readVariants {
		b.Run(v.name, func(b *testing.B) { benchExecutorReads(b, path, blocks, v) })
	}
	b.Run("goroutines", func(b *testing.B) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		b.SetBytes(readSize)
		b.ResetTimer()
		cpu0 := processCPU(b)
		var wg sync.WaitGroup
		per := b.N / depth
		for g := range depth {
			n := per
			if g == 0 {
				n += b.N % depth
			}
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(g), 2))
				buf := make([]byte, readSize)
				for range n {
					if _, err := f.ReadAt(buf, rng.Int64N(blocks)*readSize); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "IOPS")
		b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/read")
	})
}

func (q *randReads) pollLent(cx *executor.Context) executor.Poll[int] {
	for i := range q.lrd {
		for {
			if !q.lbusy[i] {
				if q.issued == q.total {
					break
				}
				off := q.rng.Int64N(q.blocks) * readSize
				if q.lrd[i] == nil {
					q.lrd[i] = q.f.ReadAtLent(readSize, off)
				} else {
					q.lrd[i].Again(readSize, off)
				}
				q.lbusy[i] = true
				q.issued++
			}
			r, ok := q.lrd[i].Poll(cx).Value()
			if !ok {
				break
			}
			q.lbusy[i] = false
			if r.Err != nil || r.Value.Len() != readSize {
				q.err = r.Err
				return executor.PollReady(q.done)
			}
			r.Value.Release()
			q.done++
		}
	}
	if q.done < q.total {
		return executor.Pending[int]()
	}
	return executor.PollReady(q.done)
}

// processCPU is the process's user+system CPU time so far, in ns (every
// thread: the executor's, the runtime's, the goroutines'). Per read it is
// the figure a busy shared machine disturbs least: the wall clock counts
// the time other processes take the CPU away, CPU time does not.
func processCPU(b *testing.B) int64 {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// readVariant is one executor configuration of BenchmarkRandomRead.
type readVariant struct {
	name  string
	fixed bool // ReadAtFixed: registered file slot and buffers
	lent  bool // ReadAtLent (with fixed): no copy out, futures reused
	// lock runs the executor on a locked OS thread (runtime.LockOSThread
	// from before the ring is set up until after Close), as the setup
	// options need: then the thread that submits is always the one that
	// waits.
	lock bool
	opts []ReactorOption
}

var readVariants = []readVariant{
	{name: "executor"},
	{name: "executor-fixed", fixed: true},
	{name: "executor-fixed-locked", fixed: true, lock: true},
	{name: "executor-fixed-single", fixed: true, lock: true, opts: []ReactorOption{WithSingleIssuer()}},
	{name: "executor-fixed-defer", fixed: true, lock: true, opts: []ReactorOption{WithDeferTaskrun()}},
	{name: "executor-lent", fixed: true, lent: true},
	{name: "executor-lent-defer", fixed: true, lent: true, lock: true, opts: []ReactorOption{WithDeferTaskrun()}},
}

// benchExecutorReads is one executor keeping depth reads in flight: plain
// READ through the reactor's pool, or (fixed) READ_FIXED through a
// registered file slot and registered buffers.
func benchExecutorReads(b *testing.B, path string, blocks int64, v readVariant) {
	fixed := v.fixed
	if v.lock {
		// Unlocked after the deferred Closes below have run (defers run
		// last-in first-out): the executor, its coroutines and both
		// Closes stay on this thread.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
	}
	r, err := NewReactorWith(256, v.opts...)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	if v.opts != nil && r.RingKind() == "io_uring" && !strings.Contains(r.SetupFlags(), "SINGLE_ISSUER") {
		b.Logf("setup flags: %s", r.SetupFlags()) // refused by this kernel: measured without
	}
	if fixed {
		// One registered buffer per READ in flight, one slot for the file.
		if err := r.EnableFixed(depth, readSize, 1); err != nil {
			b.Fatalf("EnableFixed: %v", err)
		}
	}
	ex := executor.New(executor.WithDriver(r))
	defer ex.Close()
	q := &randReads{total: b.N, blocks: blocks, rng: rand.New(rand.NewPCG(1, 2)), fixed: fixed, lent: v.lent}
	for i := range q.bufs {
		q.bufs[i] = make([]byte, readSize)
	}
	b.SetBytes(readSize)
	b.ResetTimer()
	cpu0 := processCPU(b)
	n, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) int {
		fr := executor.Await(a, Open(r, path, unix.O_RDONLY, 0))
		if fr.Err != nil {
			q.err = fr.Err
			return 0
		}
		q.f = fr.Value
		n := executor.Await(a, executor.Future[int](q))
		executor.Await(a, q.f.Close())
		return n
	}))
	if err != nil || q.err != nil || n != b.N {
		b.Fatalf("read %d of %d blocks: %v %v", n, b.N, err, q.err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "IOPS")
	b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/read")
}
