//go:build wrong && wrong_drop_forgets

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_drop_forgets ./solutions/phase1/04-join/ must fail).
//
// The wrong idea: "Go has a garbage collector: Drop has nothing to do".
// The unfinished children are not dropped, so what they hold (a timer,
// a coroutine, a slot in a ring) is never released when the join is
// cancelled.

package join

import executor "asyncworkbook/phase1-executor"

// Poll polls the children — wrongly.
func (j *join[T]) Poll(cx *executor.Context) executor.Poll[[]T] {
	for i, f := range j.fs {
		if f == nil {
			continue
		}
		if v, ok := f.Poll(cx).Value(); ok {
			j.out[i], j.fs[i] = v, nil
			j.left--
		}
	}
	if j.left > 0 {
		return executor.Pending[[]T]()
	}
	return executor.PollReady(j.out)
}

// Drop drops the children that have not finished.
func (j *join[T]) Drop() {
	// nothing to do?
}
