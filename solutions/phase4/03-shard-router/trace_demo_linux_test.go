package router

import (
	"errors"
	"fmt"
	"testing"
	"time"

	executor "asyncworkbook/phase1-executor"
	pools "asyncworkbook/phase4-pools"
	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

// TestTraceDemo is "run mine" (m in the workbook's exercise view): a real
// pool of two executors, traced, and your KV on it. A client task on
// executor 0 puts four keys and gets them back with your Put and Get:
// the executors view shows each SubmitTo going to the key's owner (a
// message across, the answer back) or staying home when executor 0 owns
// the key; then the pool shuts down. An answer from the wrong shard, or
// a shard's map touched from another executor, stops the demo. Skipped
// unless the workbook asks (it sets the trace file).
func TestTraceDemo(t *testing.T) {
	defer check.Guard(t, exercise)
	check.TraceDemo(t, func(sink trace.Sink) {
		p, err := pools.New(pools.Unbound(2), pools.Options{Sink: sink})
		if err != nil {
			check.Fail("starting a pool of two executors: " + err.Error())
		}
		kv := NewKV(p)
		keys := []string{"apple", "banana", "cherry", "damson"}
		client := executor.Async(func(a *executor.Awaiter) error {
			for i, k := range keys {
				r := executor.Await(a, kv.Put(k, fmt.Sprint(i)))
				if r.Err != nil {
					return fmt.Errorf("Put(%q): %w", k, r.Err)
				}
				if r.Value != pools.ShardOf(p, k) {
					return fmt.Errorf("Put(%q) = %d, want the owner's index %d (pools.ShardOf)", k, r.Value, pools.ShardOf(p, k))
				}
			}
			for i, k := range keys {
				r := executor.Await(a, kv.Get(k))
				if r.Err != nil {
					return fmt.Errorf("Get(%q): %w", k, r.Err)
				}
				if want := (Answer{Value: fmt.Sprint(i), Found: true, Shard: pools.ShardOf(p, k)}); r.Value != want {
					return fmt.Errorf("Get(%q) = %+v, want %+v", k, r.Value, want)
				}
			}
			return nil
		})
		h, err := pools.Spawn(p, 0, client, executor.WithName("client"))
		if err == nil {
			var r executor.Result[error]
			r, err = executor.Run(executor.Future[executor.Result[error]](h))
			err = errors.Join(err, r.Err, r.Value)
		}
		p.Shutdown(time.Second)
		if m := kv.Misused(); m != "" {
			check.Fail(m)
		}
		if err != nil {
			check.Fail(err.Error())
		}
	})
}
