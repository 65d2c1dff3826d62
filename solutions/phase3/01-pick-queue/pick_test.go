package pickqueue

import (
	"fmt"
	"testing"
	"time"

	"asyncworkbook/phases/check"
)

const exercise = "phase3/01-pick-queue"

// The checks are functions of an Impl so that the same suite runs on
// your code and, built with -tags wrong, on known wrong answers it must
// reject (solutions/01-pick-queue/wrong_*.go). Each returns "" when the implementation behaves.

func checkSharesRatio(impl Impl) string {
	cpu, _ := Simulate(impl, []Load{{Shares: 2, Burst: time.Millisecond}, {Shares: 1, Burst: time.Millisecond}}, 3*time.Second)
	r := float64(cpu[0]) / float64(cpu[1])
	if r < 1.95 || r > 2.05 {
		return fmt.Sprintf("two busy queues with shares 2:1 got %v and %v of CPU (ratio %.2f), want 2:1", cpu[0], cpu[1], r)
	}
	return ""
}

func checkNoHoarding(impl Impl) string {
	// b has nothing to do for 500 ms, then is always ready.
	loads := []Load{{Shares: 1, Burst: time.Millisecond}, {Shares: 1, Burst: time.Millisecond, Start: 500 * time.Millisecond}}
	_, picks := Simulate(impl, loads, 700*time.Millisecond)
	after := picks[500:] // the picks once b is ready (one pick per ms)
	b := 0
	for _, p := range after {
		b += p
	}
	if b > len(after)*6/10 {
		return fmt.Sprintf("a queue idle for 500 ms then busy took %d of the %d picks after it woke, want about half: it hoarded credit (Activate must lift its vruntime to the least ready one)", b, len(after))
	}
	return ""
}

func checkKeepsDebt(impl Impl) string {
	// b runs 2 ms bursts and is idle 0.1 ms after each; a is always ready.
	loads := []Load{{Shares: 1, Burst: 100 * time.Microsecond}, {Shares: 1, Burst: 2 * time.Millisecond, Idle: 100 * time.Microsecond}}
	cpu, _ := Simulate(impl, loads, time.Second)
	r := float64(cpu[1]) / float64(cpu[0])
	if r > 1.25 {
		return fmt.Sprintf("a bursty queue that idles 0.1 ms between 2 ms bursts got %.2f× the CPU of an always-busy one with the same shares, want about 1: its debt was forgotten on activation (keep max(own, least ready))", r)
	}
	return ""
}

func checkTiesTakeTurns(impl Impl) string {
	qs := []*Queue{{Name: "a", Shares: 1, Ready: 1}, {Name: "b", Shares: 1, Ready: 1}}
	if got := impl.Pick(qs, qs[0]); got != qs[1] {
		return fmt.Sprintf("two ready queues with equal vruntime, a ran last: Pick = %v, want b (equals take turns)", got)
	}
	if got := impl.Pick(qs, nil); got != qs[0] {
		return fmt.Sprintf("equal vruntime, nobody ran yet: Pick = %v, want a (the first)", got)
	}
	return ""
}

func checkIdleQueuesAreNotPicked(impl Impl) string {
	qs := []*Queue{{Name: "idle", Shares: 1, Vruntime: 0}, {Name: "busy", Shares: 1, Vruntime: 99, Ready: 3}}
	if got := impl.Pick(qs, nil); got != qs[1] {
		return fmt.Sprintf("Pick = %v, want busy: an idle queue (Ready 0) has nothing to run, whatever its vruntime", got)
	}
	qs[1].Ready = 0
	if got := impl.Pick(qs, nil); got != nil {
		return fmt.Sprintf("no queue ready: Pick = %v, want nil", got)
	}
	return ""
}

func checkChargeScalesByShares(impl Impl) string {
	q := &Queue{Shares: 500}
	impl.Charge(q, time.Millisecond)
	if q.Vruntime != uint64(2*time.Millisecond) {
		return fmt.Sprintf("Charge(500 shares, 1ms) gave vruntime %d, want %d (ran × 1000 / shares)", q.Vruntime, 2*time.Millisecond)
	}
	return ""
}

func TestChargeScalesByShares(t *testing.T) { run(t, checkChargeScalesByShares) }

func TestBusyQueuesShareByShares(t *testing.T) { run(t, checkSharesRatio) }

func TestAnIdleQueueDoesNotHoardCredit(t *testing.T) { run(t, checkNoHoarding) }

func TestABurstyQueueKeepsItsDebt(t *testing.T) { run(t, checkKeepsDebt) }

func TestTiesTakeTurns(t *testing.T) { run(t, checkTiesTakeTurns) }

func TestIdleQueuesAreNotPicked(t *testing.T) { run(t, checkIdleQueuesAreNotPicked) }

func run(t *testing.T, c func(Impl) string) {
	t.Helper()
	defer check.Guard(t, exercise)
	if msg := check.Within(t, func() string { return c(Mine) }); msg != "" {
		t.Fatal(msg)
	}
}
