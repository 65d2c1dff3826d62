//go:build darwin

package pools

import (
	"errors"

	executor "asyncworkbook/phase1-executor"
	iouring "asyncworkbook/phase2-iouring"
)

// echoLend: macOS has no io_uring, so no provided-buffer ring to lend from.
func echoLend(*iouring.Reactor, int, int) (func(*iouring.TCPStream) executor.Future[error], error) {
	return nil, errors.New("pools: WithLend needs io_uring's provided-buffer rings; macOS has none")
}
