//go:build linux || darwin

package pools

import (
	"hash/maphash"

	executor "asyncworkbook/phase1-executor"
)

// ShardOf returns the executor that owns key: a hash of the key, the same
// for every executor of p (the seed is the pool's), modulo the pool size.
// Sharding is how share-nothing executors share a data set: each key has
// one owner, and work on a key is sent to its owner instead of locking.
func ShardOf[K comparable](p *Pool, key K) int {
	return int(maphash.Comparable(p.seed, key) % uint64(len(p.execs)))
}

// ShardedMap is a map split across a pool's executors: shard i lives on
// executor i and is touched only by tasks there, so no access takes a
// lock. Get and Put run on the key's owner through SubmitTo; from a task
// on the owner itself they run inline.
type ShardedMap[K comparable, V any] struct {
	p      *Pool
	shards []map[K]V // shards[i]: executor i's goroutine only
}

// NewShardedMap returns an empty map sharded over p.
func NewShardedMap[K comparable, V any](p *Pool) *ShardedMap[K, V] {
	m := &ShardedMap[K, V]{p: p, shards: make([]map[K]V, p.Len())}
	for i := range m.shards {
		m.shards[i] = map[K]V{}
	}
	return m
}

// Lookup is what Get yields.
type Lookup[V any] struct {
	Value V
	Found bool
	Shard int // the executor that answered
}

// Get returns a future yielding key's value, looked up on its owner.
func (m *ShardedMap[K, V]) Get(key K) executor.Future[executor.Result[Lookup[V]]] {
	s := ShardOf(m.p, key)
	return SubmitTo(m.p, s, func() executor.Future[Lookup[V]] {
		v, ok := m.shards[s][key] // runs on executor s
		return executor.Ready(Lookup[V]{Value: v, Found: ok, Shard: s})
	})
}

// Put returns a future that stores key → value on key's owner and yields
// the owner's index.
func (m *ShardedMap[K, V]) Put(key K, value V) executor.Future[executor.Result[int]] {
	s := ShardOf(m.p, key)
	return SubmitTo(m.p, s, func() executor.Future[int] {
		m.shards[s][key] = value // runs on executor s
		return executor.Ready(s)
	})
}
