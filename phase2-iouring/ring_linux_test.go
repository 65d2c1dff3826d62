//go:build linux

package iouring

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"unsafe"
)

func newRing(t testing.TB, entries uint32) *Ring {
	t.Helper()
	r, err := Setup(entries, 0)
	if err != nil {
		t.Skipf("io_uring unavailable here: %v", err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return r
}

func TestNopRoundTrip(t *testing.T) {
	r := newRing(t, 8)
	for i := range 3 {
		r.NextSQE().PrepNop()
		r.sqes[(r.sqeTail-1)&r.sqMask].UserData = uint64(100 + i)
	}
	if n, err := r.Submit(3); err != nil || n != 3 {
		t.Fatalf("Submit(3) = %d, %v; want 3 submitted", n, err)
	}
	var got []CQE
	r.Reap(func(c CQE) { got = append(got, c) })
	if len(got) != 3 {
		t.Fatalf("reaped %d CQEs, want 3", len(got))
	}
	for i, c := range got {
		if c.UserData != uint64(100+i) || c.Res != 0 {
			t.Errorf("CQE %d = %+v, want user_data %d res 0", i, c, 100+i)
		}
	}
	if r.CQReady() != 0 {
		t.Errorf("CQReady after reaping = %d, want 0", r.CQReady())
	}
}

func TestSQFullIsReportedAndClearsAfterSubmit(t *testing.T) {
	r := newRing(t, 4)
	entries := r.SQ().Entries
	for range entries {
		if r.NextSQE() == nil {
			t.Fatal("NextSQE returned nil before the SQ was full")
		}
	}
	if r.NextSQE() != nil {
		t.Fatal("NextSQE handed out more SQEs than the SQ holds")
	}
	// The SQEs were zeroed by NextSQE: opcode 0 is NOP, so they are valid.
	for i := range entries {
		r.sqes[i].Fd = -1
	}
	if _, err := r.Submit(0); err != nil {
		t.Fatal(err)
	}
	if r.NextSQE() == nil {
		t.Fatal("SQ still full after the kernel consumed it")
	}
}

func TestReadWriteFile(t *testing.T) {
	r := newRing(t, 8)
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	msg := []byte("hello, ring")
	r.NextSQE().PrepWrite(int(f.Fd()), unsafe.Pointer(&msg[0]), uint32(len(msg)), 0)
	if _, err := r.Submit(1); err != nil {
		t.Fatal(err)
	}
	var res int32 = -1
	r.Reap(func(c CQE) { res = c.Res })
	if res != int32(len(msg)) {
		t.Fatalf("WRITE res = %d, want %d", res, len(msg))
	}
	buf := make([]byte, 64)
	r.NextSQE().PrepRead(int(f.Fd()), unsafe.Pointer(&buf[0]), uint32(len(buf)), 0)
	if _, err := r.Submit(1); err != nil {
		t.Fatal(err)
	}
	r.Reap(func(c CQE) { res = c.Res })
	if res != int32(len(msg)) || string(buf[:res]) != string(msg) {
		t.Fatalf("READ res = %d %q, want %q", res, buf[:max(res, 0)], msg)
	}
}

func TestReadClosedFdFailsWithEBADF(t *testing.T) {
	r := newRing(t, 8)
	buf := make([]byte, 8)
	r.NextSQE().PrepRead(1<<20, unsafe.Pointer(&buf[0]), 8, 0) // no such descriptor
	if _, err := r.Submit(1); err != nil {
		t.Fatal(err)
	}
	var res int32
	r.Reap(func(c CQE) { res = c.Res })
	if res != -9 { // -EBADF
		t.Fatalf("READ on a bad fd res = %d, want -EBADF (-9)", res)
	}
}

func TestProbeKnowsTheOpsThisPhaseUses(t *testing.T) {
	r := newRing(t, 8)
	p, err := r.Probe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Require(OpNop, OpRead, OpWrite, OpOpenat, OpClose, OpFsync, OpStatx,
		OpAccept, OpConnect, OpRecv, OpSend, OpTimeout, OpLinkTimeout, OpAsyncCancel, OpPollAdd); err != nil {
		t.Fatal(err)
	}
	if p.Supports(Op(250)) {
		t.Fatal("probe claims support for opcode 250")
	}
	if err := p.Require(Op(250)); err == nil {
		t.Fatal("Require of an unknown op did not fail")
	}
}

// BenchmarkNop measures the ring itself: batch NOPs per io_uring_enter.
// ns/op is per NOP.
func BenchmarkNop(b *testing.B) {
	for _, batch := range []int{1, 32, 256} {
		b.Run("batch"+strconv.Itoa(batch), func(b *testing.B) {
			r := newRing(b, 256)
			b.ResetTimer()
			for done := 0; done < b.N; {
				n := min(batch, b.N-done)
				for range n {
					r.NextSQE().PrepNop()
				}
				if _, err := r.Submit(uint32(n)); err != nil {
					b.Fatal(err)
				}
				for got := 0; got < n; {
					got += r.Reap(func(CQE) {})
					if got < n {
						if _, err := r.Submit(uint32(n - got)); err != nil {
							b.Fatal(err)
						}
					}
				}
				done += n
			}
			b.ReportMetric(float64(r.Stats().Enters)/float64(b.N), "enters/op")
		})
	}
}
