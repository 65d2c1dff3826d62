//go:build darwin

package iouring

// No io_uring on macOS: no registered buffers or files. The reactor's
// hooks for them (fixed_linux.go) do nothing here.
type fixedState struct{}

func (r *Reactor) dropSlot(int) {}
func (r *Reactor) closeFixed()  {}
