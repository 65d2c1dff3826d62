//go:build !wrong

package join

import executor "asyncworkbook/phase1-executor"

// Poll polls every child that is not ready yet, with the same Context.
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
