//go:build !wrong

// Package router is exercise phase4/03-shard-router: route each request
// to the executor that owns its key, with pools.ShardOf and
// pools.SubmitTo.
package router

import (
	executor "asyncworkbook/phase1-executor"
	pools "asyncworkbook/phase4-pools"
)

// Put returns a future that stores key → value in the shard of the
// key's owner, on the owner, and yields the owner's index once the value
// is stored. From a task on one of the pool's executors.
func (kv *KV) Put(key, value string) executor.Future[executor.Result[int]] {
	s := pools.ShardOf(kv.p, key) // the same owner from every executor
	return pools.SubmitTo(kv.p, s, func() executor.Future[int] {
		// Runs on executor s (inline, if we are s already).
		return executor.PollFn(func(cx *executor.Context) executor.Poll[int] {
			kv.shard(cx, s)[key] = value
			return executor.PollReady(s)
		})
	})
}

// Get returns a future that looks key up in its owner's shard, on the
// owner, and yields what it found and which shard answered. From a task
// on one of the pool's executors.
func (kv *KV) Get(key string) executor.Future[executor.Result[Answer]] {
	s := pools.ShardOf(kv.p, key)
	return pools.SubmitTo(kv.p, s, func() executor.Future[Answer] {
		return executor.PollFn(func(cx *executor.Context) executor.Poll[Answer] {
			v, ok := kv.shard(cx, s)[key]
			return executor.PollReady(Answer{Value: v, Found: ok, Shard: s})
		})
	})
}
