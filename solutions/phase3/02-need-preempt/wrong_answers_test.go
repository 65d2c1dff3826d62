package needpreempt

import (
	"sync/atomic"
	"testing"
	"time"

	"asyncworkbook/phases/check"
)

// Known wrong answers; the suite must reject each.

// flagOnly ignores generations.
type flagOnly struct {
	fired         atomic.Bool
	polls, budget int
}

func (p *flagOnly) StartSlice(time.Duration) uint64 { p.fired.Store(false); p.polls = 0; return 0 }
func (p *flagOnly) Expire(uint64)                   { p.fired.Store(true) }
func (p *flagOnly) Polled()                         { p.polls++ }
func (p *flagOnly) NeedPreempt() bool               { return p.fired.Load() || p.polls >= p.budget }

// clockReader compares the clock with the slice's end: correct, and
// slow — a clock read per question.
type clockReader struct {
	c             *Clock
	end           time.Duration
	polls, budget int
}

func (p *clockReader) StartSlice(d time.Duration) uint64 {
	p.end, p.polls = p.c.Now()+d, 0
	return 0
}
func (p *clockReader) Expire(uint64)     {}
func (p *clockReader) Polled()           { p.polls++ }
func (p *clockReader) NeedPreempt() bool { return p.c.Now() >= p.end || p.polls >= p.budget }

// genWord is the right design, written again here (the test files must
// build beside any preempt.go), for wrong answers to differ from it in
// one place each.
type genWord struct {
	word          atomic.Uint64
	gen           uint64
	polls, budget int
	keepFired     bool // wrong: StartSlice keeps the fired bit
	offByOne      bool // wrong: polls > budget
	keepPolls     bool // wrong: polls are never reset
}

func (p *genWord) StartSlice(time.Duration) uint64 {
	p.gen++
	if !p.keepPolls {
		p.polls = 0
	}
	if p.keepFired && p.word.Load()&1 != 0 {
		p.word.Store(p.gen<<1 | 1)
	} else {
		p.word.Store(p.gen << 1)
	}
	return p.gen
}
func (p *genWord) Expire(gen uint64) { p.word.CompareAndSwap(gen<<1, gen<<1|1) }
func (p *genWord) Polled()           { p.polls++ }
func (p *genWord) NeedPreempt() bool {
	if p.offByOne {
		return p.word.Load()&1 != 0 || p.polls > p.budget
	}
	return p.word.Load()&1 != 0 || p.polls >= p.budget
}

var wrongAnswers = map[string]maker{
	"a flag without generations": func(c *Clock, b int) Preempting { return &flagOnly{budget: b} },
	"reads the clock":            func(c *Clock, b int) Preempting { return &clockReader{c: c, budget: b} },
	"never clears":               func(c *Clock, b int) Preempting { return &genWord{budget: b, keepFired: true} },
	"budget off by one":          func(c *Clock, b int) Preempting { return &genWord{budget: b, offByOne: true} },
	"budget never resets":        func(c *Clock, b int) Preempting { return &genWord{budget: b, keepPolls: true} },
}

func TestTheseTestsRejectKnownWrongAnswers(t *testing.T) {
	defer check.Guard(t, exercise)
	mine(&Clock{}, 1).StartSlice(0) // a skeleton stops here: start with preempt.go
	for name, mk := range wrongAnswers {
		t.Run(name, func(t *testing.T) {
			for _, c := range checks {
				if c.fn(mk) != "" {
					return
				}
			}
			t.Errorf("the wrong answer %q passes every check", name)
		})
	}
}
