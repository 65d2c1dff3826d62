//go:build linux || darwin

package iouring

import (
	"fmt"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/trace"
)

// # Multishot ops: one SQE, many CQEs
//
// A multishot op (IORING_RECV_MULTISHOT, IORING_ACCEPT_MULTISHOT) posts a
// CQE each time it has something to say, with IORING_CQE_F_MORE while it
// goes on. So "one CQE frees the slot" stops being true: its op-table
// slot, user_data and everything the kernel may still touch must live
// until the CQE *without* F_MORE — the op's last. The op's multi handler
// receives every CQE (a stream queues the buffer each one names); only the
// last frees the slot. A cancel (ASYNC_CANCEL) ends it with a last CQE
// too, usually -ECANCELED.

// completeMulti handles one CQE of the multishot op in slot idx.
func (r *Reactor) completeMulti(idx uint32, c CQE) {
	o := &r.ops[idx]
	// Before the trace, so that it shows what the CQE changed: the buffer
	// it names is out of the ring, the slot it names holds a connection.
	r.takenBuf(c)
	direct := r.allocated(idx, c)
	r.traceMultiCQE(c, o, direct)
	o.multi(c) // queues data and wakes readers; starts no op, so o stays valid
	if !c.More() {
		r.inflight--
		r.release(idx)
	}
}

// traceMultiCQE records a multishot CQE, saying whether the op goes on
// and which provided buffer it names.
func (r *Reactor) traceMultiCQE(c CQE, o *op, direct bool) {
	if r.ex == nil || !r.ex.Tracing() {
		return
	}
	e := r.ex.NewEvent(trace.CQEReaped, o.task)
	e.Op, e.UserData, e.Res, e.FD = o.code.String(), c.UserData, c.Res, o.fd
	e.Note = "multishot: last CQE, the slot is free"
	if c.More() {
		e.Note = "multishot: F_MORE, the op goes on"
	}
	if bid, ok := c.BufferID(); ok {
		e.Note += fmt.Sprintf(", buffer %d", bid)
	}
	if direct && c.Res >= 0 {
		e.Note += fmt.Sprintf(", connection in file slot %d", c.Res)
	}
	e.Note += r.pbufOccupancy()
	r.ringPos(e)
	r.ex.Emit(e)
}

// wakeFromCQE fires w for a completion, as complete does.
func (r *Reactor) wakeFromCQE(w executor.Waker) {
	if r.ex != nil {
		r.ex.WakeFromDriver(w, trace.SourceCompletion)
	} else {
		w.WakeBy(trace.SourceCompletion)
	}
}
