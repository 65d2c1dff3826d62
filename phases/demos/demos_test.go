package demos

import (
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"asyncworkbook/phases/trace"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// dump renders events one a line, for failure messages.
func dump(evs []trace.Event) string {
	var b strings.Builder
	for _, e := range evs {
		b.WriteString("\n\t" + e.String())
	}
	return b.String()
}

// runWithin runs d with sink and fails if it returns an error or does not
// return within limit.
func runWithin(t *testing.T, d Demo, sink trace.Sink, limit time.Duration) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- d.Run(sink) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("demo %s: %v", d.ID, err)
		}
	case <-time.After(limit):
		t.Fatalf("demo %s did not finish within %v", d.ID, limit)
	}
}

func TestEveryDemoRunsToCompletionWithoutLeaks(t *testing.T) {
	for _, d := range All() {
		t.Run(d.ID, func(t *testing.T) {
			defer goleak.VerifyNone(t)
			rec := trace.NewRecorder(1 << 14)
			runWithin(t, d, rec, 10*time.Second)
			evs := rec.Events()
			if rec.Dropped() != 0 {
				t.Fatalf("recorder dropped %d events: enlarge it", rec.Dropped())
			}
			completed := 0
			for _, e := range evs {
				if e.Kind == trace.Completed {
					completed++
				}
			}
			if completed == 0 {
				t.Fatalf("no task completed:%s", dump(evs))
			}
			if testing.Verbose() {
				t.Logf("%d events:%s", len(evs), dump(evs))
			}
		})
	}
}

func TestEveryDemoRunsUntraced(t *testing.T) {
	for _, d := range All() {
		t.Run(d.ID, func(t *testing.T) {
			defer goleak.VerifyNone(t)
			start := time.Now()
			runWithin(t, d, nil, 10*time.Second)
			if el := time.Since(start); el > 50*time.Millisecond {
				t.Logf("demo %s took %v untraced; demos should take at most ~50ms", d.ID, el)
			}
		})
	}
}

func TestEveryDemoFinishesWithADetachedStepper(t *testing.T) {
	for _, d := range All() {
		t.Run(d.ID, func(t *testing.T) {
			defer goleak.VerifyNone(t)
			st := trace.NewStepper()
			st.Detach()
			runWithin(t, d, st, 10*time.Second)
		})
	}
}

// TestEveryDemoCanBeSingleStepped drives each demo the way the visualiser
// does, one event at a time, from another goroutine.
func TestEveryDemoCanBeSingleStepped(t *testing.T) {
	for _, d := range All() {
		t.Run(d.ID, func(t *testing.T) {
			defer goleak.VerifyNone(t)
			st := trace.NewStepper()
			done := make(chan error, 1)
			go func() { done <- d.Run(st) }()
			steps := 0
			timeout := time.After(10 * time.Second)
			for {
				select {
				case <-st.Stops():
					steps++
					st.Step()
				case err := <-done:
					st.Detach()
					if err != nil {
						t.Fatalf("demo %s: %v", d.ID, err)
					}
					if steps == 0 {
						t.Fatalf("demo %s emitted no event to step through", d.ID)
					}
					return
				case <-timeout:
					st.Detach()
					t.Fatalf("demo %s stuck after %d steps", d.ID, steps)
				}
			}
		})
	}
}
