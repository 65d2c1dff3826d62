package router

import (
	"fmt"
	"sync"

	executor "asyncworkbook/phase1-executor"
	pools "asyncworkbook/phase4-pools"
)

// KV is a key-value store sharded over a pool: shard i is a plain map
// that lives on executor i and is touched only by tasks there, so no
// access takes a lock. This file is given; you write Put and Get in
// router_linux.go.
type KV struct {
	p      *pools.Pool
	shards []map[string]string // shards[i]: executor i's tasks only

	mu      sync.Mutex
	misused string // the first touch of a shard from the wrong executor
}

// NewKV returns an empty store sharded over p.
func NewKV(p *pools.Pool) *KV {
	kv := &KV{p: p, shards: make([]map[string]string, p.Len())}
	for i := range kv.shards {
		kv.shards[i] = map[string]string{}
	}
	return kv
}

// Answer is what Get yields.
type Answer struct {
	Value string
	Found bool
	Shard int // the shard that answered
}

// shard returns shard i's map to a task running on executor i (cx is the
// task's context). From anywhere else it records the mistake (see
// Misused) and returns an empty map of no shard: touching shard i from
// another thread would be a data race.
func (kv *KV) shard(cx *executor.Context, i int) map[string]string {
	e := kv.p.Current(cx)
	if e != nil && e.ID() == i {
		return kv.shards[i]
	}
	where := "a task outside the pool"
	if e != nil {
		where = fmt.Sprintf("a task on executor %d", e.ID())
	}
	kv.mu.Lock()
	if kv.misused == "" {
		kv.misused = fmt.Sprintf("shard %d's map was touched by %s: it belongs to executor %d alone "+
			"(touching it from another thread is a data race); send the work there with pools.SubmitTo", i, where, i)
	}
	kv.mu.Unlock()
	return map[string]string{}
}

// Misused returns the first touch of a shard from the wrong executor, or "".
func (kv *KV) Misused() string {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	return kv.misused
}
