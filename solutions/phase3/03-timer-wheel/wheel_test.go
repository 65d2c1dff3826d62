package timerwheel

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"asyncworkbook/phases/check"
)

const exercise = "phase3/03-timer-wheel"

// checkAgainstAModel inserts, cancels and advances at random (fixed
// seeds), and compares what fires with a plain list of deadlines.
func checkAgainstAModel(impl Impl) string {
	for seed := range uint64(10) {
		rng := rand.New(rand.NewPCG(seed, 7))
		w := NewWheel()
		var now time.Duration
		due := map[*Timer]time.Duration{} // pending, tick-rounded deadlines
		var all []*Timer
		var fired []time.Duration
		for step := range 2000 {
			switch op := rng.IntN(10); {
			case op < 5:
				span := []time.Duration{10 * time.Millisecond, 400 * time.Millisecond, 3 * time.Second}[rng.IntN(3)]
				at := now + time.Millisecond + time.Duration(rng.Int64N(int64(span)))
				tm := &Timer{}
				d := (at + time.Millisecond - 1) / time.Millisecond * time.Millisecond
				if !impl.Insert(w, tm, at, func() {
					if _, ok := due[tm]; !ok {
						fired = append(fired, -1) // fired twice or after Cancel
						return
					}
					delete(due, tm)
					fired = append(fired, d)
				}) {
					return fmt.Sprintf("seed %d step %d: Insert(at %v) at time %v refused a future deadline", seed, step, at, now)
				}
				due[tm] = d
				all = append(all, tm)
			case op < 7 && len(all) > 0:
				tm := all[rng.IntN(len(all))]
				_, pending := due[tm]
				if got := impl.Cancel(w, tm); got != pending {
					return fmt.Sprintf("seed %d step %d: Cancel = %v, want %v", seed, step, got, pending)
				}
				delete(due, tm)
			default:
				span := []time.Duration{3 * time.Millisecond, 100 * time.Millisecond, time.Second}[rng.IntN(3)]
				now += time.Duration(rng.Int64N(int64(span)))
				var want []time.Duration
				for _, d := range due {
					if d <= now/time.Millisecond*time.Millisecond {
						want = append(want, d)
					}
				}
				slices.Sort(want)
				fired = fired[:0]
				n := impl.Advance(w, now)
				if n != len(want) || !slices.Equal(fired, want) {
					return fmt.Sprintf("seed %d step %d: Advance(%v) fired %v (returned %d), want %v", seed, step, now, fired, n, want)
				}
				if w.N != len(due) {
					return fmt.Sprintf("seed %d step %d: N = %d timers waiting, want %d", seed, step, w.N, len(due))
				}
			}
		}
	}
	return ""
}

func checkNeverEarly(impl Impl) string {
	w := NewWheel()
	fired := false
	impl.Insert(w, &Timer{}, 1500*time.Microsecond, func() { fired = true })
	if impl.Advance(w, 1999*time.Microsecond); fired {
		return "a timer due at 1.5 ms fired at 1.999 ms: deadlines round up to the next tick (2 ms)"
	}
	if impl.Advance(w, 2*time.Millisecond); !fired {
		return "a timer due at 1.5 ms had not fired at 2 ms"
	}
	return ""
}

func checkFarTimers(impl Impl) string {
	// Beyond the 512 ms the wheel covers, and across coarse slots.
	w := NewWheel()
	var at []time.Duration
	for _, d := range []time.Duration{5 * time.Second, 700 * time.Millisecond, 65 * time.Millisecond, 9 * time.Millisecond} {
		impl.Insert(w, &Timer{}, d, func() { at = append(at, d) })
	}
	for now := time.Duration(0); now <= 6*time.Second; now += 50 * time.Millisecond {
		impl.Advance(w, now)
	}
	if want := []time.Duration{9 * time.Millisecond, 65 * time.Millisecond, 700 * time.Millisecond, 5 * time.Second}; !slices.Equal(at, want) {
		return fmt.Sprintf("timers at 5s, 700ms, 65ms, 9ms fired as %v, want %v", at, want)
	}
	return ""
}

func checkCancel(impl Impl) string {
	w := NewWheel()
	fired := false
	tm := &Timer{}
	impl.Insert(w, tm, 100*time.Millisecond, func() { fired = true })
	if !impl.Cancel(w, tm) || impl.Cancel(w, tm) {
		return "Cancel of a waiting timer must say true, and a second Cancel false"
	}
	impl.Advance(w, time.Second)
	if fired || w.N != 0 {
		return fmt.Sprintf("a cancelled timer fired (%v) or is still counted (N = %d)", fired, w.N)
	}
	return ""
}

func run(t *testing.T, c func(Impl) string) {
	t.Helper()
	defer check.Guard(t, exercise)
	if msg := check.Within(t, func() string { return c(Mine) }); msg != "" {
		t.Fatal(msg)
	}
}

func TestTimersFireInOrderLikeAPlainList(t *testing.T) { run(t, checkAgainstAModel) }

func TestATimerNeverFiresEarly(t *testing.T) { run(t, checkNeverEarly) }

func TestFarTimersCascadeDownAndFire(t *testing.T) { run(t, checkFarTimers) }

func TestACancelledTimerNeverFires(t *testing.T) { run(t, checkCancel) }
