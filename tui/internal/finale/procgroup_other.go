//go:build !unix

package finale

import "os/exec"

// ownGroup leaves cmd as it is: without process groups, cancelling kills
// the process itself (exec.CommandContext's default).
func ownGroup(*exec.Cmd) {}

// killGroup kills the process itself.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		cmd.Process.Kill()
	}
}
