//go:build wrong && wrong_put_does_not_wait

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_put_does_not_wait ./solutions/phase4/03-shard-router/
// must fail).
//
// The wrong idea: "a Put needs no answer: send it and go on". The
// caller's next request may then overtake it — here a Get from the same
// task reaches the owner first and does not find the value just "put".
// This Put spawns the SubmitTo as a detached task and is ready at once.

// Package router is exercise phase4/03-shard-router.
package router

import (
	executor "asyncworkbook/phase1-executor"
	pools "asyncworkbook/phase4-pools"
)

// Put is wrong: it is ready before the value is stored.
func (kv *KV) Put(key, value string) executor.Future[executor.Result[int]] {
	s := pools.ShardOf(kv.p, key)
	return executor.PollFn(func(cx *executor.Context) executor.Poll[executor.Result[int]] {
		executor.SpawnLocal(cx, pools.SubmitTo(kv.p, s, func() executor.Future[int] {
			return executor.PollFn(func(cx *executor.Context) executor.Poll[int] {
				kv.shard(cx, s)[key] = value
				return executor.PollReady(s)
			})
		}))
		return executor.PollReady(executor.Result[int]{Value: s})
	})
}

// Get is right: the mistake is in Put.
func (kv *KV) Get(key string) executor.Future[executor.Result[Answer]] {
	s := pools.ShardOf(kv.p, key)
	return pools.SubmitTo(kv.p, s, func() executor.Future[Answer] {
		return executor.PollFn(func(cx *executor.Context) executor.Poll[Answer] {
			v, ok := kv.shard(cx, s)[key]
			return executor.PollReady(Answer{Value: v, Found: ok, Shard: s})
		})
	})
}
