package phases

import "strings"

// phase4Header is phase2Header plus what phase 4's snippets may assume:
// the pools package, a pool p and a topology top. Phase 4 runs on
// Linux (io_uring), so its snippets are type-checked there only.
var phase4Header = strings.Replace(phase2Header, "import (\n", `import (
	pools "asyncworkbook/phase4-pools"
`, 1) + `
var (
	p   *pools.Pool
	top *pools.Topology
)
`
