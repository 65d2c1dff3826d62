package check

import (
	"runtime/debug"
	"sync"
)

// Group runs learner code on several goroutines at once, the way wakers
// fire from many threads, without letting a panic on one of them crash
// the test binary: the first panic is kept and re-raised by Wait, on the
// goroutine that calls it (inside Within, so Guard reports it).
type Group struct {
	wg    sync.WaitGroup
	done  chan struct{}
	mu    sync.Mutex
	first any
}

// Go starts n goroutines running fn(0) ... fn(n-1).
func Go(n int, fn func(i int)) *Group {
	g := &Group{done: make(chan struct{})}
	for i := range n {
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			defer func() {
				if r := recover(); r != nil {
					g.mu.Lock()
					if g.first == nil {
						_, ns := asNotStarted(r)
						_, hf := r.(harnessFailure)
						if ns || hf {
							g.first = r
						} else {
							g.first = &learnerPanic{value: r, stack: debug.Stack()}
						}
					}
					g.mu.Unlock()
				}
			}()
			fn(i)
		}()
	}
	go func() { g.wg.Wait(); close(g.done) }()
	return g
}

// Done is closed when every goroutine has returned (or panicked).
func (g *Group) Done() <-chan struct{} { return g.done }

// Wait waits for every goroutine, then re-raises the first panic, if any.
func (g *Group) Wait() {
	<-g.done
	g.mu.Lock()
	p := g.first
	g.mu.Unlock()
	if p != nil {
		panic(p)
	}
}
