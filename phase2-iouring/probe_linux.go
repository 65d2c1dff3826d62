//go:build linux

package iouring

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// probeOps is how many opcodes we ask about: more than the kernel knows.
const probeOps = 256

// probe is struct io_uring_probe followed by its ops array.
type probe struct {
	LastOp uint8 // the highest opcode this kernel knows
	OpsLen uint8
	_      uint16
	_      [3]uint32
	Ops    [probeOps]probeOp
}

// probeOp is struct io_uring_probe_op.
type probeOp struct {
	Op    uint8
	_     uint8
	Flags uint16 // IO_URING_OP_SUPPORTED = 1
	_     uint32
}

var (
	_ = [1]struct{}{}[unsafe.Offsetof(probe{}.Ops)-16]
	_ = [1]struct{}{}[unsafe.Sizeof(probeOp{})-8]
)

// Probe asks the kernel which opcodes it supports: io_uring_register(2)
// with IORING_REGISTER_PROBE (5.6).
func (r *Ring) Probe() (*Probe, error) {
	var raw probe
	_, _, errno := unix.Syscall6(unix.SYS_IO_URING_REGISTER, uintptr(r.fd), registerProbe,
		uintptr(unsafe.Pointer(&raw)), probeOps, 0, 0)
	if errno != 0 {
		return nil, fmt.Errorf("iouring: IORING_REGISTER_PROBE: %w", errno)
	}
	p := &Probe{LastOp: Op(raw.LastOp)}
	for i := 0; i < int(raw.OpsLen) && i < probeOps; i++ {
		if raw.Ops[i].Flags&1 != 0 {
			p.supported[raw.Ops[i].Op] = true
		}
	}
	return p, nil
}
