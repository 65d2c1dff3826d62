//go:build wrong && wrong_one_at_a_time

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_one_at_a_time ./solutions/phase1/04-join/ must fail).
//
// The wrong idea: "Join is awaiting each future in turn" — in JavaScript,
// `const a = await fa; const b = await fb;` instead of Promise.all. Each
// poll only polls the first unfinished child and stops there while it is
// Pending, so the second child is not even started until the first is
// done: the waits add up instead of overlapping. The outputs and their
// order are right; the tests that look at when each child was first
// polled, and at how many times the task was polled, fail.

package join

import executor "asyncworkbook/phase1-executor"

// Poll awaits the children one after the other.
func (j *join[T]) Poll(cx *executor.Context) executor.Poll[[]T] {
	for i, f := range j.fs {
		if f == nil {
			continue
		}
		v, ok := f.Poll(cx).Value()
		if !ok {
			return executor.Pending[[]T]() // wait for this one before the next
		}
		j.out[i], j.fs[i] = v, nil
		j.left--
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
