//go:build darwin

package pools

import (
	"errors"
	"fmt"
	"os"
)

// pinThread: macOS has no call that binds a thread to a CPU (thread
// affinity tags are hints, and Apple silicon ignores them). A placement
// that pins is refused; Unbound works.
func pinThread(set CPUSet) error {
	return fmt.Errorf("pools: pinning to CPUs %v: %w (macOS cannot bind a thread to a CPU; use Unbound)", set, errors.ErrUnsupported)
}

// threadID has no portable meaning here: the process id stands in.
func threadID() int { return os.Getpid() }
