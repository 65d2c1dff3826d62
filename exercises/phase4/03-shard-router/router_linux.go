// Package router is exercise phase4/03-shard-router: route each request
// to the executor that owns its key, with pools.ShardOf and
// pools.SubmitTo. Read README.md first; kv_linux.go is given.
package router

import (
	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
)

// The check import is here for check.TODO only. This line keeps it in use
// after you delete the last check.TODO() line, so the file still compiles;
// delete it (and the import) when you are done, if you like.
var _ = check.TODO

// Put returns a future that stores key → value in the shard of the
// key's owner, on the owner, and yields the owner's index once the value
// is stored. From a task on one of the pool's executors.
func (kv *KV) Put(key, value string) executor.Future[executor.Result[int]] {
	check.TODO() // delete this line, then write Put
	return executor.Ready(executor.Result[int]{})
}

// Get returns a future that looks key up in its owner's shard, on the
// owner, and yields what it found and which shard answered. From a task
// on one of the pool's executors.
func (kv *KV) Get(key string) executor.Future[executor.Result[Answer]] {
	check.TODO() // delete this line, then write Get
	return executor.Ready(executor.Result[Answer]{})
}
