package router

import (
	"fmt"
	"testing"
	"time"

	executor "asyncworkbook/phase1-executor"
	pools "asyncworkbook/phase4-pools"
	"asyncworkbook/phases/check"
)

const exercise = "phase4/03-shard-router"

// newPool starts a pool of n unpinned executors (any machine can run it)
// and shuts it down when the test ends.
func newPool(t *testing.T, n int) *pools.Pool {
	t.Helper()
	p, err := pools.New(pools.Unbound(n), pools.Options{})
	if err != nil {
		t.Fatalf("starting a pool of %d executors: %v", n, err)
	}
	t.Cleanup(func() { p.Shutdown(time.Second) })
	return p
}

// on runs fn as a task on executor i of p and returns what it returns.
func on[T any](t *testing.T, p *pools.Pool, i int, fn func(a *executor.Awaiter) T) T {
	t.Helper()
	h, err := pools.Spawn(p, i, executor.Async(fn))
	if err != nil {
		t.Fatal(err)
	}
	r := check.Within(t, func() executor.Result[T] {
		r, err := executor.Run(executor.Future[executor.Result[T]](h))
		if err == nil {
			err = r.Err
		}
		return executor.Result[T]{Value: r.Value, Err: err}
	})
	check.NoError(t, r.Err, fmt.Sprintf("the task on executor %d", i))
	return r.Value
}

// keysOwnedBy returns n keys per executor of p, by their owner.
func keysOwnedBy(p *pools.Pool, n int) [][]string {
	keys := make([][]string, p.Len())
	for i := 0; ; i++ {
		k := fmt.Sprint("key-", i)
		s := pools.ShardOf(p, k)
		if len(keys[s]) < n {
			keys[s] = append(keys[s], k)
		}
		done := true
		for _, ks := range keys {
			done = done && len(ks) == n
		}
		if done {
			return keys
		}
	}
}

// misuse returns, to add to a failure, the first touch of a shard from
// the wrong executor, if there was one.
func misuse(kv *KV) string {
	if m := kv.Misused(); m != "" {
		return "\n(and " + m + ")"
	}
	return ""
}

func noMisuse(t *testing.T, kv *KV) {
	t.Helper()
	if m := kv.Misused(); m != "" {
		t.Fatal(m)
	}
}

// Put from one executor, Get from the other: each key is answered by its
// owner, ShardOf's choice.
func TestGetIsAnsweredByTheKeysOwner(t *testing.T) {
	defer check.Guard(t, exercise)
	p := newPool(t, 2)
	kv := NewKV(p)
	keys := keysOwnedBy(p, 20)
	for from := range 2 {
		on(t, p, from, func(a *executor.Awaiter) int {
			for owner, ks := range keys {
				for _, k := range ks[from*10 : from*10+10] {
					r := executor.Await(a, kv.Put(k, "v:"+k))
					check.Started(r.Err)
					if r.Err != nil || r.Value != owner {
						check.Fail(fmt.Sprintf("Put(%q) from executor %d = %+v, want the owner's index %d (pools.ShardOf)%s", k, from, r, owner, misuse(kv)))
					}
				}
			}
			return 0
		})
	}
	noMisuse(t, kv)
	for from := range 2 {
		on(t, p, from, func(a *executor.Awaiter) int {
			for owner, ks := range keys {
				for _, k := range ks {
					r := executor.Await(a, kv.Get(k))
					check.Started(r.Err)
					switch {
					case r.Err != nil:
						check.Fail(fmt.Sprintf("Get(%q) from executor %d: %v", k, from, r.Err))
					case !r.Value.Found || r.Value.Value != "v:"+k:
						check.Fail(fmt.Sprintf("Get(%q) from executor %d = %+v, want %q: it was put on its owner, executor %d; "+
							"a Get answered from another shard does not find it%s", k, from, r.Value, "v:"+k, owner, misuse(kv)))
					case r.Value.Shard != owner:
						check.Fail(fmt.Sprintf("Get(%q) from executor %d says shard %d answered; the key's owner is %d (pools.ShardOf)", k, from, r.Value.Shard, owner))
					}
				}
			}
			return 0
		})
	}
	noMisuse(t, kv)
}

// Every key sits in its owner's map, and nowhere else.
func TestEveryKeyIsStoredOnItsOwner(t *testing.T) {
	defer check.Guard(t, exercise)
	p := newPool(t, 3)
	kv := NewKV(p)
	keys := keysOwnedBy(p, 10)
	on(t, p, 0, func(a *executor.Awaiter) int {
		for _, ks := range keys {
			for _, k := range ks {
				check.Started(executor.Await(a, kv.Put(k, k)).Err)
			}
		}
		return 0
	})
	noMisuse(t, kv)
	p.Shutdown(time.Second) // the executors are gone: the maps are ours to read
	for i, shard := range kv.shards {
		for k := range shard {
			if o := pools.ShardOf(p, k); o != i {
				t.Errorf("%q is stored in shard %d, but its owner is executor %d (pools.ShardOf): route with the pool's ShardOf, not a hash of your own", k, i, o)
			}
		}
		if len(shard) != len(keys[i]) {
			t.Errorf("shard %d holds %d keys, want the %d it owns", i, len(shard), len(keys[i]))
		}
	}
}

// A Put is done when its future is: a Get right after it, from the same
// task, finds the value.
func TestAGetAfterAPutFindsIt(t *testing.T) {
	defer check.Guard(t, exercise)
	p := newPool(t, 2)
	kv := NewKV(p)
	keys := keysOwnedBy(p, 5)
	for from := range 2 {
		on(t, p, from, func(a *executor.Awaiter) int {
			for _, ks := range keys {
				for _, k := range ks {
					v := fmt.Sprint(k, "@", from)
					check.Started(executor.Await(a, kv.Put(k, v)).Err)
					r := executor.Await(a, kv.Get(k))
					if r.Err != nil || !r.Value.Found || r.Value.Value != v {
						check.Fail(fmt.Sprintf("Put(%q, %q) then Get(%q) from executor %d = %+v: the Put's future was ready "+
							"before the value was stored (it must yield only once the owner has stored it), or Get did not ask the owner%s", k, v, k, from, r, misuse(kv)))
					}
				}
			}
			return 0
		})
	}
	noMisuse(t, kv)
}
