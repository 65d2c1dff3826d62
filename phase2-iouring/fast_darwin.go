//go:build darwin

package iouring

import (
	"time"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/trace"
)

// No io_uring on macOS: no registered buffers or files. The reactor's
// hooks for them (fixed_linux.go) do nothing here.
type fixedState struct{}

func (r *Reactor) dropSlot(int) {}
func (r *Reactor) closeFixed()  {}

// Nor provided-buffer rings and multishot receive (multishot_linux.go).
type (
	fastState struct{}
	msRecv    struct{}
	msAccept  struct{}
)

func (r *Reactor) closeFast()       {}
func (s *TCPStream) stopMultishot() {}
func (s *TCPStream) multishotRead([]byte, time.Duration) executor.Future[executor.Result[int]] {
	return nil
}

func (l *TCPListener) stopMultishot() {}
func (l *TCPListener) multishotAccept() executor.Future[executor.Result[*TCPStream]] {
	return nil
}

func (r *Reactor) pbufOccupancy() string { return "" }

// Nor direct descriptors (direct_linux.go): no File or TCPStream is ever
// direct on macOS.
func (r *Reactor) closeDirect(int) executor.Future[executor.Result[int]] {
	return executor.Ready(executor.Result[int]{Err: ErrFileClosed})
}
func (r *Reactor) releaseDirect(int) {}

// pollFirstOK: the fallback ignores IORING_RECVSEND_POLL_FIRST.
func pollFirstOK(*Reactor) bool { return true }

// fastPos: no provided-buffer ring or file table to show on macOS.
func (r *Reactor) fastPos(*trace.Event) {}

func (r *Reactor) fastSQE(*trace.Event, *SQE) {}
func (r *Reactor) takenBuf(CQE)               {}
func (r *Reactor) allocated(uint32, CQE) bool { return false }
