//go:build wrong && wrong_own_goroutines

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_own_goroutines ./solutions/phase1/00-two-at-once/ must fail).
//
// The wrong idea: "at the same time" means goroutines. Each future runs on
// an executor of its own, on a goroutine of its own: the results come
// back, but the tasks are not the caller's any more (they escape its
// scheduling, its cancellation and its trace), and a goroutine blocks
// while the caller's task should be the one waiting.

// Package twoatonce is exercise phase1/00-two-at-once: the runtime's
// Promise.all, used rather than written.
package twoatonce

import (
	"sync"

	executor "asyncworkbook/phase1-executor"
)

// Both runs x and y at the same time on the executor that runs a, and
// returns their outputs, x's first, once both are done.
func Both(a *executor.Awaiter, x, y executor.Future[string]) (string, string) {
	var vx, vy string
	var wg sync.WaitGroup
	wg.Go(func() { vx, _ = executor.Run(x) })
	wg.Go(func() { vy, _ = executor.Run(y) })
	wg.Wait()
	return vx, vy
}
