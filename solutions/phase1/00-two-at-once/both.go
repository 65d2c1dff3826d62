//go:build !wrong

// Package twoatonce is exercise phase1/00-two-at-once: the runtime's
// Promise.all, used rather than written.
package twoatonce

import executor "asyncworkbook/phase1-executor"

// Both runs x and y at the same time on the executor that runs a, and
// returns their outputs, x's first, once both are done.
func Both(a *executor.Awaiter, x, y executor.Future[string]) (string, string) {
	// Each as a task of its own: neither waits for the other to start.
	hx := executor.SpawnLocal(a.Context(), x, executor.WithName("x"))
	hy := executor.SpawnLocal(a.Context(), y, executor.WithName("y"))
	// One wait, for the slower of the two.
	both := executor.Await(a, executor.Join(hx, hy))
	return both[0].Value, both[1].Value
}
