//go:build linux || darwin

package pools

import (
	"fmt"
	"time"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/trace"
)

// message is what travels between executors: a request to run work, or
// the answer to one. The request itself is shared: the destination writes
// its result before publishing the answer, and the origin reads it after
// receiving the answer — the channel's tail store and load order the two.
type message struct {
	req      *request
	response bool
}

// request is one SubmitTo. Fields marked (src) belong to the origin's
// executor goroutine, (dst) to the destination's until the answer is sent.
type request struct {
	src, dst int
	id       uint64                                   // its number on src, from 1 (for the trace)
	start    func(cx *executor.Context, req *request) // (dst) spawns the work
	result   any                                      // (dst), then (src)
	err      error                                    // (dst), then (src)
	waker    executor.Waker                           // (src) the SubmitTo future's
	done     bool                                     // (src) the answer arrived
}

// outbox is one executor's side of the channel to one destination.
// Executor goroutine only.
type outbox struct {
	c        *SPSC[message]
	backlog  []message // found the ring full: sent in order once there is room
	dirty    bool      // pushed since the last flush
	inflight int       // SubmitTo requests sent here and not answered
	max      int
	waiters  []executor.Waker // SubmitTo futures waiting for inflight < max
}

// post sends msg to executor to at the end of this turn. Executor
// goroutine only.
func (e *Executor) post(cx *executor.Context, to int, msg message) {
	o := e.out[to]
	e.stats.Sent[to]++
	if len(o.backlog) > 0 || !e.push(to, o, msg) {
		o.backlog = append(o.backlog, msg)
	}
	o.dirty = true
	if e.flusher.IsZero() {
		e.flushAll(cx) // no flusher task yet: flush now
		return
	}
	if !e.flushing {
		// The flusher is queued behind the tasks already ready: it runs at
		// the end of this turn and publishes everything they posted with
		// one store per channel.
		e.flushing = true
		cx.Wake(e.flusher)
	}
}

// flushAll publishes every outbox and moves what it can of the backlogs
// into their rings. It reports whether every backlog is empty.
func (e *Executor) flushAll(cx *executor.Context) bool {
	empty := true
	for to, o := range e.out {
		if o == nil || !o.dirty {
			continue
		}
		for len(o.backlog) > 0 && e.push(to, o, o.backlog[0]) {
			o.backlog[0] = message{}
			o.backlog = o.backlog[1:]
		}
		e.flush(to, o)
		if len(o.backlog) == 0 {
			o.dirty = false
			continue
		}
		empty = false
		if !e.flusher.IsZero() && cx != nil {
			// Only the flusher waits for room on a channel (the SPSC's
			// one waiting sender).
			if o.c.sendWait.wait(cx, fmt.Sprintf("pool flusher (room towards %d)", to), func() bool {
				return o.c.pushed-o.c.head.Load() < uint64(len(o.c.buf))
			}) {
				return e.flushAll(cx)
			}
		}
	}
	return empty
}

// flusherTask publishes what this turn's tasks posted.
type flusherTask struct{ e *Executor }

func (f *flusherTask) Poll(cx *executor.Context) executor.Poll[struct{}] {
	e := f.e
	if e.flusher.IsZero() {
		e.flusher = cx.WakerFor("pool flusher")
	}
	e.flushing = false
	if e.flushAll(cx) && e.stopping.Load() {
		e.wake.fire() // the main task may be waiting for the backlogs to empty
	}
	return executor.Pending[struct{}]()
}

// mainTask is an executor's main task: it receives messages, and at
// shutdown waits until the pool's tasks here are done or the deadline
// passes, then makes sure every answer has left before it returns.
type mainTask struct {
	e        *Executor
	timer    executor.Future[struct{}] // the shutdown deadline, on the runtime's wheel
	stopSeen bool                      // StopAccepting was traced
	late     bool                      // DeadlinePassed was traced
}

// testHookShutdownCheck, in tests, hears each shutdown check of a main
// task: which executor, and whether it found the pool idle.
var testHookShutdownCheck func(id int, idle bool)

// mailboxBudget bounds the messages handled per poll, so a flood from
// other executors cannot starve this executor's own tasks.
const mailboxBudget = 256

func (m *mainTask) Poll(cx *executor.Context) executor.Poll[struct{}] {
	e := m.e
	if e.flusher.IsZero() {
		executor.SpawnLocal(cx, executor.Future[struct{}](&flusherTask{e: e}), executor.WithName("pool flusher"))
	}
	for {
		if n := e.drainInbox(cx); n >= mailboxBudget {
			cx.Wake(cx.WakerFor("pool mailbox (budget)")) // more to read: after the others
			return executor.Pending[struct{}]()
		}
		if e.stopping.Load() {
			if !m.stopSeen && e.tracing() {
				e.traceCount(trace.StopAccepting, int(e.live.Load()), "")
			}
			m.stopSeen = true
			for _, w := range e.stopWait {
				cx.Wake(w)
			}
			e.stopWait = nil
			deadline := false
			if e.pool.idle() {
				// Say we leave, then look again: a SubmitTo that counted
				// itself in before seeing exiting keeps us here.
				e.exiting.Store(true)
				if e.pool.idle() {
					e.stats.Drained = true
				} else {
					e.exiting.Store(false)
				}
			}
			if testHookShutdownCheck != nil {
				testHookShutdownCheck(e.id, e.stats.Drained)
			}
			if !e.stats.Drained {
				if m.timer == nil {
					if e.tracing() {
						e.traceCount(trace.Draining, int(e.live.Load()), "")
					}
					m.timer = e.rt.Sleep(time.Until(time.Unix(0, e.stopAt.Load())))
				}
				_, deadline = m.timer.Poll(cx).Value()
				if deadline && !m.late && e.tracing() {
					e.traceCount(trace.DeadlinePassed, int(e.live.Load()), "")
				}
				m.late = m.late || deadline
			}
			if e.stats.Drained || deadline {
				// Answers posted by the last tasks must leave before the
				// executor closes, or their origins would wait forever.
				if e.flushAll(nil) {
					if d, ok := m.timer.(executor.Dropper); ok && !deadline {
						d.Drop() // drained first: take the deadline off the wheel
					}
					return executor.PollReady(struct{}{})
				}
			}
		}
		retry := false
		for _, c := range e.in {
			if c != nil && c.recvWait.wait(cx, "pool mailbox", func() bool { return c.tail.Load() != c.taken }) {
				retry = true
			}
		}
		if e.wake.wait(cx, "pool shutdown", func() bool {
			return e.stopping.Load() && (m.timer == nil || e.pool.idle())
		}) {
			retry = true
		}
		if !retry {
			return executor.Pending[struct{}]()
		}
	}
}

// drainInbox handles waiting messages, at most mailboxBudget.
func (e *Executor) drainInbox(cx *executor.Context) int {
	n := 0
	for from, c := range e.in {
		for c != nil && n < mailboxBudget {
			msg, ok := c.TryRecv()
			if !ok {
				break
			}
			n++
			if e.tracing() {
				e.traceReceived(from, msg)
			}
			req := msg.req
			if !msg.response {
				req.start(cx, req)
				continue
			}
			o := e.out[req.dst]
			o.inflight--
			if len(o.waiters) > 0 {
				w := o.waiters[0]
				o.waiters = o.waiters[1:]
				cx.Wake(w)
			}
			req.done = true
			if e.tracing() {
				note := ""
				if req.err != nil {
					note = req.err.Error()
				}
				e.traceSubmit(trace.SubmitAnswered, 0, req.dst, req.id, o.inflight, note)
			}
			cx.Wake(req.waker)
		}
	}
	return n
}

// SubmitTo runs fn() as a task on executor dst of p and yields its output
// (Seastar's submit_to; Glommio has none). Call it from a task on one of
// p's executors. fn runs on dst, so whatever its future opens belongs to
// dst. At most Options.MaxInFlight requests from one executor to one
// destination are open at once; more wait their turn. Once the pool shuts
// down, new requests fail with ErrShutdown; a request whose task is still
// running at the shutdown deadline fails with executor.ErrCancelled. A
// panic in the task is reported as an error, and the pool goes on.
//
// opts apply to the task spawned on dst: scheduling.In with one of dst's
// queues (p.Executor(dst).Queue) runs it there. When dst is the calling
// task's own executor, fn's future runs inline in the calling task and
// opts do not apply.
func SubmitTo[T any](p *Pool, dst int, fn func() executor.Future[T], opts ...executor.SpawnOption) executor.Future[executor.Result[T]] {
	return &submit[T]{p: p, dst: dst, fn: fn, opts: opts}
}

type submit[T any] struct {
	p     *Pool
	dst   int
	fn    func() executor.Future[T]
	opts  []executor.SpawnOption // for the task on dst
	req   *request
	local executor.Future[T] // dst is this executor: run inline
}

func (s *submit[T]) Poll(cx *executor.Context) executor.Poll[executor.Result[T]] {
	if s.local != nil {
		return s.pollLocal(cx)
	}
	if s.req != nil {
		if !s.req.done {
			s.req.waker = cx.WakerFor("submit-to answer") // the newest waker
			return executor.Pending[executor.Result[T]]()
		}
		var v T
		if s.req.err == nil {
			v = s.req.result.(T)
		}
		return executor.PollReady(executor.Result[T]{Value: v, Err: s.req.err})
	}
	e := s.p.Current(cx)
	if e == nil {
		return executor.PollReady(executor.Result[T]{Err: fmt.Errorf("pools: SubmitTo from a task outside the pool")})
	}
	if s.dst < 0 || s.dst >= len(s.p.execs) {
		return executor.PollReady(executor.Result[T]{Err: fmt.Errorf("pools: SubmitTo executor %d of a pool of %d", s.dst, len(s.p.execs))})
	}
	if s.dst == e.id {
		s.local = s.fn()
		return s.pollLocal(cx)
	}
	o := e.out[s.dst]
	if o.inflight >= o.max {
		if e.tracing() {
			e.traceSubmit(trace.SubmitWaiting, cx.TaskID(), s.dst, 0, o.inflight, "")
		}
		o.waiters = append(o.waiters, cx.WakerFor("submit-to (in-flight bound)"))
		return executor.Pending[executor.Result[T]]()
	}
	d := s.p.execs[s.dst]
	if d.dead.Load() {
		return executor.PollReady(executor.Result[T]{Err: d.deadErr()})
	}
	if !d.admit(false) {
		return executor.PollReady(executor.Result[T]{Err: ErrShutdown})
	}
	fn, opts := s.fn, s.opts
	e.reqSeq++
	s.req = &request{src: e.id, dst: s.dst, id: e.reqSeq, waker: cx.WakerFor("submit-to answer")}
	s.req.start = func(cx *executor.Context, req *request) {
		executor.SpawnLocal(cx, executor.Future[struct{}](&counted[struct{}]{f: &serve[T]{d: d, req: req, fn: fn}, e: d}), opts...)
	}
	o.inflight++
	if e.tracing() {
		e.traceSubmit(trace.SubmitStarted, cx.TaskID(), s.dst, s.req.id, o.inflight, "")
	}
	e.post(cx, s.dst, message{req: s.req})
	return executor.Pending[executor.Result[T]]()
}

func (s *submit[T]) pollLocal(cx *executor.Context) executor.Poll[executor.Result[T]] {
	v, ok := s.local.Poll(cx).Value()
	if !ok {
		return executor.Pending[executor.Result[T]]()
	}
	return executor.PollReady(executor.Result[T]{Value: v})
}

// Drop forgets the request: its answer, when it comes, still frees its
// in-flight slot.
func (s *submit[T]) Drop() {
	if d, ok := s.local.(executor.Dropper); ok {
		d.Drop()
	}
}

// serve runs a submitted task on its destination and sends the answer.
type serve[T any] struct {
	d   *Executor
	req *request
	fn  func() executor.Future[T]
	f   executor.Future[T]
	out bool // answered
}

func (s *serve[T]) Poll(cx *executor.Context) (p executor.Poll[struct{}]) {
	defer func() {
		if v := recover(); v != nil {
			s.req.err = fmt.Errorf("pools: the task submitted to executor %d panicked: %v", s.d.id, v)
			s.answer(cx)
			p = executor.PollReady(struct{}{})
		}
	}()
	if s.f == nil {
		s.f = s.fn()
	}
	v, ok := s.f.Poll(cx).Value()
	if !ok {
		return executor.Pending[struct{}]()
	}
	s.req.result = v
	s.answer(cx)
	return executor.PollReady(struct{}{})
}

func (s *serve[T]) answer(cx *executor.Context) {
	s.out = true
	s.d.post(cx, s.req.src, message{req: s.req, response: true})
}

// Drop runs when the shutdown deadline cancels the task: the origin is
// told, if the channel has room (it is shutting down too).
func (s *serve[T]) Drop() {
	if d, ok := s.f.(executor.Dropper); ok {
		d.Drop()
	}
	if s.out {
		return
	}
	s.req.err = executor.ErrCancelled
	if o := s.d.out[s.req.src]; s.d.push(s.req.src, o, message{req: s.req, response: true}) {
		s.d.flush(s.req.src, o)
	}
}
