//go:build wrong && wrong_own_hash

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_own_hash ./solutions/phase4/03-shard-router/
// must fail).
//
// The wrong idea: "any hash will do, as long as Put and Get agree". Put
// and Get do agree here, but nobody else does: pools.ShardOf is the
// pool's one answer to "who owns this key" (the sharded demos, a listener
// routing a connection, another store on the same pool all use it), and
// this router stores keys where the pool says they do not live.

// Package router is exercise phase4/03-shard-router.
package router

import (
	"hash/fnv"

	executor "asyncworkbook/phase1-executor"
	pools "asyncworkbook/phase4-pools"
)

// owner is a hash of our own, not the pool's.
func (kv *KV) owner(key string) int {
	h := fnv.New32a()
	h.Write([]byte(key))
	return int(h.Sum32() % uint32(kv.p.Len()))
}

// Put is wrong: it routes by its own hash.
func (kv *KV) Put(key, value string) executor.Future[executor.Result[int]] {
	s := kv.owner(key)
	return pools.SubmitTo(kv.p, s, func() executor.Future[int] {
		return executor.PollFn(func(cx *executor.Context) executor.Poll[int] {
			kv.shard(cx, s)[key] = value
			return executor.PollReady(s)
		})
	})
}

// Get is wrong: it routes by its own hash.
func (kv *KV) Get(key string) executor.Future[executor.Result[Answer]] {
	s := kv.owner(key)
	return pools.SubmitTo(kv.p, s, func() executor.Future[Answer] {
		return executor.PollFn(func(cx *executor.Context) executor.Poll[Answer] {
			v, ok := kv.shard(cx, s)[key]
			return executor.PollReady(Answer{Value: v, Found: ok, Shard: s})
		})
	})
}
