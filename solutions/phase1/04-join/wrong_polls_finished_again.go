//go:build wrong && wrong_polls_finished_again

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_polls_finished_again ./solutions/phase1/04-join/ must fail).
//
// The wrong idea: "poll them all, every time". It never forgets a child
// that is ready, so a finished future is polled again (a future's
// contract says: never poll after Ready), and its output is counted twice.

package join

import executor "asyncworkbook/phase1-executor"

// Poll polls the children — wrongly.
func (j *join[T]) Poll(cx *executor.Context) executor.Poll[[]T] {
	ready := 0
	for i, f := range j.fs {
		if v, ok := f.Poll(cx).Value(); ok {
			j.out[i] = v
			ready++
		}
	}
	if ready < len(j.fs) {
		return executor.Pending[[]T]()
	}
	return executor.PollReady(j.out)
}

// Drop drops the children that have not finished.
func (j *join[T]) Drop() {
	for _, f := range j.fs {
		if d, ok := f.(executor.Dropper); ok {
			d.Drop()
		}
	}
}
