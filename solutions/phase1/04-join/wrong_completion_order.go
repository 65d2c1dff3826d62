//go:build wrong && wrong_completion_order

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_completion_order ./solutions/phase1/04-join/ must fail).
//
// The wrong idea: outputs are appended as the children finish, so the
// result is in completion order, not in the order of the inputs.

package join

import executor "asyncworkbook/phase1-executor"

// Poll polls the children — wrongly.
func (j *join[T]) Poll(cx *executor.Context) executor.Poll[[]T] {
	for i, f := range j.fs {
		if f == nil {
			continue
		}
		if v, ok := f.Poll(cx).Value(); ok {
			j.out[len(j.out)-j.left], j.fs[i] = v, nil
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
