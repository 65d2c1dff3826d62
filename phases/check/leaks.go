package check

import (
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"testing"

	executor "asyncworkbook/phase1-executor"
	"go.uber.org/goleak"
)

// OpenFDs returns the process's open descriptors with what they point at
// ("7 socket:[1234]"), or nil where /proc/self/fd does not exist.
func OpenFDs() map[int]string {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return nil
	}
	out := map[int]string{}
	for _, e := range entries {
		fd, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		target, err := os.Readlink("/proc/self/fd/" + e.Name())
		if err != nil {
			continue // the descriptor ReadDir itself used, now closed
		}
		out[fd] = target
	}
	return out
}

// NoFDLeak records the open descriptors now and, when the test ends
// (after the cleanups registered after it, such as Executor's), fails it
// if a socket, pipe or eventfd opened since is still open: a connection
// the code under test never closed. Call it first in the test, after
// Guard. It does nothing where /proc/self/fd does not exist, or when the
// test already failed or Within abandoned its code.
func NoFDLeak(t testing.TB) {
	before := OpenFDs()
	if before == nil {
		return
	}
	t.Cleanup(func() {
		if t.Failed() || Abandoned(t) {
			return
		}
		if leaked := LeakedFDs(before, OpenFDs()); len(leaked) > 0 {
			t.Errorf("descriptors left open when the test ended: %s — a connection or socket the code never closed (a reset or failed peer must still be closed)", strings.Join(leaked, ", "))
		}
	})
}

// LeakedFDs lists the sockets, pipes and anonymous inodes (eventfd,
// io_uring) open in after and not in before, as "fd target".
func LeakedFDs(before, after map[int]string) []string {
	var leaked []string
	for fd, target := range after {
		if before[fd] == target {
			continue
		}
		if strings.HasPrefix(target, "socket:") || strings.HasPrefix(target, "pipe:") || strings.HasPrefix(target, "anon_inode:") {
			leaked = append(leaked, fmt.Sprintf("%d %s", fd, target))
		}
	}
	slices.Sort(leaked)
	return leaked
}

// NoGoroutineLeak fails the test, when it ends, if goroutines started
// during it are still running (goleak, which retries for a while before
// it gives up, so goroutines that are on their way out are not
// counted). Skipped when the test already failed or was abandoned.
func NoGoroutineLeak(t testing.TB) {
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() {
		if t.Failed() || Abandoned(t) {
			return
		}
		if err := goleak.Find(ignore); err != nil {
			t.Errorf("goroutines still running when the test ended (a goroutine the code started and never stopped):\n%v", err)
		}
	})
}

// CloseNoLiveTasks closes ex and fails the test if Close had to cancel
// tasks that were still alive: a task the code spawned and never
// finished or cancelled (such as a connection handler that never
// returns). what says which tasks the test expects to be finished.
func CloseNoLiveTasks(t testing.TB, ex *executor.Executor, what string) {
	t.Helper()
	ex.Close()
	if n := ex.Stats().LiveTasksAtClose; n > 0 {
		t.Errorf("Close found %d task(s) still alive: %s", n, what)
	}
}

// Leak fails the test when n things of a kind are still in use after the
// code said it was done with them: op-table slots, pinned buffers,
// registered wakers.
func Leak(t testing.TB, n int, what, why string) {
	t.Helper()
	if n != 0 {
		t.Errorf("%d %s still in use: %s", n, what, why)
	}
}

// GoroutinesCreated returns how many goroutines the program has created
// since it started (runtime/metrics "/sched/goroutines-created"), or 0
// where the metric does not exist. Two readings around code that should
// start none tell whether it did: a future that "wakes itself" from a
// goroutine it starts, even one it waits for inside Poll, shows here
// although its wake lands during the poll like a real one.
func GoroutinesCreated() uint64 {
	s := []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// GoroutineID returns the id of the calling goroutine, as panics print it
// ("goroutine 7 [running]"). Go hides goroutine identity on purpose, and
// runtimes must not depend on it; tests use it to check that a cleanup
// (a Drop, a close) ran on the executor's goroutine and not on the one
// that asked for it.
func GoroutineID() uint64 {
	var buf [64]byte
	s := string(buf[:runtime.Stack(buf[:], false)])
	s = strings.TrimPrefix(s, "goroutine ")
	if i := strings.IndexByte(s, ' '); i > 0 {
		s = s[:i]
	}
	id, _ := strconv.ParseUint(s, 10, 64)
	return id
}
