package check

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func TestDiagnoseStallTellsTheThreeApart(t *testing.T) {
	var mu sync.Mutex
	mu.Lock()
	ids := make(chan uint64)
	go func() { // blocked on a lock: a deadlock
		ids <- GoroutineID()
		mu.Lock()
	}()
	deadlocked := <-ids
	var halt atomic.Bool
	go func() { // spinning: an endless loop
		ids <- GoroutineID()
		for !halt.Load() {
		}
	}()
	spinning := <-ids
	defer func() { halt.Store(true); mu.Unlock() }()
	for _, tc := range []struct {
		id   uint64
		want string
	}{{deadlocked, "a deadlock"}, {spinning, "an endless loop"}} {
		// A goroutine that was just scheduled may not have reached its
		// blocking call yet: look until it has (bounded).
		var got stall
		for range 1000 {
			if got = diagnoseStall(tc.id); strings.HasPrefix(got.verdict, tc.want) {
				break
			}
		}
		if !strings.HasPrefix(got.verdict, tc.want) {
			t.Errorf("goroutine %d: verdict %q, want %q", tc.id, got.verdict, tc.want)
		}
	}
}

func TestLearnerFramePrefersTheLearnersFile(t *testing.T) {
	g := "goroutine 7 [chan receive]:\n" +
		"asyncworkbook/phases/check.(*Driver).Park(0x1)\n\t/w/phases/check/executor.go:150 +0x1\n" +
		"asyncworkbook/exercises/phase1/03-run-loop.(*base).park(0x1)\n\t/w/exercises/phase1/03-run-loop/given.go:171 +0x85\n" +
		"asyncworkbook/exercises/phase1/03-run-loop.(*Executor).Run(0x1)\n\t/w/exercises/phase1/03-run-loop/loop.go:40 +0x136\n" +
		"asyncworkbook/exercises/phase1/03-run-loop.run.func1()\n\t/w/exercises/phase1/03-run-loop/loop_test.go:43 +0x29\n"
	if got, want := learnerFrame(g), "loop.go:40 in (*Executor).Run"; got != want {
		t.Fatalf("learnerFrame = %q, want %q", got, want)
	}
}
