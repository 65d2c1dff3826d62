package pickqueue

import (
	"testing"
	"time"

	"asyncworkbook/phases/check"
)

// Known wrong answers. The suite must reject every one of them: that is
// what makes passing it mean something.
var wrongAnswers = map[string]Impl{
	// The seed's bug: every queue compares equal, so picks go round and
	// round whatever the shares.
	"all queues equal": {
		Charge:   Mine.Charge,
		Activate: Mine.Activate,
		Pick: func(all []*Queue, last *Queue) *Queue {
			start := 0
			for i, q := range all {
				if q == last {
					start = i + 1
				}
			}
			for k := range all {
				if q := all[(start+k)%len(all)]; q.Ready > 0 {
					return q
				}
			}
			return nil
		},
	},
	// An idle queue keeps its old, low vruntime.
	"hoards credit": {Charge: Mine.Charge, Activate: func(*Queue, []*Queue) {}, Pick: Mine.Pick},
	// Glommio's rule: reset to the least ready vruntime, forgetting debt.
	"resets to the minimum": {
		Charge: Mine.Charge,
		Activate: func(q *Queue, all []*Queue) {
			for _, o := range all {
				if o != q && o.Ready > 0 {
					q.Vruntime = o.Vruntime
					for _, p := range all {
						if p != q && p.Ready > 0 && p.Vruntime < q.Vruntime {
							q.Vruntime = p.Vruntime
						}
					}
					return
				}
			}
		},
		Pick: Mine.Pick,
	},
	// Runtime charged as is: shares make no difference.
	"ignores shares": {Charge: func(q *Queue, ran time.Duration) { q.Vruntime += uint64(ran) }, Activate: Mine.Activate, Pick: Mine.Pick},
	// Ties go to the queue that just ran: one of two equals runs forever
	// while nothing is charged (a queue of zero-cost polls).
	"ties stick": {
		Charge: Mine.Charge, Activate: Mine.Activate,
		Pick: func(all []*Queue, last *Queue) *Queue {
			var best *Queue
			for _, q := range all {
				if q.Ready > 0 && (best == nil || q.Vruntime < best.Vruntime || (q.Vruntime == best.Vruntime && q == last)) {
					best = q
				}
			}
			return best
		},
	},
}

func TestTheseTestsRejectKnownWrongAnswers(t *testing.T) {
	defer check.Guard(t, exercise)
	Mine.Pick(nil, nil) // a skeleton stops here: start with pick.go
	for name, impl := range wrongAnswers {
		t.Run(name, func(t *testing.T) {
			for _, c := range checks {
				if c.fn(impl) != "" {
					return // rejected
				}
			}
			t.Errorf("the wrong answer %q passes every check", name)
		})
	}
}
