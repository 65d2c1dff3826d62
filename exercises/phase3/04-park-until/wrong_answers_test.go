package parkuntil

import (
	"sync/atomic"
	"testing"
	"time"

	"asyncworkbook/phases/check"
)

// variant is the right Parker with one knob per known wrong answer. The
// suite must reject each.
type variant struct {
	k        *Kernel
	in       *Inbox
	c        *Clock
	tm       *Timers
	sleeping atomic.Bool

	lookFirst   bool // looks at the inbox before announcing sleep
	alwaysWake  bool // notifies on every wake
	noTimeout   bool // sleeps forever even with a timer
	absolute    bool // passes the deadline instead of the time left
	tick        bool // wakes every millisecond to look at the timers
	neverClears bool // leaves sleeping set after waking
}

func (p *variant) Wake(task string) {
	p.in.Push(task)
	if p.alwaysWake || p.sleeping.CompareAndSwap(true, false) {
		p.k.Notify()
	}
}

func (p *variant) Park() string {
	if p.lookFirst && !p.in.Empty() {
		return "work"
	}
	p.sleeping.Store(true)
	if !p.neverClears {
		defer p.sleeping.Store(false)
	}
	if !p.lookFirst && !p.in.Empty() {
		return "work"
	}
	next, ok := p.tm.Next()
	if !ok || p.noTimeout {
		return p.k.Wait(Forever)
	}
	wait := next - p.c.Now()
	if wait <= 0 {
		return "deadline"
	}
	switch {
	case p.absolute:
		return p.k.Wait(next)
	case p.tick:
		for p.c.Now() < next {
			if why := p.k.Wait(time.Millisecond); why != "deadline" {
				return why
			}
		}
		return "deadline"
	}
	return p.k.Wait(wait)
}

func with(knob func(*variant)) maker {
	return func(w world) Parking {
		v := &variant{k: w.k, in: w.in, c: w.c, tm: w.tm}
		knob(v)
		return v
	}
}

var wrongAnswers = map[string]maker{
	"looks, then announces sleep": with(func(v *variant) { v.lookFirst = true }),
	"notifies on every wake":      with(func(v *variant) { v.alwaysWake = true }),
	"ignores the timers":          with(func(v *variant) { v.noTimeout = true }),
	"waits until, not for":        with(func(v *variant) { v.absolute = true }),
	"ticks every millisecond":     with(func(v *variant) { v.tick = true }),
	"never clears sleeping":       with(func(v *variant) { v.neverClears = true }),
}

func TestTheseTestsRejectKnownWrongAnswers(t *testing.T) {
	defer check.Guard(t, exercise)
	w := newWorld()
	w.in.Push("x")
	mine(w).Park() // a skeleton stops here: start with park.go
	for name, mk := range wrongAnswers {
		t.Run(name, func(t *testing.T) {
			for _, c := range checks {
				if safely(func() string { return c.fn(mk) }) != "" {
					return
				}
			}
			t.Errorf("the wrong answer %q passes every check", name)
		})
	}
}
