//go:build wrong && wrong_answer_names_caller

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_answer_names_caller ./solutions/phase4/03-shard-router/
// must fail).
//
// The wrong idea: "the shard that answered is the one I asked from".
// The lookup ran on the owner; this Get reports the calling executor as
// the shard, so a caller that logs, counts or caches by shard is misled.

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

// Get is wrong: it reports the caller as the answering shard.
func (kv *KV) Get(key string) executor.Future[executor.Result[Answer]] {
	s := pools.ShardOf(kv.p, key)
	var sub executor.Future[executor.Result[Answer]]
	return executor.PollFn(func(cx *executor.Context) executor.Poll[executor.Result[Answer]] {
		if sub == nil {
			me := kv.p.Current(cx).ID()
			sub = pools.SubmitTo(kv.p, s, func() executor.Future[Answer] {
				return executor.PollFn(func(cx *executor.Context) executor.Poll[Answer] {
					v, ok := kv.shard(cx, s)[key]
					return executor.PollReady(Answer{Value: v, Found: ok, Shard: me})
				})
			})
		}
		return sub.Poll(cx)
	})
}
