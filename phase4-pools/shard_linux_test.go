//go:build linux

package pools

import (
	"fmt"
	"testing"
	"time"

	executor "asyncworkbook/phase1-executor"
)

// Every key lives on exactly one executor, and a value put from any
// executor is found from any other.
func TestShardedMapAnswersFromTheKeysOwner(t *testing.T) {
	twoCPUs(t)
	p := newPool(t, MaxSpread(2), Options{})
	m := NewShardedMap[string, int](p)
	const n = 500
	owners := map[int]int{}
	for from := range 2 {
		await(t, p, from, executor.Async(func(a *executor.Awaiter) int {
			for i := from; i < n; i += 2 {
				r := executor.Await(a, m.Put(fmt.Sprint("key", i), i))
				if r.Err != nil || r.Value != ShardOf(p, fmt.Sprint("key", i)) {
					t.Errorf("Put key%d: %+v, owner %d", i, r, ShardOf(p, fmt.Sprint("key", i)))
				}
			}
			return 0
		}))
	}
	await(t, p, 1, executor.Async(func(a *executor.Awaiter) int {
		for i := range n {
			k := fmt.Sprint("key", i)
			r := executor.Await(a, m.Get(k))
			if r.Err != nil || !r.Value.Found || r.Value.Value != i || r.Value.Shard != ShardOf(p, k) {
				t.Errorf("Get %s = %+v, want %d from shard %d", k, r, i, ShardOf(p, k))
			}
			owners[r.Value.Shard]++
		}
		if r := executor.Await(a, m.Get("absent")); r.Err != nil || r.Value.Found {
			t.Errorf("Get absent = %+v, want not found", r)
		}
		return 0
	}))
	if owners[0] == 0 || owners[1] == 0 {
		t.Errorf("keys per shard %v: the hash sends every key to one executor", owners)
	}
	for i, s := range m.shards {
		for k := range s {
			if ShardOf(p, k) != i {
				t.Errorf("%s stored on shard %d, owned by %d", k, i, ShardOf(p, k))
			}
		}
	}
	p.Shutdown(time.Second)
}
