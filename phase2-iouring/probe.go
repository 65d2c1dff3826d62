package iouring

import "fmt"

// Probe is what the running kernel supports.
type Probe struct {
	LastOp    Op
	supported [256]bool
}

// Supports reports whether the kernel implements op.
func (p *Probe) Supports(op Op) bool { return p.supported[op] }

// Require returns an error naming every op in ops the kernel lacks.
func (p *Probe) Require(ops ...Op) error {
	var missing []Op
	for _, op := range ops {
		if !p.Supports(op) {
			missing = append(missing, op)
		}
	}
	if len(missing) > 0 {
		return &UnsupportedOpError{Ops: missing}
	}
	return nil
}

// UnsupportedOpError names opcodes the running kernel does not implement.
type UnsupportedOpError struct{ Ops []Op }

func (e *UnsupportedOpError) Error() string {
	return fmt.Sprintf("iouring: this kernel does not support %v (IORING_REGISTER_PROBE); a newer kernel, or WORKBOOK_RING=fallback, will do", e.Ops)
}
