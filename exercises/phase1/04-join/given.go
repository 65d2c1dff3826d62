// Package join is exercise phase1/04-join: the Join combinator, the
// async runtime's Promise.all.
package join

import (
	"slices"

	executor "asyncworkbook/phase1-executor"
)

// Join returns a future that polls every future in fs until all are
// ready, and yields their outputs in the order of fs.
func Join[T any](fs ...executor.Future[T]) executor.Future[[]T] {
	return &join[T]{fs: slices.Clone(fs), out: make([]T, len(fs)), left: len(fs)}
}

type join[T any] struct {
	fs   []executor.Future[T] // fs[i] is nil once child i is ready
	out  []T                  // out[i] is child i's output, once it is ready
	left int                  // children not ready yet
}

var _ executor.Dropper = (*join[int])(nil)
