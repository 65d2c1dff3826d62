//go:build wrong && wrong_local_shard

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_local_shard ./solutions/phase4/03-shard-router/
// must fail).
//
// The wrong idea: "every executor has its shard: answer from mine". The
// caller's shard holds the keys the caller owns, not this one: a Get
// for a key owned elsewhere answers from the wrong shard and finds
// nothing. This Get never leaves the calling executor.

// Package router is exercise phase4/03-shard-router.
package router

import (
	executor "asyncworkbook/phase1-executor"
	pools "asyncworkbook/phase4-pools"
)

// Put is right: the mistake is in Get.
func (kv *KV) Put(key, value string) executor.Future[executor.Result[int]] {
	s := pools.ShardOf(kv.p, key)
	return pools.SubmitTo(kv.p, s, func() executor.Future[int] {
		return executor.PollFn(func(cx *executor.Context) executor.Poll[int] {
			kv.shard(cx, s)[key] = value
			return executor.PollReady(s)
		})
	})
}

// Get is wrong: it answers from the caller's own shard.
func (kv *KV) Get(key string) executor.Future[executor.Result[Answer]] {
	return executor.PollFn(func(cx *executor.Context) executor.Poll[executor.Result[Answer]] {
		me := kv.p.Current(cx).ID()
		v, ok := kv.shard(cx, me)[key]
		return executor.PollReady(executor.Result[Answer]{Value: Answer{Value: v, Found: ok, Shard: me}})
	})
}
