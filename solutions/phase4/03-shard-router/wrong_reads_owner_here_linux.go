//go:build wrong && wrong_reads_owner_here

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_reads_owner_here ./solutions/phase4/03-shard-router/
// must fail).
//
// The wrong idea: "I know the owner, so read its map". The owner's map
// is touched by the owner's thread at the same moment: reading it from
// here is a data race (the race detector says so, and a map being
// written may crash the reader). The lookup must run on the owner.

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

// Get is wrong: it reads the owner's shard from the calling executor.
func (kv *KV) Get(key string) executor.Future[executor.Result[Answer]] {
	s := pools.ShardOf(kv.p, key)
	return executor.PollFn(func(cx *executor.Context) executor.Poll[executor.Result[Answer]] {
		v, ok := kv.shard(cx, s)[key]
		return executor.PollReady(executor.Result[Answer]{Value: Answer{Value: v, Found: ok, Shard: s}})
	})
}
