//go:build !unix

package check

import "os/exec"

// ownProcessGroup is the portable fallback: only `go` itself is killed on
// timeout; the test binary it started ends when its stdout closes or its
// own -timeout fires.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		return cmd.Process.Kill()
	}
}
