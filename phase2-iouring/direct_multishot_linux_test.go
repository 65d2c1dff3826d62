//go:build linux

package iouring

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/trace"
)

// With multishot on (io_uring), AcceptDirect arms one multishot ACCEPT
// whose CQEs name slots the kernel allocated from the upper half of the
// table; files the reactor opens into slots meanwhile get the lower half,
// so neither overwrites the other. Each stream echoes, its Close reaches
// the peer, and a connection still queued when the listener closes is
// closed too (its peer reads end of stream). On the fallback ring (no
// multishot) the same calls are single-shot direct ACCEPTs, and the test
// checks the same streams. An allocator that let the kernel pick from the
// whole table, or a Close that forgot the queued slot, fails here.
func TestMultishotAcceptDirectUsesTheKernelsHalfOfTheTable(t *testing.T) {
	ex, r, rec := newRuntime(t)
	enableFixed(t, r, 0, 8)
	multishot := r.EnableMultishot(4, 64) == nil
	ln, err := Listen(r, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	path := writeTemp(t, "f", "x")
	var peers []int
	for range 3 {
		peers = append(peers, rawSocketTo(t, ln))
	}
	msg, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		var slots []uint32
		for i := range 2 {
			acc := executor.Await(a, ln.AcceptDirect())
			if acc.Err != nil {
				return acc.Err.Error()
			}
			s := acc.Value
			slot, ok := s.Slot()
			if !ok {
				return "not direct: " + r.DirectStatus().String()
			}
			slots = append(slots, slot)
			if w := executor.Await(a, s.WriteAll([]byte{'a' + byte(i)})); w.Err != nil {
				return "write: " + w.Err.Error()
			}
			// A file the reactor opens into a slot must not land on the
			// kernel's.
			fr := executor.Await(a, OpenDirect(r, path, unix.O_RDONLY, 0))
			if fr.Err != nil {
				return fr.Err.Error()
			}
			fs, _ := fr.Value.Slot()
			if multishot && fs >= 4 {
				return "the reactor opened into the kernel's half"
			}
			for _, o := range slots {
				if fs == o {
					return "the reactor opened into a slot holding a connection"
				}
			}
			executor.Await(a, fr.Value.Close())
			if c := executor.Await(a, s.Close()); c.Err != nil {
				return "close: " + c.Err.Error()
			}
		}
		if multishot && (slots[0] < 4 || slots[1] < 4) {
			return "the kernel allocated outside its range"
		}
		// The third connection waits in the queue (multishot) or the
		// listener's backlog: Close must not leave it open.
		if multishot {
			for len(ln.ma.queue) == 0 {
				executor.Await(a, Sleep(r, time.Millisecond))
			}
		}
		ln.Close()
		if !drainWithin(a, r, 5*time.Second) {
			return "ops in flight after the listener's Close"
		}
		if s := r.DirectStatus(); s.InUse != 0 {
			return "after Close: " + s.String()
		}
		for slot := range uint32(8) {
			if slotHolds(a, r, slot) {
				return "a slot still holds a file"
			}
		}
		return ""
	}))
	if err != nil || msg != "" {
		t.Fatalf("%s %v%s", msg, err, dumpTrace(rec))
	}
	for i, p := range peers {
		buf := make([]byte, 4)
		var got []byte
		for {
			n, err := unix.Read(p, buf)
			if err == unix.ECONNRESET && i == 2 {
				break // never accepted: closing the listener reset it
			}
			if err != nil {
				t.Fatalf("peer %d: %v after %q: its connection was left open", i, err, got)
			}
			if n == 0 {
				break
			}
			got = append(got, buf[:n]...)
		}
		if want := map[int]string{0: "a", 1: "b", 2: ""}[i]; string(got) != want {
			t.Fatalf("peer %d read %q, want %q", i, got, want)
		}
	}
	if multishot {
		n := 0
		for _, e := range rec.Events() {
			if e.Kind == trace.SQEPrepared && e.Op == "ACCEPT" {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d ACCEPT SQEs, want one multishot ACCEPT", n)
		}
	}
	if s := r.FixedStatus(); s.SlotsInUse != 0 || !strings.Contains(s.String(), "0/8") {
		t.Fatalf("after Close: %s", s)
	}
}
