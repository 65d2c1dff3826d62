//go:build wrong && wrong_ready_early

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_ready_early ./solutions/phase1/04-join/ must fail).
//
// The wrong idea: "Join is done when a child is done" (that is Select).
// It is Ready as soon as one child finished, with zero values in the
// places of the others, and it leaves them running.

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
	if j.left == len(j.out) && j.left > 0 {
		return executor.Pending[[]T]()
	}
	return executor.PollReady(j.out)
}

// Drop drops the children that have not finished.
func (j *join[T]) Drop() {
	for i, f := range j.fs {
		if f == nil {
			continue
		}
		if d, ok := f.(executor.Dropper); ok {
			d.Drop()
		}
		j.fs[i] = nil
	}
}
