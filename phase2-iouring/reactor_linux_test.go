//go:build linux

package iouring

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/sys/unix"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/trace"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newRuntime returns an executor driven by a fresh reactor, recording its
// trace, and closes both at the end of the test.
func newRuntime(t *testing.T) (*executor.Executor, *Reactor, *trace.Recorder) {
	t.Helper()
	r, err := NewReactor(64)
	if err != nil {
		t.Skipf("io_uring unavailable here: %v", err)
	}
	rec := trace.NewRecorder(1 << 14)
	ex := executor.New(executor.WithDriver(r), executor.WithSink(rec))
	t.Cleanup(func() {
		ex.Close()
		if err := r.Close(); err != nil {
			t.Errorf("reactor Close: %v", err)
		}
	})
	return ex, r, rec
}

// newPipe returns the read end of a new pipe as a File on r, and the
// write end's descriptor; both are closed when the test ends. Reads of an
// empty pipe never complete on their own: the tests' way to have an op in
// flight for as long as they like.
func newPipe(t *testing.T, r *Reactor) (*File, int) {
	t.Helper()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(p[0]); unix.Close(p[1]) })
	return &File{r: r, fd: p[0], name: "pipe"}, p[1]
}

// drain waits, parked, until the reactor has no op in flight but the
// sleep it waits with: the CQEs of cancelled ops have been reaped.
func drain(a *executor.Awaiter, r *Reactor) {
	for r.InFlight() > 0 {
		executor.Await(a, Sleep(r, time.Millisecond))
	}
}

func dumpTrace(rec *trace.Recorder) string {
	var b strings.Builder
	for _, e := range rec.Events() {
		b.WriteString("\n\t" + e.String())
	}
	return b.String()
}

func TestWriteThenReadAFile(t *testing.T) {
	ex, r, rec := newRuntime(t)
	path := filepath.Join(t.TempDir(), "data")
	got, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		fr := executor.Await(a, Open(r, path, unix.O_CREAT|unix.O_RDWR, 0o644))
		if fr.Err != nil {
			return "open: " + fr.Err.Error()
		}
		f := fr.Value
		if w := executor.Await(a, f.WriteAt([]byte("hello, ring"), 0)); w.Err != nil || w.Value != 11 {
			return "write failed"
		}
		buf := make([]byte, 64)
		rd := executor.Await(a, f.ReadAt(buf, 7))
		if rd.Err != nil {
			return "read: " + rd.Err.Error()
		}
		st := executor.Await(a, f.Stat())
		if st.Err != nil || st.Value.Size != 11 {
			return "stat failed"
		}
		executor.Await(a, f.Sync())
		executor.Await(a, f.Close())
		return string(buf[:rd.Value])
	}))
	if err != nil || got != "ring" {
		t.Fatalf("got %q, %v; want %q%s", got, err, "ring", dumpTrace(rec))
	}
	if r.InFlight() != 0 {
		t.Fatalf("%d ops still in flight after every future completed", r.InFlight())
	}
}

func TestJoinedWritesGoInOneEnter(t *testing.T) {
	ex, r, rec := newRuntime(t)
	dir := t.TempDir()
	const n = 8
	_, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) int {
		var files []*File
		for i := range n {
			fr := executor.Await(a, Open(r, filepath.Join(dir, string(rune('a'+i))), unix.O_CREAT|unix.O_WRONLY, 0o644))
			files = append(files, fr.Value)
		}
		var writes []executor.Future[executor.Result[int]]
		for _, f := range files {
			writes = append(writes, f.WriteAt([]byte("x"), 0))
		}
		executor.Await(a, executor.Join(writes...))
		return 0
	}))
	if err != nil {
		t.Fatal(err)
	}
	// The eight WRITEs were prepared in one poll of Join: one enter must
	// have submitted all of them.
	best := 0
	for _, e := range rec.Events() {
		if e.Kind == trace.Submitted {
			best = max(best, e.Count)
		}
	}
	if best < n {
		t.Fatalf("largest batch submitted in one io_uring_enter = %d, want %d:%s", best, n, dumpTrace(rec))
	}
}

func TestOpenMissingFileIsNotExist(t *testing.T) {
	ex, r, _ := newRuntime(t)
	res, err := executor.BlockOn(ex, Open(r, filepath.Join(t.TempDir(), "missing"), unix.O_RDONLY, 0))
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(res.Err, fs.ErrNotExist) || !strings.Contains(res.Err.Error(), "missing") {
		t.Fatalf("open of a missing file: %v; want a not-exist error naming the path", res.Err)
	}
}

func TestReadClosedFileIsAClearError(t *testing.T) {
	ex, r, _ := newRuntime(t)
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) error {
		f := executor.Await(a, Open(r, path, unix.O_RDONLY, 0)).Value
		executor.Await(a, f.Close())
		return executor.Await(a, f.ReadAt(make([]byte, 1), 0)).Err
	}))
	if err != nil || !errors.Is(res, ErrFileClosed) {
		t.Fatalf("read after close: %v, %v; want ErrFileClosed", res, err)
	}
}

func TestCancelledReadKeepsItsBufferUntilTheCQE(t *testing.T) {
	ex, r, rec := newRuntime(t)
	pipe, _ := newPipe(t, r)
	sel, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) int {
		// The read can never complete (nobody writes the pipe); the other
		// branch wins at once, so Select drops the read: cancel.
		s := executor.Await(a, executor.Select(
			pipe.ReadAt(make([]byte, 16), 0),
			executor.Ready(executor.Result[int]{Value: -1}),
		))
		if r.InFlight() != 1 {
			return -100 // the read's op must still be held, pinned, until its CQE
		}
		// Let the reactor submit the cancel and reap both CQEs.
		drain(a, r)
		return s.Index
	}))
	if err != nil || sel != 1 {
		t.Fatalf("select = %d, %v; want the ready branch (1)%s", sel, err, dumpTrace(rec))
	}
	var cancelled, reaped bool
	for _, e := range rec.Events() {
		if e.Kind == trace.OpCancelled && e.Op == "READ" {
			cancelled = true
		}
		if e.Kind == trace.CQEReaped && e.Op == "READ" && e.Res == -int32(unix.ECANCELED) {
			reaped = true
		}
	}
	if !cancelled || !reaped {
		t.Fatalf("want an op-cancelled READ and its CQE with -ECANCELED:%s", dumpTrace(rec))
	}
}

// parkSignal is the reactor, saying when the executor enters its Park:
// by then the executor has published that it sleeps and looked at its
// wake list one last time.
type parkSignal struct {
	*Reactor
	entering chan struct{}
}

func (p *parkSignal) Park() string {
	select {
	case p.entering <- struct{}{}:
	default:
	}
	return p.Reactor.Park()
}

func TestUnparkFromAnotherGoroutineWakesTheRing(t *testing.T) {
	r, err := NewReactor(16)
	if err != nil {
		t.Skip(err)
	}
	// A goroutine outside the runtime fires the main task's waker, but
	// only once the executor is inside the reactor's Park: the reactor
	// must be woken through its wakeup (the eventfd READ on io_uring).
	rec := trace.NewRecorder(256)
	d := &parkSignal{Reactor: r, entering: make(chan struct{}, 1)}
	ex := executor.New(executor.WithDriver(d), executor.WithSink(rec))
	defer func() { ex.Close(); r.Close() }()
	parked := d.entering
	polls := 0
	wakers := make(chan executor.Waker, 1)
	go func() {
		w := <-wakers
		<-parked
		w.Wake()
	}()
	_, err = executor.BlockOn(ex, executor.PollFn(func(cx *executor.Context) executor.Poll[int] {
		polls++
		if polls == 1 {
			wakers <- cx.WakerFor("a goroutine outside")
			return executor.Pending[int]()
		}
		return executor.PollReady(polls)
	}))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range rec.Events() {
		if e.Kind == trace.Unparked && strings.Contains(e.Note, "wakeup") {
			return
		}
	}
	t.Fatalf("no unpark through the ring's wakeup:%s", dumpTrace(rec))
}

// TestReadCompletedBeforeItsCancelIsReported: the future is dropped after
// the kernel already did the read. The data is gone from the pipe — into
// the abandoned buffer — and the trace reports that result (an orphan CQE
// with the byte count), rather than pretending the read never happened.
func TestReadCompletedBeforeItsCancelIsReported(t *testing.T) {
	ex, r, rec := newRuntime(t)
	pipe, writeEnd := newPipe(t, r)
	_, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) int {
		rd := pipe.ReadAt(make([]byte, 16), 0)
		if _, ok := rd.Poll(a.Context()).Value(); ok {
			t.Error("read ready before anything was written")
		}
		executor.Await(a, executor.YieldNow()) // the turn's enter submits the READ
		unix.Write(writeEnd, []byte("hello"))  // the kernel completes it now
		// Its CQE is in the CQ, not reaped yet: drop the future anyway.
		rd.(executor.Dropper).Drop()
		drain(a, r)
		return 0
	}))
	if err != nil {
		t.Fatal(err)
	}
	var res int32 = -1
	for _, e := range rec.Events() {
		if e.Kind == trace.CQEReaped && e.Op == "READ" && e.Task == 0 && e.UserData>>63 == 0 {
			res = e.Res
		}
	}
	if res != 5 && res != -int32(unix.ECANCELED) {
		t.Fatalf("orphaned READ reported res %d; want 5 (done before the cancel) or -ECANCELED:%s", res, dumpTrace(rec))
	}
	if res == -int32(unix.ECANCELED) {
		// The cancel won the race (the fallback ring may): the bytes must
		// still be in the pipe, not lost.
		buf := make([]byte, 16)
		if n, _ := unix.Read(pipe.fd, buf); n != 5 {
			t.Fatalf("cancel won, but the pipe holds %d bytes, want 5", n)
		}
	}
}
